// Liveness and readiness through app.inject(): store reachability and the projections' state.
import t from 'tap';
import { pino } from 'pino';
import { buildApp } from '../../src/http/app.ts';
import { projections } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { seedConsultations } from '../helpers/consultation.ts';

const logger = pino({ level: 'silent' });

t.test('healthz reports each projection live and not behind; readyz waits for the first catch-up', async (t) => {
  const { store } = tempStore(t);
  await seedConsultations(store);
  const runner = new ProjectionRunner({ store, projections });
  t.teardown(() => runner.stop());
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store }), logger, storeKind: 'sqlite', authSecret: 'x'.repeat(32) });
  t.teardown(() => app.close());

  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(notReady.statusCode, 503, 'not ready before the views caught up');
  t.same(notReady.json(), { ready: false, store: { reachable: true }, projectionsCaughtUp: false });

  await runner.start();
  await runner.caughtUp();
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);

  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200);
  const body = health.json() as { projections: { state: string; behind: number; eventsApplied: number }[] };
  t.same(body.projections.map((p) => [p.state, p.behind, p.eventsApplied]), projections.map(() => ['live', 0, 24]));

  // after more writes, once the runner has applied them, nothing is behind again
  await seedConsultations(store);
  await runner.waitFor(await store.headPosition());
  const after = (await app.inject({ method: 'GET', url: '/healthz' })).json() as { projections: { behind: number; eventsApplied: number }[] };
  t.same(after.projections.map((p) => [p.behind, p.eventsApplied]), projections.map(() => [0, 48]));
});

t.test('an unreachable store makes both checks answer 503', async (t) => {
  const { store } = tempStore(t);
  const runner = new ProjectionRunner({ store, projections });
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store }), logger, storeKind: 'sqlite', authSecret: 'x'.repeat(32) });
  t.teardown(() => app.close());
  await store.close();
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 503);
  t.match(health.json(), { status: 'unavailable', store: { kind: 'sqlite', reachable: false } });
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
});
