// The relay as a durable consumer of the log: its first start on a store with history begins at the
// head (it never e-mails the past); restarted, it resumes from its checkpoint and sends nothing
// twice; while Redis is down the API goes on taking commands and the views go on, the relay keeps
// its checkpoint and catches up when Redis returns, nothing missing, nothing twice.
import { Redis } from 'ioredis';
import t from 'tap';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import { jobSpec, DEFAULT_JOB_POLICY } from '../../src/workers/jobs.ts';
import { BullJobQueue, mailQueue } from '../../src/workers/queue.ts';
import { inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { REDIS_URL, quietFor, startMail, testPrefix, until } from '../helpers/mail-system.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

t.setTimeout(180_000);

const invitee = (organisation: string) => {
  const email = `${organisation.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.org`;
  return { email, body: { organisation, kind: 'civil-society', language: 'en', endorser: false, contact: { name: 'Focal point', email } } };
};

t.test('first start at the head, then restarted from its checkpoint: the past is not e-mailed, nothing is sent twice', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const before = invitee('Invited before the relay');
  await inviteThroughApi(api, id, before.body);

  const viewStore = new MemoryViewStore(); // where the relay keeps its checkpoint across the restart
  const first = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore });
  await first.system.relayRunner!.caughtUp();
  const b = invitee('Invited while it runs');
  await inviteThroughApi(api, id, b.body);
  await until('b\'s invitation', async () => (await first.records(id)).length === 1);
  await first.system.stop();

  const c = invitee('Invited while it is stopped');
  await inviteThroughApi(api, id, c.body);
  const second = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore, prefix: first.prefix, sink: first.sink });
  await until('c\'s invitation', async () => (await second.records(id)).length === 2);
  await quietFor(1_000);

  const to = first.sink.received.map((r) => r.rcptTo.join(','));
  t.same(to.sort(), [b.email, c.email].sort(), 'b and c once each; nobody invited before the relay first ran');
  t.equal((await second.records(id)).length, 2);
});

t.test('the queue ignores a job it holds already: a batch tried again adds nothing twice', async (t) => {
  const prefix = testPrefix(t);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const queue = mailQueue(connection, prefix);
  t.teardown(async () => {
    await queue.close();
    await connection.quit();
  });
  await queue.waitUntilReady();
  const jobs = new BullJobQueue(queue, connection, DEFAULT_JOB_POLICY);
  const spec = jobSpec({ kind: 'invitation', consultationId: '0d5e8f3a-1c2b-4a6d-9e7f-8a9b0c1d2e3f', stakeholderId: '5c0f3a2e-0001-4000-8000-00000000c501', contactId: '7e0b1b9c-7c1a-5d6e-8f00-0000000000a1', revision: 3 }, 60_000);
  await jobs.add([spec]);
  await jobs.add([spec, spec]);
  t.same(await queue.getJobCounts('delayed', 'waiting'), { delayed: 1, waiting: 0 }, 'one job');
  t.notMatch(spec.id, /:/, 'no colon in a job id');
  await jobs.remove([spec.id, 'no-such-job']);
  t.same(await queue.getJobCounts('delayed'), { delayed: 0 }, 'removed; an id it does not hold is ignored');
});

t.test('Redis down: commands and views go on, /healthz-style health says so, the relay catches up when it returns', async (t) => {
  const proxy = await startTcpProxy(t, { host: '127.0.0.1', port: 6379 });
  const api = await startApi(t);
  const mail = await startMail(t, {
    store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, redisUrl: `redis://127.0.0.1:${proxy.port}`,
  });
  const id = await openConsultation(api);
  const a = invitee('Before the outage');
  await inviteThroughApi(api, id, a.body);
  await until('a\'s invitation', async () => (await mail.records(id)).length === 1);

  proxy.down();
  await until('Redis seen down', async () => !(await mail.system.health()).redis.reachable);
  const during = [invitee('During the outage one'), invitee('During the outage two')];
  for (const x of during) await inviteThroughApi(api, id, x.body); // 201: the API takes commands
  const listed = (await api.call({ url: `/consultations/${id}/stakeholders` })).json() as { stakeholders: { organisation: string }[] };
  t.same(listed.stakeholders.map((s) => s.organisation), [a.body.organisation, ...during.map((x) => x.body.organisation)], 'the views go on');
  await quietFor(1_500);
  const health = await mail.system.health();
  t.equal(health.redis.reachable, false);
  t.ok((health.relay?.behind ?? 0) > 0, 'the relay is behind, its checkpoint before what it could not queue');
  t.equal(mail.sink.received.length, 1, 'nothing sent meanwhile');

  proxy.up();
  await until('both invitations after the outage', async () => (await mail.records(id)).length === 3, 30_000);
  await quietFor(1_000);
  const to = mail.sink.received.map((r) => r.rcptTo.join(',')).sort();
  t.same(to, [a.email, ...during.map((x) => x.email)].sort(), 'every one once');
  t.equal((await mail.system.health()).relay?.behind, 0, 'caught up');
});
