// ROLE=workers' own /healthz (src/http/workers-health.ts), through inject(): 200 with the mail
// section while the store answers (Redis down included), 503 when the store does not.
import t from 'tap';
import { buildWorkersHealthServer } from '../../src/http/workers-health.ts';

const live = { redis: { reachable: false }, relay: { state: 'catching-up', failure: null, position: null, behind: 12 }, worker: { running: true } };

t.test('the store answers: 200, the mail section as the mail system tells it (Redis down is still live)', async (t) => {
  const app = await buildWorkersHealthServer({ store: { ping: async () => undefined }, storeKind: 'sqlite', mailHealth: async () => live });
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok', role: 'workers', store: { kind: 'sqlite', reachable: true }, mail: live });
  t.equal((await app.inject({ url: '/consultations' })).statusCode, 404, 'no API');
});

t.test('the store does not answer: 503; a mail system that throws reads as Redis unreachable', async (t) => {
  const app = await buildWorkersHealthServer({
    store: { ping: async () => { throw new Error('disk gone'); } }, storeKind: 'sqlite', mailHealth: async () => { throw new Error('no'); },
  });
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/healthz' });
  t.equal(res.statusCode, 503);
  t.same(res.json(), { status: 'unavailable', role: 'workers', store: { kind: 'sqlite', reachable: false }, mail: { redis: { reachable: false }, relay: null, worker: null } });
});
