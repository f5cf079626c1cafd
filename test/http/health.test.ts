// Liveness and readiness through app.inject(): store reachability and the projections' state.
import t from 'tap';
import { pino } from 'pino';
import { DamageRegistry } from '../../src/audit/damage.ts';
import { buildApp } from '../../src/http/app.ts';
import { projections, type Projection } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { seedConsultations } from '../helpers/consultation.ts';
import { AUTH_SECRET, DRAFT_BODY, OPEN_BODY } from '../helpers/http.ts';
import { issueToken } from '../../src/auth/tokens.ts';

const logger = pino({ level: 'silent' });

t.test('healthz reports each projection live and not behind; readyz waits for the first catch-up', async (t) => {
  const { store } = tempStore(t);
  await seedConsultations(store);
  const runner = new ProjectionRunner({ store, projections });
  t.teardown(() => runner.stop());
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store }), damage: new DamageRegistry(), logger, storeKind: 'sqlite', authSecret: 'x'.repeat(32) });
  t.teardown(() => app.close());

  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(notReady.statusCode, 503, 'not ready before the views caught up');
  t.same(notReady.json(), { ready: false, store: { reachable: true, writable: true }, projectionsCaughtUp: false });

  await runner.start();
  await runner.caughtUp();
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);

  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200);
  const body = health.json() as { projections: { state: string; behind: number; eventsApplied: number }[] };
  t.same(body.projections.map((p) => [p.state, p.behind, p.eventsApplied]), projections.map(() => ['live', 0, 24]));
  t.same((body as { damaged?: unknown }).damaged, [], 'no damaged consultation');

  // after more writes, once the runner has applied them, nothing is behind again
  await seedConsultations(store);
  await runner.waitFor(await store.headPosition());
  const after = (await app.inject({ method: 'GET', url: '/healthz' })).json() as { projections: { behind: number; eventsApplied: number }[] };
  t.same(after.projections.map((p) => [p.behind, p.eventsApplied]), projections.map(() => [0, 48]));
});

t.test('an unreachable store makes both checks answer 503', async (t) => {
  const { store } = tempStore(t);
  const runner = new ProjectionRunner({ store, projections });
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store }), damage: new DamageRegistry(), logger, storeKind: 'sqlite', authSecret: 'x'.repeat(32) });
  t.teardown(() => app.close());
  await store.close();
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 503);
  t.match(health.json(), { status: 'unavailable', store: { kind: 'sqlite', reachable: false } });
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
});

t.test('a failed projection: /healthz names it, /readyz is 503, and a command answers 503 PROJECTION_FAILED', async (t) => {
  const { store } = tempStore(t);
  const broken: Projection = { name: 'broken', version: 1, collections: [], async apply(_docs, e) { if (e.type === 'DraftPublished') throw new Error('boom'); } };
  const runner = new ProjectionRunner({ store, projections: [...projections, broken] });
  t.teardown(() => runner.stop());
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store }), damage: new DamageRegistry(), logger, storeKind: 'sqlite', authSecret: AUTH_SECRET });
  t.teardown(() => app.close());
  await runner.start();
  await runner.caughtUp();
  const token = await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'c' });
  const call = (method: 'GET' | 'POST', url: string, body?: unknown) => app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });
  const opened = await call('POST', '/consultations', OPEN_BODY);
  t.equal(opened.statusCode, 201);
  const draft = await call('POST', `/consultations/${opened.json().id}/drafts`, DRAFT_BODY);
  t.equal(draft.statusCode, 503);
  t.equal(draft.json().code, 'PROJECTION_FAILED');
  t.equal(draft.headers['retry-after'], '30', 'a 503 says when to retry');
  const health = (await app.inject({ method: 'GET', url: '/healthz' })).json() as { projections: { name: string; state: string; failure: string | null }[] };
  t.match(health.projections.find((p) => p.name === 'broken'), { state: 'failed', failure: /broken at consultation-.*@1 \(DraftPublished\): boom/ });
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 503);
});
