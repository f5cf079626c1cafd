// The drafts view: given these events, then these draft versions, in every language.
import t from 'tap';
import { event } from '../../src/domain/events.ts';
import { draftInLanguage, drafts, type DraftsEntry } from '../../src/projections/drafts.ts';
import { CSO, draft, opened } from '../helpers/domain-spec.ts';
import { assertPlainJson, at, recorded, viewAfter, type Command } from './fixtures/recorded.ts';

function draftsAfter(commands: Command[]): Promise<DraftsEntry> {
  return viewAfter(drafts, recorded(commands));
}

/** opened on en (first), nl and fy */
const trilingual = event('ConsultationOpened', { ...(opened.data as typeof opened.data & object), languages: ['en', 'nl', 'fy'], timeZone: 'Europe/Amsterdam' });

const bilingualDraft = event('DraftPublished', {
  version: 1,
  sections: [
    { key: 'intro', heading: 'Introduction', text: 'Why a fourth plan.', translations: { nl: { heading: 'Inleiding', text: 'Waarom een vierde plan.' }, fy: { heading: 'Ynlieding', text: 'Wêrom in fjirde plan.' } } },
    { key: 'pillar-1', heading: 'Participation', text: 'Women in peace talks.', translations: { nl: { heading: 'Deelname', text: 'Vrouwen aan de vredestafel.' } } },
    { key: 'annex', heading: 'Annex', text: 'Budget table.' },
  ],
  commentDeadline: '2027-04-01T17:00:00+02:00',
});

t.test('given DraftPublished twice, then both versions with their sections, deadline and publication time', async (t) => {
  const view = await draftsAfter([opened, draft(1, '2027-04-01T17:00:00+03:00', ['s1']), draft(2, '2027-05-01T17:00:00+03:00', ['s1', 's2'])]);
  const untranslated = (key: string, v: number) => ({ key, heading: `Heading ${key}`, text: `Text of ${key} in v${v}`, translations: { ro: null }, missing: ['ro'] });
  t.strictSame(view, {
    languages: ['en', 'ro'],
    drafts: [
      { version: 1, sections: [untranslated('s1', 1)], commentDeadline: '2027-04-01T17:00:00+03:00', note: null, publishedAt: at(1) },
      { version: 2, sections: [untranslated('s1', 2), untranslated('s2', 2)], commentDeadline: '2027-05-01T17:00:00+03:00', note: null, publishedAt: at(2) },
    ],
  });
});

t.test('given a comment deadline extended for everyone, then the draft shows it; one stakeholder\'s extension does not', async (t) => {
  const extended = event('DeadlineExtended', { phase: 'comments', draftVersion: 1, deadline: '2027-04-15T17:00:00Z', previousDeadline: '2027-04-01T14:00:00Z', reason: 'Holidays' });
  const own = event('DeadlineExtended', { phase: 'comments', draftVersion: 1, deadline: '2027-05-15T17:00:00Z', previousDeadline: '2027-04-15T17:00:00Z', reason: 'Late', stakeholderId: CSO });
  const view = await draftsAfter([opened, draft(1), extended, own]);
  t.equal(view.drafts[0]!.commentDeadline, '2027-04-15T17:00:00Z');
});

t.test('given a draft translated in part, then every section has each other language\'s translation or null, and what it is missing', async (t) => {
  const view = await draftsAfter([trilingual, bilingualDraft]);
  assertPlainJson(t, view);
  t.strictSame(view.languages, ['en', 'nl', 'fy']);
  t.strictSame(view.drafts[0]!.sections, [
    {
      key: 'intro', heading: 'Introduction', text: 'Why a fourth plan.',
      translations: { nl: { heading: 'Inleiding', text: 'Waarom een vierde plan.' }, fy: { heading: 'Ynlieding', text: 'Wêrom in fjirde plan.' } },
      missing: [],
    },
    { key: 'pillar-1', heading: 'Participation', text: 'Women in peace talks.', translations: { nl: { heading: 'Deelname', text: 'Vrouwen aan de vredestafel.' }, fy: null }, missing: ['fy'] },
    { key: 'annex', heading: 'Annex', text: 'Budget table.', translations: { nl: null, fy: null }, missing: ['nl', 'fy'] },
  ]);
});

t.test('given a consultation in one language, then no section is missing anything', async (t) => {
  const view = await draftsAfter([event('ConsultationOpened', { ...(opened.data as typeof opened.data & object), languages: ['en'] }), draft(1)]);
  t.strictSame(view.drafts[0]!.sections.map((s) => [s.translations, s.missing]), [[{}, []], [{}, []]]);
});

t.test('one draft in one language: the first language\'s own text, or the translation, null and missing where there is none (never another language\'s)', async (t) => {
  const view = await draftsAfter([trilingual, bilingualDraft]);
  const d = view.drafts[0]!;
  const en = draftInLanguage(d, view.languages, 'en');
  t.equal(en.language, 'en');
  t.strictSame(en.languages, ['en', 'nl', 'fy']);
  t.equal(en.commentDeadline, '2027-04-01T17:00:00+02:00');
  t.strictSame(en.sections.map((s) => [s.key, s.heading, s.missing]), [['intro', 'Introduction', false], ['pillar-1', 'Participation', false], ['annex', 'Annex', false]]);
  const fy = draftInLanguage(d, view.languages, 'fy');
  t.strictSame(fy.sections, [
    { key: 'intro', heading: 'Ynlieding', text: 'Wêrom in fjirde plan.', missing: false },
    { key: 'pillar-1', heading: null, text: null, missing: true },
    { key: 'annex', heading: null, text: null, missing: true },
  ]);
  t.notOk('translations' in fy.sections[0]!, 'one language only');
});

t.test('a DraftPublished stored before drafts had languages (no translations) replays: every other language is missing', async (t) => {
  // recorded() stores the event as JSON: no `translations` field at all
  const view = await draftsAfter([trilingual, draft(1, '2027-04-01T17:00:00+02:00', ['s1'])]);
  t.strictSame(view.drafts[0]!.sections, [{ key: 's1', heading: 'Heading s1', text: 'Text of s1 in v1', translations: { nl: null, fy: null }, missing: ['nl', 'fy'] }]);
});
