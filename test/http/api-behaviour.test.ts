// Behaviour every route shares: validation, malformed bodies, size limits, idempotency keys,
// If-Match, ETags, pagination of the history, and 5xx answers that leak nothing.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { DRAFT_BODY, OPEN_BODY, openConsultation, startApi } from '../helpers/http.ts';

t.test('a bad body is a 400 problem naming every bad field; nothing is appended', async (t) => {
  const api = await startApi(t);
  const res = await api.call({ url: '/consultations', body: { ...OPEN_BODY, title: '', timeZone: 'Mars/Olympus', languages: 'en' } });
  t.equal(res.statusCode, 400);
  t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
  const body = res.json() as { code: string; errors: { path: string }[] };
  t.equal(body.code, 'INVALID_INPUT');
  t.strictSame(body.errors.map((e) => e.path).sort(), ['body.languages', 'body.timeZone', 'body.title']);
  t.strictSame((await api.call({ url: '/consultations' })).json().consultations, []);
  const badTime = await api.call({ url: `/consultations/${await openConsultation(api)}/drafts`, body: { ...DRAFT_BODY, commentDeadline: '2099-06-30T17:00:00' } });
  t.equal(badTime.statusCode, 400, 'a time without an offset is refused');
  t.strictSame(badTime.json().errors.map((e: { path: string }) => e.path), ['body.commentDeadline']);
});

t.test('malformed JSON is 400, an oversized body 413, an unknown route 404, a bad id 400', async (t) => {
  const api = await startApi(t, { bodyLimit: 2048 });
  const malformed = await api.call({ url: '/consultations', payload: '{"title": ', headers: { 'content-type': 'application/json' } });
  t.equal(malformed.statusCode, 400);
  t.equal(malformed.json().code, 'MALFORMED_JSON');
  const big = await api.call({ url: '/consultations', body: { ...OPEN_BODY, summary: 'x'.repeat(4000) } });
  t.equal(big.statusCode, 413);
  t.equal(big.json().code, 'BODY_TOO_LARGE');
  const route = await api.call({ url: '/nowhere' });
  t.equal(route.statusCode, 404);
  t.equal(route.json().code, 'ROUTE_NOT_FOUND');
  const badId = await api.call({ url: '/consultations/not-a-uuid' });
  t.equal(badId.statusCode, 400);
  t.strictSame(badId.json().errors.map((e: { path: string }) => e.path), ['params.id']);
});

t.test('an unknown consultation is 404, for reads and for commands', async (t) => {
  const api = await startApi(t);
  const id = randomUUID();
  t.equal((await api.call({ url: `/consultations/${id}` })).json().code, 'CONSULTATION_NOT_FOUND');
  const cmd = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY });
  t.equal(cmd.statusCode, 404);
  t.equal(cmd.json().code, 'CONSULTATION_NOT_FOUND');
  t.equal((await api.call({ url: `/consultations/${id}/events` })).statusCode, 404);
  t.equal((await api.call({ url: `/consultations/${id}/events?from=3` })).statusCode, 404, 'from any revision');
});

t.test('Idempotency-Key: a retried POST returns the first result and never opens a second consultation', async (t) => {
  const api = await startApi(t);
  const headers = { 'idempotency-key': 'open-nap3-2027' };
  const first = await api.call({ url: '/consultations', body: OPEN_BODY, headers });
  const again = await api.call({ url: '/consultations', body: OPEN_BODY, headers });
  t.equal(first.statusCode, 201);
  t.equal(again.statusCode, 201);
  t.strictSame(again.json(), first.json());
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal((await api.call({ url: '/consultations' })).json().consultations.length, 1);
  const other = await api.call({ url: '/consultations', body: { ...OPEN_BODY, title: 'Another plan' }, headers });
  t.equal(other.statusCode, 422, 'the same key with a different body');
  t.equal(other.json().code, 'COMMAND_ID_REUSED');
  const id = (first.json() as { id: string }).id;
  const draftKey = { 'idempotency-key': 'draft-1' };
  const d1 = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY, headers: draftKey });
  const d2 = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY, headers: draftKey });
  t.strictSame(d2.json(), d1.json());
  t.equal((await api.call({ url: `/consultations/${id}/events` })).json().events.length, 2, 'one draft, not two');
  await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY });
  const d3 = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY, headers: { ...draftKey, 'if-match': '"0"' } });
  t.equal(d3.statusCode, 201, 'a retry after others wrote, with its original If-Match, still gets its first result');
  t.strictSame(d3.json(), { version: 1, revision: 1 });
  t.equal((await api.call({ url: '/consultations', body: OPEN_BODY, headers: { 'idempotency-key': 'bad key with spaces' } })).statusCode, 400);
});

t.test('If-Match: the current revision passes, a stale one is 412 and appends nothing', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const stale = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY, headers: { 'if-match': '"0"' } });
  t.equal(stale.statusCode, 412);
  t.match(stale.json(), { code: 'REVISION_MISMATCH' });
  const current = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY, headers: { 'if-match': '"1"' } });
  t.equal(current.statusCode, 201);
  t.equal(current.headers.etag, '"2"');
  t.equal((await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY, headers: { 'if-match': 'yesterday' } })).statusCode, 400);
});

t.test('reads carry an ETag; If-None-Match with it answers 304 until the consultation changes', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const first = await api.call({ url: `/consultations/${id}` });
  const etag = first.headers.etag as string;
  t.match(etag, /^W\/"\d+"$/);
  const cached = await api.call({ url: `/consultations/${id}`, headers: { 'if-none-match': etag } });
  t.equal(cached.statusCode, 304);
  t.equal((await api.call({ method: 'HEAD', url: `/consultations/${id}`, headers: { 'if-none-match': etag } })).statusCode, 304, 'HEAD too');
  t.equal(cached.body, '');
  await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY });
  const changed = await api.call({ url: `/consultations/${id}`, headers: { 'if-none-match': etag } });
  t.equal(changed.statusCode, 200);
  t.not(changed.headers.etag, etag);
});

t.test('the raw history pages by revision and carries each event\'s hash chain', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  for (let i = 0; i < 3; i++) await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY });
  const page1 = (await api.call({ url: `/consultations/${id}/events?limit=2`, as: 'auditor' })).json();
  t.strictSame(page1.events.map((e: { revision: number }) => e.revision), [0, 1]);
  t.equal(page1.next, 2);
  const page2 = (await api.call({ url: `/consultations/${id}/events?from=2&limit=10`, as: 'auditor' })).json();
  t.strictSame(page2.events.map((e: { revision: number }) => e.revision), [2, 3, 4]);
  t.equal(page2.next, null);
  t.equal(page2.events[0].prevHash, page1.events[1].hash, 'each event chains to the one before');
  t.match(page1.events[0], { type: 'ConsultationOpened', prevHash: '0'.repeat(64), hash: /^[0-9a-f]{64}$/ });
  t.equal((await api.call({ url: `/consultations/${id}/events?limit=5000` })).statusCode, 400);
});

t.test('a failure inside answers 5xx without leaking internals', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  await api.store.close();
  const res = await api.call({ url: `/consultations/${id}/events` });
  t.equal(res.statusCode, 500);
  t.strictSame(Object.keys(res.json()).sort(), ['code', 'instance', 'status', 'title', 'type']);
  t.equal(res.json().title, 'internal error');
  t.notMatch(res.body, /sqlite|closed|at .*\.ts/i);
});
