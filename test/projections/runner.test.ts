// The projection runner over real stores: catch-up then live, read-your-writes, rebuild from zero
// equals the live run, start-up over an existing database, version change replays from the start.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CommandHandler } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import type { EventStore } from '../../src/store/port.ts';
import { ProjectionRunner, ProjectionTimeoutError } from '../../src/projections/runner.ts';
import { InMemoryViewStore } from '../../src/projections/view-store.ts';
import { projections, consultationsList, listConsultations, type Projection } from '../../src/projections/index.ts';
import { startTestEventStoreDB } from '../esdb/test-server.ts';
import { COORDINATOR, comment, invite, openWithDraft, seedConsultations } from '../helpers/consultation.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

t.setTimeout(120_000);

type Teardown = { teardown(fn: () => unknown): void };

function runnerOn(t: Teardown, store: EventStore, options: { viewStore?: InMemoryViewStore; list?: readonly Projection<unknown>[] } = {}) {
  const runner = new ProjectionRunner({ store, projections: options.list ?? projections, ...(options.viewStore ? { viewStore: options.viewStore } : {}) });
  t.teardown(() => runner.stop());
  return runner;
}

const allViews = (runner: ProjectionRunner) => projections.map((p) => runner.view(p));

for (const kind of ['sqlite', 'eventstoredb'] as const) {
  const open = async (t: Teardown): Promise<EventStore> => {
    if (kind === 'sqlite') return tempStore(t).store;
    const server = await startTestEventStoreDB();
    t.teardown(() => server.stop());
    const store = await EsdbEventStore.open({ url: server.url });
    t.teardown(() => store.close());
    return store;
  };

  t.test(`${kind}: catches up on the history, then follows live; a command's response can wait for its position`, async (t) => {
    const store = await open(t);
    const handler = new CommandHandler({ store });
    const ids = await seedConsultations(store);
    const runner = runnerOn(t, store);
    await runner.start();
    await runner.caughtUp();
    t.equal(runner.caughtUpOnce, true);
    t.same(listConsultations(runner.view(consultationsList)).map((c) => c.id).sort(), [...ids].sort());

    const sid = await invite(handler, ids[0]!, 'Late Joiners Network');
    const result = await comment(handler, ids[0]!, sid, 'A live comment');
    await runner.waitFor(result.position);
    const summary = listConsultations(runner.view(consultationsList)).find((c) => c.id === ids[0])!;
    t.equal(summary.counts.commentsReceived, 6, 'the view reflects the command as soon as waitFor resolves');
    t.same(runner.status().map((s) => s.state), projections.map(() => 'live'));
    t.same((await runner.lag()).map((l) => l.behind), projections.map(() => 0), 'no projection is behind the store');
  });

  t.test(`${kind}: rebuilding from zero gives the same views as the live run`, async (t) => {
    const store = await open(t);
    const live = runnerOn(t, store);
    await live.start();
    await live.caughtUp();
    const ids = await seedConsultations(store);
    const handler = new CommandHandler({ store });
    const last = await handler.execute(commands.closeConsultation, {
      consultationId: ids[1]!, commandId: randomUUID(), actor: COORDINATOR, input: { outcome: 'withdrawn', note: 'merged' },
    });
    await live.waitFor(last.position);
    const rebuilt = runnerOn(t, store);
    await rebuilt.start();
    await rebuilt.caughtUp();
    await rebuilt.waitFor(last.position);
    t.same(allViews(rebuilt), allViews(live));
  });
}

t.test('waitFor times out with a clear error when the views cannot reach the position', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const runner = runnerOn(t, store);
  await runner.start();
  await runner.caughtUp();
  await runner.stop();
  const result = await openWithDraft(handler).then((id) => handler.load(id)).then(() => store.headPosition());
  await t.rejects(runner.waitFor(result, 200), ProjectionTimeoutError);
  await t.resolves(runner.waitFor(null, 10), 'nothing to wait for');
});

t.test('start-up over an existing database builds the same views', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.sqlite');
  const first = new SqliteEventStore({ file });
  await seedConsultations(first);
  const before = runnerOn(t, first);
  await before.start();
  await before.caughtUp();
  const views = allViews(before);
  await before.stop();
  await first.close();

  const reopened = new SqliteEventStore({ file });
  t.teardown(() => reopened.close());
  const after = runnerOn(t, reopened);
  await after.start();
  await after.caughtUp();
  t.same(allViews(after), views);
});

t.test('a stored view resumes from its position; a new version replays from the start', async (t) => {
  const { store } = tempStore(t);
  const viewStore = new InMemoryViewStore();
  await seedConsultations(store);
  const v1 = runnerOn(t, store, { viewStore, list: [consultationsList] });
  await v1.start();
  await v1.caughtUp();
  t.equal(v1.status()[0]!.eventsApplied, 24);
  await v1.stop();

  const handler = new CommandHandler({ store });
  await openWithDraft(handler);
  const resumed = runnerOn(t, store, { viewStore, list: [consultationsList] });
  await resumed.start();
  await resumed.caughtUp();
  t.equal(resumed.status()[0]!.eventsApplied, 2, 'only the events after the stored position');
  t.equal(listConsultations(resumed.view(consultationsList)).length, 4);

  const v2 = { ...consultationsList, version: consultationsList.version + 1 };
  const replayed = runnerOn(t, store, { viewStore, list: [v2] });
  await replayed.start();
  await replayed.caughtUp();
  t.equal(replayed.status()[0]!.eventsApplied, 26, 'a changed version replays everything');
});

t.test('a reducer that throws stops its projection at that event, says where, fails waiters at once; the others go on', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const broken: Projection<number> = {
    name: 'broken', version: 1, initial: () => 0,
    apply: (n, e) => { if (e.type === 'StakeholderInvited') throw new Error('cannot read this event'); return n + 1; },
  };
  const runner = runnerOn(t, store, { list: [consultationsList, broken as Projection<unknown>] });
  await runner.start();
  await runner.caughtUp();
  const id = await openWithDraft(handler);
  const invited = await handler.execute(commands.inviteStakeholder, {
    consultationId: id, commandId: randomUUID(), actor: COORDINATOR,
    input: { organisation: 'Peace Institute', kind: 'academia', contacts: [{ name: 'A', email: 'a@pi.example' }], language: 'en' },
  });
  const started = Date.now();
  await t.rejects(runner.waitFor(invited.position, 30_000), { code: 'PROJECTION_FAILED', message: new RegExp(`broken at consultation-${id}@2 \\(StakeholderInvited\\): cannot read this event`) });
  t.ok(Date.now() - started < 10_000, 'the wait fails as soon as the projection does, not at its timeout');
  const [list, failed] = runner.status();
  t.equal(failed!.state, 'failed');
  t.equal(failed!.eventsApplied, 2, 'stopped at the event before');
  t.equal(list!.state, 'live', 'the other projection goes on');
  t.equal(listConsultations(runner.view(consultationsList)).length, 1);
});
