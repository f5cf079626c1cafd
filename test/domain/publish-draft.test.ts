import t from 'tap';
import { publishDraft } from '../../src/commands/publish-draft.ts';
import { endorseDraft } from '../../src/commands/endorse-draft.ts';
import { closeConsultation } from '../../src/commands/close-consultation.ts';
import { requestEndorsement } from '../../src/commands/request-endorsement.ts';
import { event } from '../../src/domain/events.ts';
import {
  MFA, closedWithdrawn, draft, endorsed, endorsementRequested, errorOf, mfa, opened, signatory, when,
} from '../helpers/domain-spec.ts';

const sections = [
  { key: 'intro', heading: 'Introduction', text: 'Why a third plan.' },
  { key: 'pillar-1', heading: 'Participation', text: 'Women in peace negotiations.' },
];
const input = { sections, commentDeadline: '2027-04-01T17:00:00+03:00' };

t.test('given nothing, when PublishDraft, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(publishDraft, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when PublishDraft, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(publishDraft, [opened, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given an opened consultation, when PublishDraft, then DraftPublished version 1', async (t) => {
  t.same(when(publishDraft, [opened], { ...input, note: 'first reading' }), [
    event('DraftPublished', { version: 1, sections, commentDeadline: '2027-04-01T17:00:00+03:00', note: 'first reading' }),
  ]);
});

t.test('given drafts 1 and 2, when PublishDraft, then DraftPublished version 3 (numbered in order)', async (t) => {
  t.same(when(publishDraft, [opened, draft(1), draft(2)], input), [event('DraftPublished', { version: 3, ...input })]);
});

t.test('two sections with the same key: DUPLICATE_SECTION_KEY', async (t) => {
  t.throws(
    () => when(publishDraft, [opened], { ...input, sections: [...sections, { key: 'intro', heading: 'Again', text: '' }] }),
    { code: 'DUPLICATE_SECTION_KEY' },
  );
});

t.test('a comment deadline that is not in the future: DEADLINE_IN_PAST', async (t) => {
  t.throws(() => when(publishDraft, [opened], { ...input, commentDeadline: '2027-02-28T09:00:00Z' }), { code: 'DEADLINE_IN_PAST' });
  // exactly "now", written with another offset
  t.throws(() => when(publishDraft, [opened], { ...input, commentDeadline: '2027-03-01T11:00:00+02:00' }), { code: 'DEADLINE_IN_PAST' });
});

t.test('the schema refuses a deadline without an offset, no sections, and a malformed section key', async (t) => {
  t.throws(() => when(publishDraft, [opened], { ...input, commentDeadline: '2027-04-01T17:00:00' }), { name: 'ZodError' });
  t.throws(() => when(publishDraft, [opened], { ...input, sections: [] }), { name: 'ZodError' });
  t.throws(() => when(publishDraft, [opened], { ...input, sections: [{ key: 'a b', heading: 'H', text: '' }] }), { name: 'ZodError' });
});

t.test('given an open endorsement request on v1, when PublishDraft, then DraftPublished v2 and EndorsementRequestCancelled (superseded)', async (t) => {
  t.same(when(publishDraft, [opened, draft(1), mfa, endorsementRequested(1)], input), [
    event('DraftPublished', { version: 2, ...input }),
    event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' }),
  ]);
});

t.test('given a cancelled endorsement request, when PublishDraft, then only DraftPublished', async (t) => {
  const history = [opened, draft(1), endorsementRequested(1), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'paused' })];
  t.same(when(publishDraft, history, input), [event('DraftPublished', { version: 2, ...input })]);
});

t.test('after a new draft supersedes the request, the old version cannot be endorsed and old endorsements do not count', async (t) => {
  const before = [opened, draft(1), mfa, endorsementRequested(1), endorsed(MFA, 1)];
  const after = [...before, ...when(publishDraft, before, input)];
  t.throws(() => when(endorseDraft, after, { stakeholderId: MFA, draftVersion: 1, signatory }), { code: 'NO_ENDORSEMENT_REQUEST' });
  // only a new request asks again
  t.throws(() => when(endorseDraft, after, { stakeholderId: MFA, draftVersion: 2, signatory }), { code: 'NO_ENDORSEMENT_REQUEST' });
  const blocked = errorOf(() => when(closeConsultation, after, { outcome: 'adopted', finalDraftVersion: 2 }));
  t.equal(blocked.code, 'ADOPTION_BLOCKED');
  t.match(blocked.details, { reasons: [{ code: 'ENDORSEMENTS_MISSING', pending: [{ stakeholderId: MFA }], withheld: [] }] });
  const asked = [...after, ...when(requestEndorsement, after, { draftVersion: 2, deadline: '2027-05-01T15:00:00Z' })];
  t.same(when(endorseDraft, asked, { stakeholderId: MFA, draftVersion: 2, signatory }), [
    event('DraftEndorsed', { stakeholderId: MFA, draftVersion: 2, signatory }),
  ]);
});

// ---- drafts in every language of the consultation (opened on en, then ro) ----

const translated = [
  { key: 'intro', heading: 'Introduction', text: 'Why a third plan.', translations: { ro: { heading: 'Introducere', text: 'De ce un al treilea plan.' } } },
  { key: 'pillar-1', heading: 'Participation', text: 'Women in peace negotiations.' },
];

t.test('given a consultation on en and ro, when PublishDraft with sections translated into ro, then DraftPublished carries the translations as given', async (t) => {
  t.same(when(publishDraft, [opened], { ...input, sections: translated }), [
    event('DraftPublished', { version: 1, sections: translated, commentDeadline: '2027-04-01T17:00:00+03:00' }),
  ]);
});

t.test('a section without a translation is allowed: it is published as it is, not filled from another language', async (t) => {
  const [published] = when(publishDraft, [opened], { ...input, sections: translated });
  const sections = (published!.data as { sections: Array<Record<string, unknown>> }).sections;
  t.notOk('translations' in sections[1]!);
});

t.test('a translation into the first language: TRANSLATION_IN_FIRST_LANGUAGE naming the sections', async (t) => {
  const sections = [...translated, { key: 'annex', heading: 'Annex', text: '', translations: { en: { heading: 'Annex', text: 'again' } } }];
  t.throws(() => when(publishDraft, [opened], { ...input, sections }), {
    code: 'TRANSLATION_IN_FIRST_LANGUAGE', details: { firstLanguage: 'en', sections: ['annex'] },
  });
});

t.test('a translation into a language the consultation does not declare: TRANSLATION_LANGUAGE_NOT_OFFERED listing each', async (t) => {
  const sections: Array<{ key: string; heading: string; text: string; translations: Record<string, { heading: string; text: string }> }> = [
    { key: 'intro', heading: 'Introduction', text: '', translations: { ro: { heading: 'Introducere', text: '' }, nl: { heading: 'Inleiding', text: '' } } },
    { key: 'pillar-1', heading: 'Participation', text: '', translations: { nl: { heading: 'Deelname', text: '' }, pl: { heading: 'Udział', text: '' } } },
  ];
  t.throws(() => when(publishDraft, [opened], { ...input, sections }), {
    code: 'TRANSLATION_LANGUAGE_NOT_OFFERED',
    details: {
      languages: ['en', 'ro'],
      translations: [{ sectionKey: 'intro', language: 'nl' }, { sectionKey: 'pillar-1', language: 'nl' }, { sectionKey: 'pillar-1', language: 'pl' }],
    },
  });
});

t.test('the schema refuses a translation without a heading, with an unknown field, or keyed by something that is not a language tag', async (t) => {
  const withTranslations = (translations: unknown) => ({ ...input, sections: [{ key: 'intro', heading: 'H', text: '', translations }] }) as never;
  t.throws(() => when(publishDraft, [opened], withTranslations({ ro: { text: 'only text' } })), { name: 'ZodError' });
  t.throws(() => when(publishDraft, [opened], withTranslations({ ro: { heading: 'H', text: '', note: 'x' } })), { name: 'ZodError' });
  t.throws(() => when(publishDraft, [opened], withTranslations({ Romanian: { heading: 'H', text: '' } })), { name: 'ZodError' });
  t.throws(() => when(publishDraft, [opened], withTranslations({ ro: null })), { name: 'ZodError' });
});

t.test('the schema refuses a draft whose sections, every language included, take more than DRAFT_SECTIONS_MAX_BYTES as stored', async (t) => {
  // 3 bytes per character in UTF-8; the limit counts bytes as stored, not characters
  const big = (key: string) => ({ key, heading: 'H', text: '€'.repeat(45_000), translations: { ro: { heading: 'H', text: '€'.repeat(45_000) } } });
  const sections = Array.from({ length: 4 }, (_, i) => big(`s${i}`));
  const parsed = publishDraft.schema.safeParse({ ...input, sections });
  t.notOk(parsed.success);
  const issue = parsed.error?.issues[0];
  t.strictSame(issue?.path, ['sections']);
  t.match(issue?.message, /take 1080\d{3} bytes as stored \(UTF-8 JSON\); at most 860000/);
  t.ok(publishDraft.schema.safeParse({ ...input, sections: sections.slice(0, 3) }).success, '810 KB of sections is valid');
});

t.test('the schema refuses more than 200 sections, a heading over 300 characters and a text over 50,000', async (t) => {
  const section = (i: number) => ({ key: `s${i}`, heading: 'H', text: '' });
  t.ok(publishDraft.schema.safeParse({ ...input, sections: Array.from({ length: 200 }, (_, i) => section(i)) }).success);
  t.notOk(publishDraft.schema.safeParse({ ...input, sections: Array.from({ length: 201 }, (_, i) => section(i)) }).success);
  t.notOk(publishDraft.schema.safeParse({ ...input, sections: [{ key: 'a', heading: 'h'.repeat(301), text: '' }] }).success);
  t.notOk(publishDraft.schema.safeParse({ ...input, sections: [{ key: 'a', heading: 'h', text: 't'.repeat(50_001) }] }).success);
  t.notOk(publishDraft.schema.safeParse({ ...input, sections: [{ key: 'a', heading: 'h', text: '', translations: { ro: { heading: 'h', text: 't'.repeat(50_001) } } }] }).success);
});

t.test('a deadline without an offset: the message says that an offset or Z is required', async (t) => {
  const parsed = publishDraft.schema.safeParse({ ...input, commentDeadline: '2027-04-01T17:00:00' });
  t.match(parsed.error?.issues[0]?.message, /with an offset or Z is required/);
});
