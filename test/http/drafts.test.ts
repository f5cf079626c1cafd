// Drafts in every language of the consultation, over HTTP: publish a bilingual draft, read it in
// all its languages and in one (`?lang=`), and the refusals.
import t from 'tap';
import { startApi, withoutLocalTimes } from '../helpers/http.ts';

const NL_EN = { title: 'Vierde Nationaal Actieplan 1325', leadOrganisation: 'Ministerie van Buitenlandse Zaken', languages: ['nl', 'en'], timeZone: 'Europe/Amsterdam' };
const DEADLINE = '2099-03-06T17:00:00+01:00';
const BILINGUAL = {
  sections: [
    { key: 'inleiding', heading: 'Inleiding', text: 'Waarom een vierde plan.', translations: { en: { heading: 'Introduction', text: 'Why a fourth plan.' } } },
    { key: 'deelname', heading: 'Deelname', text: 'Vrouwen aan de vredestafel.' },
  ],
  commentDeadline: DEADLINE,
};

async function setUp(t: Parameters<typeof startApi>[0]) {
  const api = await startApi(t);
  const id = (await api.call({ url: '/consultations', body: NL_EN })).json().id as string;
  return { api, id };
}

t.test('a bilingual draft: every section in Dutch, each with its English translation or null, and what is missing', async (t) => {
  const { api, id } = await setUp(t);
  const published = await api.call({ url: `/consultations/${id}/drafts`, body: BILINGUAL });
  t.equal(published.statusCode, 201, published.body);
  const res = await api.call({ url: `/consultations/${id}/drafts/1`, as: 'auditor' });
  t.equal(res.statusCode, 200);
  const draft = withoutLocalTimes(res.json());
  t.strictSame(draft.languages, ['nl', 'en']);
  t.strictSame(draft.sections, [
    { key: 'inleiding', heading: 'Inleiding', text: 'Waarom een vierde plan.', translations: { en: { heading: 'Introduction', text: 'Why a fourth plan.' } }, missing: [] },
    { key: 'deelname', heading: 'Deelname', text: 'Vrouwen aan de vredestafel.', translations: { en: null }, missing: ['en'] },
  ]);
  const list = (await api.call({ url: `/consultations/${id}/drafts` })).json();
  t.strictSame(list.languages, ['nl', 'en']);
  t.strictSame(list.drafts[0].sections, res.json().sections, 'the list shows the same sections');
});

t.test('?lang= one language: the translation, or null with missing: true, never the other language\'s text', async (t) => {
  const { api, id } = await setUp(t);
  await api.call({ url: `/consultations/${id}/drafts`, body: BILINGUAL });
  const en = await api.call({ url: `/consultations/${id}/drafts/1?lang=en` });
  t.equal(en.statusCode, 200);
  t.equal(en.json().language, 'en');
  t.strictSame(en.json().sections, [
    { key: 'inleiding', heading: 'Introduction', text: 'Why a fourth plan.', missing: false },
    { key: 'deelname', heading: null, text: null, missing: true },
  ]);
  t.equal(en.json().commentDeadlineLocal, '2099-03-06T17:00:00+01:00');
  const nl = (await api.call({ url: `/consultations/${id}/drafts/1?lang=nl` })).json();
  t.strictSame(nl.sections.map((s: { heading: string; missing: boolean }) => [s.heading, s.missing]), [['Inleiding', false], ['Deelname', false]], 'the first language is complete');
  t.not(en.headers.etag, (await api.call({ url: `/consultations/${id}/drafts/1` })).headers.etag, 'each representation its own ETag');

  const pl = await api.call({ url: `/consultations/${id}/drafts/1?lang=pl` });
  t.equal(pl.statusCode, 404);
  t.equal(pl.json().code, 'LANGUAGE_NOT_FOUND');
  t.strictSame(pl.json().details, { languages: ['nl', 'en'] });
  const bad = await api.call({ url: `/consultations/${id}/drafts/1?lang=Dutch!` });
  t.equal(bad.statusCode, 400);
  t.strictSame(bad.json().errors.map((e: { path: string }) => e.path), ['querystring.lang']);
});

t.test('translations only into the consultation\'s other languages: 422 with a code that says which, nothing appended', async (t) => {
  const { api, id } = await setUp(t);
  const intoFirst = await api.call({ url: `/consultations/${id}/drafts`, body: { ...BILINGUAL, sections: [{ key: 'a', heading: 'Kop', text: '', translations: { nl: { heading: 'Kop', text: '' } } }] } });
  t.equal(intoFirst.statusCode, 422);
  t.equal(intoFirst.json().code, 'TRANSLATION_IN_FIRST_LANGUAGE');
  t.strictSame(intoFirst.json().details, { firstLanguage: 'nl', sections: ['a'] });
  const undeclared = await api.call({ url: `/consultations/${id}/drafts`, body: { ...BILINGUAL, sections: [{ key: 'a', heading: 'Kop', text: '', translations: { fy: { heading: 'Kop', text: '' } } }] } });
  t.equal(undeclared.statusCode, 422);
  t.equal(undeclared.json().code, 'TRANSLATION_LANGUAGE_NOT_OFFERED');
  t.strictSame(undeclared.json().details, { languages: ['nl', 'en'], translations: [{ sectionKey: 'a', language: 'fy' }] });
  t.equal((await api.call({ url: `/consultations/${id}/drafts` })).json().drafts.length, 0);
  const strict = await api.call({ url: `/consultations/${id}/drafts`, body: { ...BILINGUAL, sections: [{ key: 'a', heading: 'Kop', text: '', translations: { en: { heading: 'H', text: '', summary: 'x' } } }] } });
  t.equal(strict.statusCode, 400, 'a translation is a strict object too');
});
