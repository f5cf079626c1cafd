// The runner applies the next batch while the previous one commits (runner.ts, doc-batch.ts): a
// view store whose commits take a while, and read their documents only when they run (as an
// adapter serialising on another thread or connection might), must still store exactly what each
// batch made, with that batch's checkpoint.
import t from 'tap';
import { z } from 'zod';
import { perConsultation, type Projection } from '../../src/projections/projection.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { projections } from '../../src/projections/index.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import type { CheckpointMove, ViewChange } from '../../src/views/view-store.ts';
import { writeConsultation } from '../../bench/history.ts';
import { seedConsultations } from '../helpers/consultation.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { documentsOf } from '../helpers/views.ts';

t.setTimeout(120_000);

type Teardown = { teardown(fn: () => unknown): void };
type Store = ConstructorParameters<typeof ProjectionRunner>[0]['store'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Commits that take `delayMs` and read their changes only then; optionally one that fails. */
class SlowViewStore extends MemoryViewStore {
  inFlight = 0;
  commits = 0;
  /** commits whose documents changed between the call and the moment they were stored */
  changedUnderCommit = 0;

  constructor(private readonly delayMs: number, private readonly failing: number | null = null) {
    super();
  }

  override async commitMany(moves: readonly CheckpointMove[], changes: readonly ViewChange[]): Promise<void> {
    const n = ++this.commits;
    const asCalled = JSON.stringify(changes);
    this.inFlight++;
    try {
      await sleep(this.delayMs);
      if (JSON.stringify(changes) !== asCalled) this.changedUnderCommit++;
      if (n === this.failing) throw new Error('disk I/O error');
      return await super.commitMany(moves, changes);
    } finally {
      this.inFlight--;
    }
  }
}

/** Counts each consultation's events, and how many it was given while a commit was under way. */
function watched(viewStore: SlowViewStore): { projection: Projection; overlapped: () => number } {
  let overlapped = 0;
  const counting = perConsultation<{ n: number }, { n: number }>({
    name: 'counter', version: 1, head: z.object({ n: z.number() }),
    open: () => ({ n: 1 }),
    apply(head) { head.n++; },
  }, (head) => head);
  const projection: Projection = {
    ...counting,
    async apply(docs, e) {
      if (viewStore.inFlight > 0) overlapped++;
      await counting.apply(docs, e);
    },
  };
  return { projection, overlapped: () => overlapped };
}

async function history(t: Teardown): Promise<Store> {
  const { store } = tempStore(t);
  await seedConsultations(store);
  await writeConsultation(store, { stakeholders: 5, comments: 300 }); // one consultation touched by every batch
  return store;
}

async function referenceDocs(t: Teardown, store: Store, list: readonly Projection[]) {
  const clean = new MemoryViewStore();
  await runnerOn(t, store, clean, list).then((r) => r.caughtUp());
  return documentsOf(clean, list);
}

async function runnerOn(t: Teardown, store: Store, viewStore: MemoryViewStore, list: readonly Projection[]) {
  const runner = new ProjectionRunner({ store, projections: list, viewStore, batchSize: 25 });
  t.teardown(() => runner.stop());
  await runner.start();
  return runner;
}

t.test('the next batch is applied while the previous one commits; each commit stores exactly what its batch made', async (t) => {
  const store = await history(t);
  const slow = new SlowViewStore(15);
  const { projection, overlapped } = watched(slow);
  const list = [...projections, projection];
  const runner = await runnerOn(t, store, slow, list);
  await runner.caughtUp();
  t.ok(overlapped() > 0, `events were applied while a commit was under way (${overlapped()})`);
  t.ok(slow.commits > 10, `in many commits (${slow.commits})`);
  t.equal(slow.changedUnderCommit, 0, 'no commit’s documents changed between its call and its end');
  t.same(await documentsOf(slow, list), await referenceDocs(t, store, list), 'the same documents as a run that commits at once');
});

t.test('a commit that fails while the next batch is applied: the runner resumes from the checkpoints, nothing applied twice', async (t) => {
  const store = await history(t);
  const flaky = new SlowViewStore(15, 4);
  const { projection, overlapped } = watched(flaky);
  const list = [...projections, projection];
  const runner = await runnerOn(t, store, flaky, list);
  await runner.caughtUp();
  t.ok(overlapped() > 0, 'the failed commit was under way while the next batch was applied');
  t.ok(flaky.commits > 4, 'it committed again after the failure');
  t.same(await documentsOf(flaky, list), await referenceDocs(t, store, list), 'the same documents as a run without the failure');
});
