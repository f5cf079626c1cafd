// Consultation routes through app.inject(): open, list, summary, drafts, deadlines, close, events.
import t from 'tap';
import { DRAFT_BODY, OPEN_BODY, openConsultation, startApi } from '../helpers/http.ts';

t.test('POST /consultations opens one: 201 with id, revision and Location; GET shows it', async (t) => {
  const api = await startApi(t);
  const res = await api.call({ url: '/consultations', body: OPEN_BODY });
  t.equal(res.statusCode, 201);
  const { id, revision } = res.json() as { id: string; revision: number };
  t.equal(revision, 0);
  t.equal(res.headers.location, `/consultations/${id}`);
  t.equal(res.headers.etag, '"0"');
  const one = await api.call({ url: `/consultations/${id}` });
  t.equal(one.statusCode, 200, 'the view reflects the command when its response is sent');
  t.match(one.json(), { id, title: OPEN_BODY.title, status: 'open', currentDraftVersion: null });
  const list = await api.call({ url: '/consultations' });
  t.same((list.json() as { consultations: { id: string }[] }).consultations.map((c) => c.id), [id]);
});

t.test('drafts: publish numbered versions, read one, 404 for a version that does not exist', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const v2 = await api.call({ url: `/consultations/${id}/drafts`, body: { ...DRAFT_BODY, note: 'after the first round' } });
  t.equal(v2.statusCode, 201);
  t.match(v2.json(), { version: 2, revision: 2 });
  const read = await api.call({ url: `/consultations/${id}/drafts/1` });
  t.equal(read.statusCode, 200);
  t.match(read.json(), { version: 1, sections: DRAFT_BODY.sections, note: null });
  t.equal((await api.call({ url: `/consultations/${id}/drafts` })).json().drafts.length, 2);
  const missing = await api.call({ url: `/consultations/${id}/drafts/9` });
  t.equal(missing.statusCode, 404);
  t.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(missing.json(), { status: 404, code: 'DRAFT_NOT_FOUND' });
});
