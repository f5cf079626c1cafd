// The projection runner over real stores: one pass feeding every projection, catch-up then live,
// read-your-writes, rebuild from zero equals the live run, a restart resumes from the checkpoint
// (counting what is applied again), a new version builds while the others skip, a failed commit
// applies nothing, a failing reducer stops only its projection, and one writer among several
// runners sharing a view store (SQLite file, PostgreSQL) with the others following.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { z } from 'zod';
import { CommandHandler } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store.ts';
import type { EventStore } from '../../src/store/port.ts';
import { drafts, projections } from '../../src/projections/index.ts';
import { collection, perConsultation, type Projection } from '../../src/projections/projection.ts';
import { ProjectionRunner, ProjectionTimeoutError } from '../../src/projections/runner.ts';
import { projectionsRebuild } from '../../src/cli/projections-rebuild.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import { PostgresViewStore } from '../../src/views/postgres-view-store.ts';
import { SqliteViewStore } from '../../src/views/sqlite-view-store.ts';
import type { CheckpointMove, ViewChange, ViewStore } from '../../src/views/view-store.ts';
import { writeConsultation } from '../../bench/history.ts';
import { startTestEventStoreDB } from '../esdb/test-server.ts';
import { COORDINATOR, comment, invite, openWithDraft, seedConsultations } from '../helpers/consultation.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';
import { documentsOf, viewRevision } from '../helpers/views.ts';

t.setTimeout(180_000);

type Teardown = { teardown(fn: () => unknown): void };

function runnerOn(t: Teardown, store: EventStore, options: { viewStore?: ViewStore; list?: readonly Projection[]; batchSize?: number } = {}) {
  const runner = new ProjectionRunner({
    store, projections: options.list ?? projections,
    ...(options.viewStore ? { viewStore: options.viewStore } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  t.teardown(() => runner.stop());
  return runner;
}

/** Counts the events of each consultation it applied: a projection small enough to reason about. */
function counter(version = 1, name = 'counter') {
  return perConsultation<{ n: number }, { n: number }>({
    name, version, head: z.object({ n: z.number() }),
    open: () => ({ n: 1 }),
    apply(head) { head.n++; },
  }, (head) => head);
}

const applied = (runner: ProjectionRunner, name: string) => runner.status().find((s) => s.name === name)!.eventsApplied;

async function eventually(condition: () => boolean | Promise<boolean>, what: string, waitMs = 20_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${waitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

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
    const count = counter();
    const runner = runnerOn(t, store, { list: [count, drafts] });
    await runner.start();
    await runner.caughtUp();
    t.equal(runner.caughtUpOnce, true);
    t.equal(runner.isWriter, true);
    for (const id of ids) t.equal((await count.read(runner.reader(count), id))?.view.n, 8, 'every event of each consultation, once');

    const sid = await invite(handler, ids[0]!, 'Late Joiners Network');
    const result = await comment(handler, ids[0]!, sid, 'A live comment');
    await runner.waitFor(result.position);
    t.equal((await count.read(runner.reader(count), ids[0]!))?.view.n, 10, 'the view reflects the command as soon as waitFor resolves');
    t.equal(await viewRevision(runner, drafts, ids[0]!), 9);
    t.same(runner.status().map((s) => s.state), ['live', 'live']);
    t.same((await runner.lag()).map((l) => l.behind), [0, 0], 'no projection is behind the store');
  });

  t.test(`${kind}: rebuilding from zero gives the same documents as the live run, whatever the batch size`, async (t) => {
    const store = await open(t);
    const liveViews = new MemoryViewStore();
    const live = runnerOn(t, store, { viewStore: liveViews });
    await live.start();
    await live.caughtUp();
    const ids = await seedConsultations(store);
    const handler = new CommandHandler({ store });
    const last = await handler.execute(commands.closeConsultation, {
      consultationId: ids[1]!, commandId: randomUUID(), actor: COORDINATOR, input: { outcome: 'withdrawn', note: 'merged' },
    });
    await live.waitFor(last.position);
    for (const batchSize of [1, 7, 5000]) {
      const rebuiltViews = new MemoryViewStore();
      const rebuilt = runnerOn(t, store, { viewStore: rebuiltViews, batchSize });
      await rebuilt.start();
      await rebuilt.caughtUp();
      t.same(await documentsOf(rebuiltViews, projections), await documentsOf(liveViews, projections), `batches of ${batchSize}`);
    }
  });
}

t.test('waitFor times out with a clear error when the views cannot reach the position', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const runner = runnerOn(t, store, { list: [drafts] });
  await runner.start();
  await runner.caughtUp();
  await runner.stop();
  const result = await openWithDraft(handler).then((id) => handler.load(id)).then(() => store.headPosition());
  await t.rejects(runner.waitFor(result, 200), ProjectionTimeoutError);
  await t.resolves(runner.waitFor(null, 10), 'nothing to wait for');
});

t.test('a restart on the SQLite view store resumes from the checkpoint; a new version builds from the start in the same pass', async (t) => {
  const { store } = tempStore(t);
  const file = path.join(tempDir(t), 'views.sqlite');
  const ids = await seedConsultations(store);
  const v1 = counter(1);
  {
    const viewStore = new SqliteViewStore({ file });
    const first = runnerOn(t, store, { viewStore, list: [v1, drafts] });
    await first.start();
    await first.caughtUp();
    t.equal(applied(first, 'counter'), 24);
    await first.stop();
    await viewStore.close();
  }
  const handler = new CommandHandler({ store });
  const sid = await invite(handler, ids[0]!, 'Late Joiners Network');
  await comment(handler, ids[0]!, sid, 'After the restart');

  const viewStore = new SqliteViewStore({ file });
  t.teardown(() => viewStore.close());
  const v2 = counter(2);
  const resumed = runnerOn(t, store, { viewStore, list: [v1, drafts, v2] });
  await resumed.start();
  await resumed.caughtUp();
  t.same(resumed.status().map((s) => [s.name, s.version, s.eventsApplied]), [['counter', 1, 2], ['drafts', 3, 2], ['counter', 2, 26]],
    'v1 and drafts applied only the two events after their checkpoint; v2 all 26, in the same pass');
  t.equal((await v1.read(resumed.reader(v1), ids[0]!))?.view.n, 10);
  t.equal((await v2.read(resumed.reader(v2), ids[0]!))?.view.n, 10, 'the new version holds the same counts');
});

t.test('a commit that fails applies nothing: the runner resumes from the checkpoint and ends with the same documents', async (t) => {
  const { store } = tempStore(t);
  await seedConsultations(store);
  const clean = new MemoryViewStore();
  const reference = runnerOn(t, store, { viewStore: clean, batchSize: 5 });
  await reference.start();
  await reference.caughtUp();

  const flaky = new MemoryViewStore();
  let commits = 0;
  const commitMany = flaky.commitMany.bind(flaky);
  flaky.commitMany = async (moves: readonly CheckpointMove[], changes: readonly ViewChange[]) => {
    if (++commits === 3) throw new Error('disk I/O error');
    return commitMany(moves, changes);
  };
  const retried = runnerOn(t, store, { viewStore: flaky, batchSize: 5 });
  await retried.start();
  await retried.caughtUp();
  t.ok(commits > 3, 'it committed again after the failure');
  t.same(await documentsOf(flaky, projections), await documentsOf(clean, projections), 'the same documents as a run without the failure');
});

t.test('a reducer that throws stops only its projection, says where, fails waiters at once; the others go on', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const broken: Projection = {
    name: 'broken', version: 1, collections: [],
    async apply(_docs, e) { if (e.type === 'StakeholderInvited') throw new Error('cannot read this event'); },
  };
  const count = counter();
  const runner = runnerOn(t, store, { list: [count, broken] });
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
  const [ok, failed] = runner.status();
  t.equal(failed!.state, 'failed');
  t.equal(ok!.state, 'live', 'the other projection goes on');
  await eventually(async () => (await count.read(runner.reader(count), id))?.view.n === 3, 'the counter to see the invitation');
});

t.test('two runners on one SQLite view file: one writes, the other follows, reads and waits on the shared checkpoint, then takes over', async (t) => {
  const { store } = tempStore(t);
  const file = path.join(tempDir(t), 'views.sqlite');
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const count = counter();
  const a = new SqliteViewStore({ file, leaseTtlMs: 1000 });
  const b = new SqliteViewStore({ file, leaseTtlMs: 1000 });
  t.teardown(() => a.close());
  t.teardown(() => b.close());
  const writer = runnerOn(t, store, { viewStore: a, list: [count] });
  await writer.start();
  await writer.caughtUp();
  const follower = runnerOn(t, store, { viewStore: b, list: [count] });
  await follower.start();
  await follower.caughtUp();
  t.equal(writer.isWriter, true);
  t.equal(follower.isWriter, false, 'the second runner does not write');
  t.equal(follower.status()[0]!.state, 'following');

  const sid = await invite(handler, id, 'Peace Institute');
  const result = await comment(handler, id, sid, 'Read back on the other replica');
  await follower.waitFor(result.position, 10_000);
  t.equal((await count.read(follower.reader(count), id))?.view.n, 4, 'the follower reads what the writer committed as soon as its wait resolves');
  t.equal(applied(follower, 'counter'), 0, 'it applied nothing itself');

  await writer.stop();
  await eventually(() => follower.isWriter, 'the follower to take over');
  const later = await comment(handler, id, sid, 'After the takeover');
  await follower.waitFor(later.position, 10_000);
  t.equal((await count.read(follower.reader(count), id))?.view.n, 5, 'the new writer resumed from the shared checkpoint');
  t.equal(applied(follower, 'counter'), 1, 'only the event after the checkpoint');
});

t.test('two runners on one PostgreSQL view store: never both write; the other follows and takes over', async (t) => {
  const url = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const schema = `runner_test_${randomUUID().slice(0, 8)}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  t.teardown(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${admin.escapeIdentifier(schema)} CASCADE`);
    await admin.end();
  });
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const count = counter();
  const a = await PostgresViewStore.open({ connectionString: url, schema, pollIntervalMs: 50 });
  const b = await PostgresViewStore.open({ connectionString: url, schema, pollIntervalMs: 50 });
  t.teardown(() => a.close());
  t.teardown(() => b.close());
  const first = runnerOn(t, store, { viewStore: a, list: [count, drafts] });
  const second = runnerOn(t, store, { viewStore: b, list: [count, drafts] });
  await Promise.all([first.start(), second.start()]);
  await Promise.all([first.caughtUp(), second.caughtUp()]);
  t.equal([first.isWriter, second.isWriter].filter(Boolean).length, 1, 'exactly one writes');
  const [writer, follower] = first.isWriter ? [first, second] : [second, first];

  const sid = await invite(handler, id, 'Peace Institute');
  for (let i = 0; i < 5; i++) {
    const result = await comment(handler, id, sid, `Comment ${i}`);
    await follower.waitFor(result.position, 10_000);
    t.equal((await count.read(follower.reader(count), id))?.view.n, 4 + i, `read back on the follower at once (${i})`);
    t.equal([first.isWriter, second.isWriter].filter(Boolean).length, 1, 'still one writer');
  }
  await writer.stop();
  await eventually(() => follower.isWriter, 'the follower to take over');
  const later = await comment(handler, id, sid, 'After the takeover');
  await follower.waitFor(later.position, 10_000);
  t.equal((await count.read(follower.reader(count), id))?.view.n, 9);
});

t.test('a rebuild beside the live generation: every read meanwhile is answered, the server switches, the old generation is dropped', async (t) => {
  const { store } = tempStore(t);
  const file = path.join(tempDir(t), 'views.sqlite');
  const handler = new CommandHandler({ store });
  const ids = await seedConsultations(store);
  const count = counter();
  const serving = new SqliteViewStore({ file });
  t.teardown(() => serving.close());
  const server = runnerOn(t, store, { viewStore: serving, list: [count, drafts] });
  await server.start();
  await server.caughtUp();
  t.same(server.status().map((s) => s.generation), ['counter@1', 'drafts@3']);

  let reads = 0;
  const missed: string[] = [];
  let reading = true;
  const reader = (async () => {
    while (reading) {
      for (const id of ids) {
        const n = (await count.read(server.reader(count), id))?.view.n;
        reads++;
        if (n === undefined || n < 8) missed.push(`${id}: ${String(n)}`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  const rebuilding = new SqliteViewStore({ file });
  t.teardown(() => rebuilding.close());
  const lines: string[] = [];
  t.equal(await projectionsRebuild(store, rebuilding, [count], (line) => lines.push(line)), 0);
  t.match(lines.join('\n'), /building generation 1 of counter v1 beside the live one[\s\S]*counter v1: 24 events in [\d.]+ s[\s\S]*switched to generation 1/);
  t.match(lines.join('\n'), /counter@1: a server still writes it; it drops it after switching/);

  await eventually(() => server.status()[0]!.generation === 'counter@1.1', 'the server to switch to the new generation');
  t.equal(server.status()[1]!.generation, 'drafts@3', 'the other projection was not rebuilt');
  const sid = await invite(handler, ids[0]!, 'Late Joiners Network');
  await server.waitFor((await comment(handler, ids[0]!, sid, 'After the switch')).position);
  t.equal((await count.read(server.reader(count), ids[0]!))?.view.n, 10, 'the server writes the new generation from where the rebuild stopped');
  reading = false;
  await reader;
  t.ok(reads > 0, `${reads} reads while rebuilding and switching`);
  t.same(missed, [], 'every read was answered with a complete view');
  await eventually(async () => (await serving.count('counter@1')) === 0, 'the old generation to be dropped', 15_000);
  t.equal(await serving.checkpoint('counter@1'), null, 'with its checkpoint');
});

t.test('a new version builds beside the old one: reads serve the old documents marked stale, and the runner is not caught up until it has built', async (t) => {
  const { store } = tempStore(t);
  const file = path.join(tempDir(t), 'views.sqlite');
  const ids = await seedConsultations(store);
  const viewStore = new SqliteViewStore({ file });
  t.teardown(() => viewStore.close());
  const v1 = counter(1);
  const old = runnerOn(t, store, { viewStore, list: [v1] });
  await old.start();
  await old.caughtUp();
  await old.stop();

  let open!: () => void;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const base = counter(2);
  const v2: typeof base = { ...base, async apply(docs, e) { await gate; return base.apply(docs, e); } };
  const deployed = runnerOn(t, store, { viewStore, list: [v2] });
  await deployed.start();
  await eventually(() => deployed.isWriter, 'the new version to start building');
  const meanwhile = await v2.read(deployed.reader(v2), ids[0]!);
  t.same(meanwhile, { view: { n: 8 }, lastRevision: 7, stale: true }, 'the previous version\'s document, marked stale');
  t.equal(deployed.caughtUpOnce, false, 'not caught up: commands are refused with VIEWS_REBUILDING meanwhile');
  open();
  await deployed.caughtUp();
  t.same(await v2.read(deployed.reader(v2), ids[0]!), { view: { n: 8 }, lastRevision: 7, stale: false }, 'its own documents once built');
  t.equal(deployed.status()[0]!.eventsApplied, 24);
});

t.test('a view store whose checkpoint is past the end of the event store (restored older events) is rebuilt from the events', async (t) => {
  const dir = tempDir(t);
  const viewFile = path.join(dir, 'views.sqlite');
  const count = counter();
  const newer = tempStore(t).store;
  await seedConsultations(newer);
  {
    const viewStore = new SqliteViewStore({ file: viewFile });
    const runner = runnerOn(t, newer, { viewStore, list: [count] });
    await runner.start();
    await runner.caughtUp();
    await runner.stop();
    await viewStore.close();
  }
  const older = tempStore(t).store; // "restored from an older backup": fewer events
  const handler = new CommandHandler({ store: older });
  const id = await openWithDraft(handler);
  const viewStore = new SqliteViewStore({ file: viewFile });
  t.teardown(() => viewStore.close());
  const runner = runnerOn(t, older, { viewStore, list: [count] });
  await runner.start();
  await runner.caughtUp();
  t.equal(runner.status()[0]!.eventsApplied, 2, 'built again from the two events there are');
  t.equal((await count.read(runner.reader(count), id))?.view.n, 2);
  await invite(handler, id, 'Peace Institute');
  await eventually(async () => (await count.read(runner.reader(count), id))?.view.n === 3, 'a new event to be applied, not skipped');
});

t.test('a consumer that starts at the head: on its first start it skips the past, then gets every new event at least once, in order, resuming from its checkpoint', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const ids = await seedConsultations(store);
  const file = path.join(tempDir(t), 'views.sqlite');
  const seen: string[] = [];
  const relay: Projection = {
    name: 'relay', version: 1, collections: [], startAt: 'head',
    async apply(_docs, e) { seen.push(`${e.streamName}@${e.revision}`); },
  };
  const viewStore = new SqliteViewStore({ file });
  t.teardown(() => viewStore.close());
  {
    const first = runnerOn(t, store, { viewStore, list: [relay] });
    await first.start();
    await first.caughtUp();
    t.same(seen, [], 'nothing of the 24 events before its first start');
    const sid = await invite(handler, ids[0]!, 'Late Joiners Network');
    await first.waitFor((await comment(handler, ids[0]!, sid, 'Heard')).position);
    t.same(seen, [`consultation-${ids[0]}@8`, `consultation-${ids[0]}@9`], 'the new events, in order');
    await first.stop();
  }
  await comment(handler, ids[1]!, (await invite(handler, ids[1]!, 'While the relay was down')), 'Also heard');
  const second = runnerOn(t, store, { viewStore, list: [relay] });
  await second.start();
  await second.caughtUp();
  t.same(seen.slice(2), [`consultation-${ids[1]}@8`, `consultation-${ids[1]}@9`], 'a restart resumes from its checkpoint, not from the head');
});

t.test('catching up, then live: the view store is told, batches are large until the subscription caught up and small after', async (t) => {
  const { store } = tempStore(t);
  const events = await writeConsultation(store, { stakeholders: 5, comments: 2_400 }); // 3,207 events
  const calls: string[] = [];
  const batches: number[] = [];
  class Watching extends MemoryViewStore {
    async catchingUp(on: boolean): Promise<void> { calls.push(on ? 'catching up' : 'live'); }
    override async commitMany(moves: readonly CheckpointMove[], changes: readonly ViewChange[]): Promise<void> {
      calls.push('commit');
      batches.push(changes.length);
      return super.commitMany(moves, changes);
    }
  }
  // one document per event: a commit's changes are its batch's events
  const Seen = collection('seen', z.object({}));
  const perEvent: Projection = { name: 'per-event', version: 1, collections: [Seen], async apply(docs, e) { docs.put(Seen, `${e.streamName}/${e.revision}`, {}); } };
  const viewStore = new Watching();
  const runner = runnerOn(t, store, { viewStore, list: [perEvent] });
  await runner.start();
  await runner.caughtUp();
  t.equal(calls[0], 'catching up', 'told before the first commit');
  t.same(batches, [events], `the ${events} events in one batch (at most 10,000 while catching up)`);
  t.same(calls.slice(1), ['commit', 'live'], 'told it is live once caught up, before readiness');
  // live: as many events in one append, which the subscription delivers at once
  await writeConsultation(store, { stakeholders: 5, comments: 2_400 }, randomUUID(), events);
  await eventually(() => batches.reduce((a, b) => a + b, 0) === 2 * events, 'the live events committed');
  t.same(batches.slice(1), [2000, events - 2000], 'live: batches of at most 2,000 events');
  t.equal(calls.filter((c) => c === 'live').length, 1, 'live events do not say it again');
});
