// The projection runner on a damaged history: it checks each consultation's hash chain as it
// applies events (each event hashed once for all projections). A link that does not hold, or an
// unreadable event, marks that consultation damaged and its events are skipped from there; no
// projection fails, readiness holds, and every other consultation's views are complete and live.
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { DamageRegistry } from '../../src/audit/damage.ts';
import { eventHash } from '../../src/audit/hash-chain.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { drafts, projections } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store.ts';
import type { EventStore, JsonObject } from '../../src/store/port.ts';
import { startTestEventStoreDB } from '../esdb/test-server.ts';
import { comment, invite, openWithDraft, seedConsultations } from '../helpers/consultation.ts';
import { ESDB_TAMPERINGS, TAMPERINGS, expectedDamage, tamperEsdb, tamperSqlite } from '../helpers/tamper.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { viewRevision } from '../helpers/views.ts';

t.setTimeout(120_000);

type Teardown = { teardown(fn: () => unknown): void };

function runnerOn(t: Teardown, store: EventStore, damage: DamageRegistry, viewStore?: MemoryViewStore, list = projections) {
  const runner = new ProjectionRunner({ store, projections: list, damage, ...(viewStore ? { viewStore } : {}) });
  t.teardown(() => runner.stop());
  return runner;
}

/** The revision each consultation's drafts view has reached (null: none). */
async function revisions(runner: ProjectionRunner, ids: readonly string[]): Promise<Record<string, number | null>> {
  return Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await viewRevision(runner, drafts, id)])));
}

async function expectIsolated(t: Test, runner: ProjectionRunner, damage: DamageRegistry, ids: string[], damagedId: string, expected: { revision: number; reason: string | RegExp }) {
  t.match(damage.list(), [{ consultationId: damagedId, streamName: streamNameFor(damagedId), ...expected, detectedBy: 'projections' }], 'the consultation is marked damaged');
  t.same(runner.status().map((s) => [s.state, s.failure]), projections.map(() => ['live', null]), 'no projection failed; all are live');
  const reached = await revisions(runner, ids);
  for (const id of ids.filter((i) => i !== damagedId)) t.equal(reached[id], 7, 'another consultation is complete');
  t.equal(reached[damagedId], expected.revision - 1, 'the damaged one stops before the damage: nothing altered is shown');
}

for (const kind of TAMPERINGS) {
  t.test(`sqlite, ${kind}: that consultation is marked and skipped from there, the others are complete`, async (t) => {
    const { store, file } = tempStore(t);
    const ids = await seedConsultations(store);
    tamperSqlite(file, streamNameFor(ids[1]!), 4, kind);
    const damage = new DamageRegistry();
    const runner = runnerOn(t, store, damage);
    await runner.start();
    await runner.caughtUp();
    t.equal(runner.caughtUpOnce, true, 'ready');
    await expectIsolated(t, runner, damage, ids, ids[1]!, expectedDamage(kind, 4));
  });
}

for (const kind of ESDB_TAMPERINGS) {
  t.test(`EventStoreDB protocol, ${kind}: that consultation is marked and skipped from there, the others are complete`, async (t) => {
    const server = await startTestEventStoreDB();
    t.teardown(() => server.stop());
    const store = await EsdbEventStore.open({ url: server.url });
    t.teardown(() => store.close());
    const ids = await seedConsultations(store);
    await tamperEsdb(server, store, streamNameFor(ids[1]!), 4, kind);
    const damage = new DamageRegistry();
    const runner = runnerOn(t, store, damage);
    await runner.start();
    await runner.caughtUp();
    await expectIsolated(t, runner, damage, ids, ids[1]!, expectedDamage(kind, 4));
  });
}

t.test('each event\'s link is checked once, however many projections apply it', async (t) => {
  const { store } = tempStore(t);
  await seedConsultations(store);
  const runner = runnerOn(t, store, new DamageRegistry());
  await runner.start();
  await runner.caughtUp();
  t.equal(projections.length, 7, 'held-replies is the seventh');
  t.same(runner.status().map((s) => s.eventsApplied), projections.map(() => 24));
  t.equal(runner.chain.checked, 24, '24 events, 24 checks');
});

t.test('live: an unreadable event is skipped and marked, and a command on another consultation is answered at once', async (t) => {
  const { store, file } = tempStore(t);
  const handler = new CommandHandler({ store });
  const damaged = await openWithDraft(handler);
  const healthy = await openWithDraft(handler);
  const sid = await invite(handler, healthy, 'Peace Institute');
  const damage = new DamageRegistry();
  const runner = runnerOn(t, store, damage);
  await runner.start();
  await runner.caughtUp();

  // another connection writes the next event of one consultation as bytes nobody can read
  const raw = new Database(file);
  raw.prepare('INSERT INTO events (stream, revision, event_id, type, data, metadata, created) VALUES (?, 2, ?, ?, ?, ?, ?)')
    .run(streamNameFor(damaged), randomUUID(), 'StakeholderInvited', '{"organisation": "Wom', '{}', new Date().toISOString());
  raw.close();
  const result = await comment(handler, healthy, sid, 'Heard despite the damage next door');
  await runner.waitFor(result.position, 30_000);
  t.match(damage.get(damaged), { revision: 2, reason: /^data is not valid JSON: /, detectedBy: 'projections' });
  const reached = await revisions(runner, [damaged, healthy]);
  t.same([reached[damaged], reached[healthy]], [1, 3]);
  t.same(runner.status().map((s) => s.failure), projections.map(() => null));
});

t.test('a consultation marked by someone else is skipped from its damaged revision', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const damage = new DamageRegistry();
  damage.mark(id, { streamName: streamNameFor(id), revision: 1, reason: 'found by the verifier', detectedBy: 'verifier' });
  const runner = runnerOn(t, store, damage);
  await runner.start();
  await runner.caughtUp();
  t.equal(await viewRevision(runner, drafts, id), 0, 'applied up to the revision before');
});

t.test('a runner resumed from a stored position checks a stream it meets midway from the store: no false alarm, and damage before the resume point is found', async (t) => {
  const { store, file } = tempStore(t);
  const viewStore = new MemoryViewStore();
  const ids = await seedConsultations(store);
  const first = runnerOn(t, store, new DamageRegistry(), viewStore, [drafts]);
  await first.start();
  await first.caughtUp();
  await first.stop();

  // while it is stopped: one consultation goes on normally, another is altered behind its back and
  // then extended by a writer that does not check (its new event chains correctly onto the last one)
  const handler = new CommandHandler({ store });
  await invite(handler, ids[0]!, 'Late Joiners Network');
  const altered = streamNameFor(ids[2]!);
  const [last] = await store.readStream(altered, { fromRevision: 7 });
  const metadata = { commandId: randomUUID(), commandHash: 'x', actor: { role: 'system', id: 'unchecked' }, recordedAt: new Date().toISOString(), prevHash: String(last!.metadata.hash) };
  const data: JsonObject = {};
  await store.append(altered, [{ id: randomUUID(), type: 'NoteAdded', data, metadata: { ...metadata, hash: eventHash({ streamName: altered, revision: 8, type: 'NoteAdded', data, metadata }) } }], 7);
  tamperSqlite(file, altered, 2, 'a changed actor');

  const damage = new DamageRegistry();
  const resumed = runnerOn(t, store, damage, viewStore, [drafts]);
  await resumed.start();
  await resumed.caughtUp();
  t.match(damage.list(), [{ consultationId: ids[2], revision: 2, detectedBy: 'projections' }], 'only the altered consultation is damaged');
  const reached = await revisions(resumed, ids);
  t.same([reached[ids[0]!], reached[ids[2]!]], [8, 7], 'the healthy one moved on; the altered one\'s new event was not applied');
});
