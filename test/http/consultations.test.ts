// Consultation routes through app.inject(): open, list, summary, drafts, deadlines, close, events.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { DRAFT_BODY, OPEN_BODY, eventCount, inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';

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

t.test('POST /deadlines: extends for everyone or one stakeholder; later only; errors as problems', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: 'Peace Institute', kind: 'academia', contact: { name: 'A', email: 'a@pi.example' }, language: 'en' });
  const all = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-07-31T17:00:00+03:00', reason: 'Summer holidays' } });
  t.equal(all.statusCode, 200);
  t.strictSame(all.json(), { revision: 3 });
  t.equal((await api.call({ url: `/consultations/${id}` })).json().commentDeadline, '2099-07-31T17:00:00+03:00');
  const own = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-08-31T17:00:00Z', reason: 'Late board meeting', stakeholderId: sid } });
  t.equal(own.statusCode, 200);
  t.equal((await api.call({ url: `/consultations/${id}` })).json().commentDeadline, '2099-07-31T17:00:00+03:00', 'one stakeholder\'s extension leaves everyone else\'s');
  const earlier = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-07-01T00:00:00Z', reason: 'x' } });
  t.equal(earlier.statusCode, 422);
  t.equal(earlier.json().code, 'DEADLINE_NOT_LATER');
  const noRequest = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'endorsement', deadline: '2099-09-01T00:00:00Z', reason: 'x' } });
  t.equal(noRequest.statusCode, 409);
  t.equal(noRequest.json().code, 'NO_ENDORSEMENT_REQUEST');
  const bad = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'review', deadline: 'tomorrow' } });
  t.equal(bad.statusCode, 400);
  t.strictSame(bad.json().errors.map((e: { path: string }) => e.path).sort(), ['body.deadline', 'body.phase', 'body.reason']);
  t.equal((await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' }, as: 'auditor' })).statusCode, 403);
  t.equal((await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' }, as: null })).statusCode, 401);
  t.equal((await api.call({ url: `/consultations/${randomUUID()}/deadlines`, body: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' } })).statusCode, 404);
  t.equal((await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' }, headers: { 'if-match': '"1"' } })).statusCode, 412);
  t.equal(await eventCount(api, id), 5, 'nothing appended by the refused requests');
});

t.test('POST /close: withdrawn closes; adopted needs every endorsement; then nothing changes it; list filters by status', async (t) => {
  const api = await startApi(t);
  const a = await openConsultation(api);
  const b = await openConsultation(api);
  await inviteThroughApi(api, b, { organisation: 'Ministry of Justice', kind: 'ministry', contact: { name: 'J', email: 'j@justice.example' }, language: 'en', endorser: true });
  const missing = await api.call({ url: `/consultations/${b}/close`, body: { outcome: 'adopted', finalDraftVersion: 1 } });
  t.equal(missing.statusCode, 409);
  t.strictSame(missing.json().details, { missing: [{ stakeholderId: missing.json().details.missing[0].stakeholderId, organisation: 'Ministry of Justice' }] });
  const noVersion = await api.call({ url: `/consultations/${b}/close`, body: { outcome: 'adopted' } });
  t.equal(noVersion.statusCode, 400);
  t.strictSame(noVersion.json().errors.map((e: { path: string }) => e.path), ['body.finalDraftVersion']);
  t.equal((await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn' }, as: 'auditor' })).statusCode, 403);
  t.equal((await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn' }, as: null })).statusCode, 401);
  t.equal((await api.call({ url: `/consultations/${randomUUID()}/close`, body: { outcome: 'withdrawn' } })).statusCode, 404);
  t.equal((await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn' }, headers: { 'if-match': '"0"' } })).statusCode, 412);
  const headers = { 'idempotency-key': 'withdraw-a' };
  const closed = await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn', note: 'Merged into the national strategy' }, headers });
  t.equal(closed.statusCode, 200);
  t.strictSame((await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn', note: 'Merged into the national strategy' }, headers })).json(), closed.json(), 'a retry gets the first result');
  const again = await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn' } });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'CONSULTATION_CLOSED');
  const list = (status: string) => api.call({ url: `/consultations?status=${status}` }).then((r) => (r.json() as { consultations: { id: string }[] }).consultations.map((c) => c.id));
  t.strictSame(await list('closed'), [a]);
  t.strictSame(await list('open'), [b]);
  t.equal((await api.call({ url: '/consultations?status=archived' })).statusCode, 400);
});

t.test('GET /consultations lists them in the order they were opened (not by id), each with its counts', async (t) => {
  const api = await startApi(t);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push(await openConsultation(api));
  await inviteThroughApi(api, ids[3]!, { organisation: 'Peace Institute', kind: 'academia', contact: { name: 'A', email: 'a@pi.example' }, language: 'en', endorser: true });
  const list = (await api.call({ url: '/consultations' })).json() as { consultations: { id: string; currentDraftVersion: number; counts: { invited: number; endorsementsRequired: number } }[] };
  t.strictSame(list.consultations.map((c) => c.id), ids);
  t.strictSame(list.consultations.map((c) => [c.currentDraftVersion, c.counts.invited, c.counts.endorsementsRequired]), [[1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 1, 1], [1, 0, 0]]);
  const one = (await api.call({ url: `/consultations/${ids[3]}` })).json();
  t.strictSame(one, list.consultations[3], 'the summary is the list\'s entry');
  t.equal((await api.call({ url: `/consultations/${randomUUID()}` })).statusCode, 404);
});
