// The runner's pipelining (runner.ts: the next batch is applied while the previous one commits)
// where it can go wrong: a failed commit with nothing after it, backoff, a reducer failing on a
// later event, a consumer asking for a retry, stop(), and a rebuild's switch of generations, each
// while a commit is under way. A view store whose commits can be slowed and made to fail.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CommandHandler } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import type { CheckpointMove, ViewChange } from '../../src/views/view-store.ts';
import { COORDINATOR, openWithDraft, seedConsultations } from '../helpers/consultation.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { ConsumerRetryError, perConsultation, type Projection } from '../../src/projections/projection.ts';
import { documentsOf } from '../helpers/views.ts';
import { generationPointer, ProjectionRunner } from '../../src/projections/runner.ts';
import { writeConsultation } from '../../bench/history.ts';

t.setTimeout(60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counter() {
  return perConsultation<{ n: number }, { n: number }>({
    name: 'counter', version: 1, head: z.object({ n: z.number() }),
    open: () => ({ n: 1 }), apply(head) { head.n++; },
  }, (head) => head);
}

class ScriptedViewStore extends MemoryViewStore {
  commits = 0;
  inFlight = 0;
  failNext = 0;
  delayMs = 0;
  override async commitMany(moves: readonly CheckpointMove[], changes: readonly ViewChange[]): Promise<void> {
    this.commits++;
    this.inFlight++;
    try {
      if (this.delayMs) await sleep(this.delayMs);
      if (this.failNext > 0) { this.failNext--; throw new Error('SQLITE_BUSY: database is locked'); }
      return await super.commitMany(moves, changes);
    } finally {
      this.inFlight--;
    }
  }
}

t.test('live: a failed commit of the last batch is retried without waiting for another event', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const views = new ScriptedViewStore();
  const runner = new ProjectionRunner({ store, projections: [counter()], viewStore: views });
  t.teardown(() => runner.stop());
  await runner.start();
  await runner.caughtUp();
  const id = await openWithDraft(handler);
  await runner.waitFor(await store.headPosition({}), 5000);
  views.failNext = 1; // one transient failure, on the commit of the last batch
  const before = views.commits;
  const invited = await handler.execute(commands.inviteStakeholder, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR,
    input: { organisation: 'A', kind: 'academia', contacts: [{ name: 'A', email: 'a@a.example' }], language: 'en' } });
  const head = invited.position;
  t.teardown(() => t.comment(`commits since: ${views.commits - before}`));
  // nothing follows the failed commit: it must be retried without waiting for another event
  await t.resolves(runner.waitFor(head, 3000), 'the command’s position is committed after the retry');
});

t.test('a reducer failing on a later event must not fail the read-your-writes of an earlier, committing batch', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const views = new ScriptedViewStore();
  const seen = new Set<string>();
  const count = counter();
  const watching: Projection = { ...count, async apply(docs, e) { seen.add(`${e.streamName}@${e.revision}`); await count.apply(docs, e); } };
  const broken: Projection = {
    name: 'broken', version: 1, collections: [],
    async apply(_docs, e) { if (e.type === 'StakeholderInvited') throw new Error('cannot read this event'); },
  };
  const runner = new ProjectionRunner({ store, projections: [watching, broken], viewStore: views });
  t.teardown(() => runner.stop());
  await runner.start();
  await runner.caughtUp();
  const id = await openWithDraft(handler);
  await runner.waitFor(await store.headPosition({}), 5000);
  views.delayMs = 300;
  // command A: one event, applied, its batch committing (slowly)
  const a = await handler.execute(commands.openConsultation, { consultationId: randomUUID(), commandId: randomUUID(), actor: COORDINATOR,
    input: { title: 'A', leadOrganisation: 'Gender Office', languages: ['en'], timeZone: 'Europe/Bucharest' } });
  while (!(seen.has(`consultation-${a.consultationId}@${a.revision}`) && views.inFlight > 0)) await sleep(1);
  // command B, on another consultation: an event the 'broken' projection cannot apply
  await handler.execute(commands.inviteStakeholder, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR,
    input: { organisation: 'A', kind: 'academia', contacts: [{ name: 'A', email: 'a@a.example' }], language: 'en' } });
  await sleep(20); // B is applied (new code: during A's commit)
  // A's read-your-writes: A's batch commits with both projections' checkpoints
  await t.resolves(runner.waitFor(a.position, 5000), 'A’s position is committed; the failure is on a later event');
});

t.test('exponential backoff holds while commits keep failing', async (t) => {
  const { store } = tempStore(t);
  await seedConsultations(store);
  const views = new ScriptedViewStore();
  views.failNext = Number.MAX_SAFE_INTEGER;
  const runner = new ProjectionRunner({ store, projections: [counter()], viewStore: views, batchSize: 5 });
  t.teardown(() => runner.stop());
  await runner.start();
  await sleep(3000);
  // 100+200+400+800+1600 ms apart: about 5 or 6 attempts in 3 s; without backoff, about 25
  t.ok(views.commits <= 8, `commit attempts in 3 s: ${views.commits}`);
});


t.test('ConsumerRetryError in the batch applied while the previous commits (and with that commit failing too)', async (t) => {
  for (const failCommit of [false, true]) {
    const { store } = tempStore(t);
    await seedConsultations(store);
    await writeConsultation(store, { stakeholders: 5, comments: 200 });
    const count = counter();
    const ref = new MemoryViewStore();
    const r0 = new ProjectionRunner({ store, projections: [count], viewStore: ref, batchSize: 25 });
    t.teardown(() => r0.stop());
    await r0.start(); await r0.caughtUp();

    const views = new ScriptedViewStore();
    views.delayMs = 15;
    let calls = 0; let thrown = 0; let overlapped = 0;
    const relayish: Projection = { ...count, async apply(docs, e) {
      calls++;
      if (views.inFlight > 0) overlapped++;
      if (calls === 160 && thrown === 0) { thrown++; if (failCommit) views.failNext = 1; throw new ConsumerRetryError('queue down'); }
      await count.apply(docs, e);
    } };
    // failNext set while the previous commit sleeps: that commit fails as well
    const r = new ProjectionRunner({ store, projections: [relayish], viewStore: views, batchSize: 25 });
    t.teardown(() => r.stop());
    await r.start(); await r.caughtUp(30_000);
    t.ok(thrown === 1 && overlapped > 0, `thrown ${thrown}, overlapped ${overlapped}`);
    t.same(await documentsOf(views, [count]), await documentsOf(ref, [count]), `same docs (commit failing too: ${failCommit})`);
  }
});

t.test('stop() while a commit is in flight: no commit begins after stop()', async (t) => {
  const { store } = tempStore(t);
  await seedConsultations(store);
  await writeConsultation(store, { stakeholders: 5, comments: 200 });
  const views = new ScriptedViewStore();
  views.delayMs = 100;
  const r = new ProjectionRunner({ store, projections: [counter()], viewStore: views, batchSize: 25 });
  await r.start();
  while (views.commits < 3 || views.inFlight === 0) await sleep(1);
  const at = views.commits;
  await r.stop();
  t.equal(views.inFlight, 0, 'stop() waited for the commit under way');
  t.equal(views.commits, at, `commits begun after stop(): ${views.commits - at}`);
});


t.test('a rebuild switches generations while a batch commits and the next is applied: the new generation misses nothing', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const count = counter();
  const views = new ScriptedViewStore();
  const seen = new Set<string>();
  const watching: Projection = { ...count, async apply(docs, e) { seen.add(`${e.streamName}@${e.revision}`); await count.apply(docs, e); } };
  const live = new ProjectionRunner({ store, projections: [watching], viewStore: views, pointerPollMs: 10 });
  await live.start();
  const id = await openWithDraft(handler);
  await live.caughtUp();
  await live.waitFor(await store.headPosition({}), 5000);
  // `consult projections rebuild`: generation 1 built to the head, beside the live one (not switched yet)
  const rebuild = new ProjectionRunner({ store, projections: [count], viewStore: views, generation: '1' });
  await rebuild.start(); await rebuild.caughtUp(); await rebuild.stop();
  views.delayMs = 100;
  const cmd = (org: string) => handler.execute(commands.inviteStakeholder, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR,
    input: { organisation: org, kind: 'academia', contacts: [{ name: org, email: `${org}@x.example` }], language: 'en' } });
  const x = await cmd('x');
  while (!(seen.has(`consultation-${id}@${x.revision}`) && views.inFlight > 0)) await sleep(1);
  const y = await cmd('y'); // applied while x's batch commits
  while (!seen.has(`consultation-${id}@${y.revision}`)) await sleep(1);
  await views.setMeta(generationPointer(count), '1'); // the CLI switches; the server picks it up within 10 ms
  await sleep(1000);
  views.delayMs = 0;
  const z = await cmd('z');
  await live.waitFor(z.position, 5000);
  // the live runner now serves generation 1: the consultation's every event counted once
  const view = await count.read(live.reader(count), id);
  t.equal(view?.view.n, z.revision + 1, `events counted in the new generation: ${view?.view.n}, events in the stream: ${z.revision + 1}`);
  const reference = new MemoryViewStore();
  const r = new ProjectionRunner({ store, projections: [count], viewStore: reference });
  t.teardown(() => r.stop());
  await r.start(); await r.caughtUp();
  t.same((await count.read(r.reader(count), id))?.view, view?.view, 'the same as a clean build');
  const before = views.commits;
  await cmd('w');
  await sleep(500);
  t.equal(views.commits - before, 1, `one commit for one more event (two runs at once commit twice or conflict): ${views.commits - before}`);
  t.ok(await Promise.race([live.stop().then(() => true), sleep(3000).then(() => false)]), 'stop() returns');
});
