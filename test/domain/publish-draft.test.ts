import t from 'tap';
import { publishDraft } from '../../src/commands/publish-draft.ts';
import { endorseDraft } from '../../src/commands/endorse-draft.ts';
import { closeConsultation } from '../../src/commands/close-consultation.ts';
import { requestEndorsement } from '../../src/commands/request-endorsement.ts';
import { event } from '../../src/domain/events.ts';
import {
  MFA, closedWithdrawn, draft, endorsed, endorsementRequested, mfa, opened, signatory, when,
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
  t.throws(() => when(closeConsultation, after, { outcome: 'adopted', finalDraftVersion: 2 }), { code: 'ENDORSEMENTS_MISSING' });
  const asked = [...after, ...when(requestEndorsement, after, { draftVersion: 2, deadline: '2027-05-01T15:00:00Z' })];
  t.same(when(endorseDraft, asked, { stakeholderId: MFA, draftVersion: 2, signatory }), [
    event('DraftEndorsed', { stakeholderId: MFA, draftVersion: 2, signatory }),
  ]);
});
