// Feeds every projection from ONE pass over the log: one catch-up subscription (batched: whatever
// has arrived is taken at once), each event decoded once and its hash-chain link checked once
// (chain-tracker.ts), then applied to every projection that has not passed it, each through its own
// write-back cache of documents (doc-batch.ts). A batch's documents and every projection's
// checkpoint are committed to the view store in ONE transaction, so a restart resumes from the
// checkpoint with nothing lost and nothing applied twice; a projection whose name or version has no
// checkpoint yet builds from the start while the others skip what they already hold.
//
// One writer per projection: the runner takes each projection's writer lease (in the same order in
// every process) before it writes. A runner that cannot get them (another API process holds them,
// sharing a PostgreSQL or SQLite view store) follows: it serves reads from the shared store, and a
// command's read-your-writes waits on the shared checkpoints; it takes over when the writer goes.
//
// A reducer that throws stops only its own projection (its batch is dropped, its checkpoint stays
// before the batch), names the event, and fails waiters as soon as the batch before it has committed. A consumer that throws
// ConsumerRetryError (the mail relay while Redis is down) is not stopped: the whole batch is tried
// again from the checkpoints with backoff, so such a consumer runs in a runner of its own. A consultation whose chain does not
// hold is marked damaged and its events from there are skipped; the others go on.
import type { Logger } from 'pino';
import { DamageRegistry } from '../audit/damage.ts';
import { decodeOnce } from '../domain/decode.ts';
import { consultationIdOf } from '../domain/stream-name.ts';
import { AppError } from '../errors/catalogue.ts';
import {
  CONSULTATION_STREAM_PREFIX, SubscriptionDroppedError,
  type EventStore, type Position, type RecordedEvent, type Subscription, type SubscriptionMessage, type SubscriptionStatus,
} from '../store/port.ts';
import { MemoryViewStore } from '../views/memory-view-store.ts';
import { normaliseChanges } from '../views/validate.ts';
import { CheckpointTimeoutError, type ViewChange, type ViewStore, type WriterLease } from '../views/view-store.ts';
import { storableChanges } from './storable.ts';
import { ChainTracker } from './chain-tracker.ts';
import { DocBatch, DocCache, docReader, projectionBase, storedCollection } from './doc-batch.ts';
import { ConsumerRetryError, type DocReader, type Projection, type ProjectionEvent } from './projection.ts';

export class ProjectionTimeoutError extends AppError {
  constructor(readonly waitedMs: number, readonly behind: string[]) {
    super('PROJECTION_TIMEOUT', `views did not reach the command's position within ${waitedMs} ms (behind: ${behind.join(', ')})`);
    this.name = 'ProjectionTimeoutError';
  }
}

export class ProjectionFailedError extends AppError {
  constructor(readonly failures: string[]) {
    super('PROJECTION_FAILED', `a view stopped on an event it could not apply: ${failures.join('; ')}`);
    this.name = 'ProjectionFailedError';
  }
}

export interface ProjectionStatus {
  name: string;
  version: number;
  /** failed: a reducer threw; the projection stopped before the batch holding that event (see `failure`). following: another process writes it */
  state: SubscriptionStatus['state'] | 'stopped' | 'failed' | 'following';
  failure: string | null;
  /** serialised position of the last event committed */
  position: string | null;
  caughtUpOnce: boolean;
  /** events applied by this process since start */
  eventsApplied: number;
  /** where its documents and checkpoint live: name@version, and .N for the Nth rebuild */
  generation: string;
}

export interface RunnerOptions {
  store: EventStore;
  projections: readonly Projection[];
  /** where documents and checkpoints live (default: in memory, for tests) */
  viewStore?: ViewStore;
  logger?: Logger;
  /** the process's damaged consultations (the runner marks what it finds there, and skips what is marked); default: its own */
  damage?: DamageRegistry;
  /** progress while catching up, at most once a second */
  progress?: (p: { eventsApplied: number; eventsPerSecond: number }) => void;
  /**
   * At most this many events per batch (one commit each). Default: 10,000 while catching up (fewer,
   * larger commits; nobody waits on each) and 2,000 once live (whatever has arrived, usually a few).
   */
  batchSize?: number;
  /**
   * Build into this generation of every projection instead of the one the view store points at
   * (`consult projections rebuild` builds beside the live one, then switches the pointer). Such a
   * runner does not follow the pointers.
   */
  generation?: string;
  /** how often the generation pointers are read, so a rebuild's switch is picked up (default 1000 ms) */
  pointerPollMs?: number;
}

/** The view store's meta pointer naming a projection version's live generation (absent: the first). */
export function generationPointer(p: Pick<Projection, 'name' | 'version'>): string {
  return `generation:${projectionBase(p)}`;
}

/** The meta pointer naming the last generation of a projection (any version) that caught up: what stale reads serve. */
export function activePointer(p: Pick<Projection, 'name'>): string {
  return `active:${p.name}`;
}

/** Where a projection's generation keeps its documents and checkpoint: "stakeholders@2", "stakeholders@2.3". */
export function generationBase(p: Pick<Projection, 'name' | 'version'>, generation: string | null): string {
  return generation === null ? projectionBase(p) : `${projectionBase(p)}.${generation}`;
}

/** What the subscription delivered, taken a batch at a time (it keeps reading while a batch commits). */
class MessageQueue {
  private buffer: SubscriptionMessage[] = [];
  private ended = false;
  private error: unknown = null;
  private wake: (() => void) | null = null;
  private resume: (() => void) | null = null;

  /** how many messages a batch takes at most (the runner lowers it once the subscription is live) */
  max: number;

  constructor(subscription: Subscription, max: number) {
    this.max = max;
    void this.pump(subscription);
  }

  private async pump(subscription: Subscription): Promise<void> {
    try {
      for await (const message of subscription) {
        this.buffer.push(message);
        this.signal();
        if (this.buffer.length >= this.max) await new Promise<void>((resolve) => { this.resume = resolve; });
      }
    } catch (error) {
      this.error = error;
    }
    this.ended = true;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Whether a message is waiting to be taken. */
  get buffered(): boolean {
    return this.buffer.length > 0;
  }

  /** Everything buffered (at least one message), up to `max`; null once the subscription ended. Throws what it threw. */
  async take(): Promise<SubscriptionMessage[] | null> {
    while (this.buffer.length === 0) {
      if (this.error !== null) throw this.error;
      if (this.ended) return null;
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
    // let what is already on its way arrive (a page the store read delivers one message per
    // microtask), so that catching up commits full batches, not one per message
    for (let size = 0; size !== this.buffer.length && this.buffer.length < this.max && !this.ended;) {
      size = this.buffer.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const taken = this.buffer.splice(0, this.max);
    const resume = this.resume;
    this.resume = null;
    resume?.();
    return taken;
  }
}

class Worker {
  /** where this process reads and writes the projection's documents (its live generation) */
  base: string;
  /** while this version builds from nothing: the generation that last caught up (maybe an older version), which reads serve, marked stale */
  staleBase: string | null = null;
  /** the committed position (what the view store holds for this consumer) */
  position: Position | null = null;
  committed: string | null = null;
  eventsApplied = 0;
  failure: string | null = null;
  batch: DocBatch | null = null;
  /** what this writer knows its documents hold, across batches (see DocCache) */
  readonly cache = new DocCache();
  pending = 0;
  lease: WriterLease | null = null;

  constructor(readonly projection: Projection, generation: string | null) {
    this.base = generationBase(projection, generation);
  }

  /** the checkpoint's consumer name: the projection's name and version */
  get consumer(): string {
    return this.base;
  }
}

/** A batch applied and not yet committed: what each projection's batch changed, and how many events it applied. */
interface Applied {
  messages: readonly SubscriptionMessage[];
  last: Position | null;
  caughtUp: boolean;
  batches: Map<Worker, { batch: DocBatch; events: number }>;
  /** reducers that threw: those projections stop once the batch before has committed (its waiters are answered first) */
  failures: { w: Worker; error: unknown; event: RecordedEvent }[];
}

type Moving = [Worker, { batch: DocBatch; events: number }];

const RETRY_MAX_MS = 5000;
/** events per batch at most (see RunnerOptions.batchSize) */
const CATCH_UP_BATCH = 10_000;
const LIVE_BATCH = 2000;
/** events applied between two turns of the event loop while catching up */
const YIELD_EVERY = 100;
/** how long taking the writer leases may take before this process starts following another writer */
const FOLLOW_AFTER_MS = 500;

/**
 * Drops a generation's documents and checkpoint, once nobody writes it (its writer lease is free
 * within `waitMs`). False when a writer still holds it.
 */
export async function dropGeneration(viewStore: ViewStore, p: Projection, base: string, options: { waitMs: number }): Promise<boolean> {
  let lease: WriterLease;
  try {
    lease = await viewStore.acquireWriter(base, { signal: AbortSignal.timeout(options.waitMs) });
  } catch {
    return false;
  }
  try {
    await viewStore.drop(p.collections.map((c) => storedCollection(base, c)), base);
    return true;
  } finally {
    await lease.release();
  }
}

/** How long after switching generations the old one is dropped (followers read the pointers every second). */
const DROP_OLD_GENERATION_MS = 5000;

export class ProjectionRunner {
  /** checks each consultation's hash chain as events are applied */
  readonly chain: ChainTracker;
  readonly viewStore: ViewStore;
  private readonly workers: Worker[];
  private readonly listeners = new Set<() => void>();
  private readonly options: RunnerOptions;
  private readonly batchSize: number;
  private readonly catchUpBatchSize: number;
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  /** while leading: the pass over the log, and what ends it (a lost lease, a switch, stop) */
  private running: Promise<void> | null = null;
  private turn: AbortController | null = null;
  private stopped = false;
  private leading = false;
  private caughtUpFlag = false;
  private readonly abort = new AbortController();

  constructor(options: RunnerOptions) {
    this.options = options;
    this.viewStore = options.viewStore ?? new MemoryViewStore();
    this.batchSize = options.batchSize ?? LIVE_BATCH;
    this.catchUpBatchSize = options.batchSize ?? CATCH_UP_BATCH;
    this.chain = new ChainTracker(options.store, options.damage ?? new DamageRegistry(options.logger ? { logger: options.logger } : {}));
    this.workers = options.projections.map((p) => new Worker(p, options.generation ?? null));
    const names = new Set(this.workers.map((w) => w.base));
    if (names.size !== this.workers.length) throw new Error('two projections with the same name and version');
  }

  /** Starts in the background: takes the writer leases (or follows another writer), then catches up. */
  async start(): Promise<void> {
    this.watchPointers();
    this.loop = this.lead().catch((error: unknown) => {
      if (!this.stopped) this.failAll(error);
    });
  }

  /**
   * A projection's documents, as the last commit holds them. While a new version of it builds from
   * nothing, the documents of the generation that last caught up, marked stale.
   */
  reader(projection: Projection): DocReader {
    const w = this.workerOf(projection);
    if (w.staleBase !== null && !this.caughtUpFlag) return docReader(this.viewStore, w.staleBase, true);
    return docReader(this.viewStore, w.base);
  }

  /** True once every projection has caught up at least once since start (readiness). */
  get caughtUpOnce(): boolean {
    return this.caughtUpFlag;
  }

  /** True while this process writes the views (false: another process does, or not yet). */
  get isWriter(): boolean {
    return this.leading;
  }

  /** Resolves once every projection has caught up at least once. */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    await this.until(() => this.caughtUpFlag, timeoutMs, () => this.workers.map((w) => w.projection.name));
  }

  /**
   * Resolves once every projection's committed checkpoint has passed `position` (null: nothing to
   * wait for): in this process when it writes the views, else through the shared view store.
   */
  async waitFor(position: Position | null, timeoutMs = 5000): Promise<void> {
    if (position === null) return;
    const { positions } = this.options.store;
    if (this.leading || this.stopped) {
      await this.until(() => this.workers.every((w) => this.reached(w, position)), timeoutMs, () => this.workers.filter((w) => !this.reached(w, position)).map((w) => w.projection.name));
      return;
    }
    const reached = (p: string) => positions.compare(positions.parse(p), position) >= 0;
    const deadline = Date.now() + timeoutMs;
    try {
      // the writer moves every checkpoint in one transaction: wait on one, then the others are
      // (nearly always) there already, instead of every waiter re-reading all of them on each commit
      const [first, ...others] = this.workers;
      if (first) await this.viewStore.waitForCheckpoint(first.consumer, reached, timeoutMs);
      for (const w of others) await this.viewStore.waitForCheckpoint(w.consumer, reached, Math.max(1, deadline - Date.now()));
    } catch (error) {
      if (error instanceof CheckpointTimeoutError) throw new ProjectionTimeoutError(timeoutMs, [error.consumer]);
      throw error;
    }
  }

  status(): ProjectionStatus[] {
    const { store } = this.options;
    const state = this.subscription?.status().state ?? 'catching-up';
    return this.workers.map((w) => ({
      name: w.projection.name,
      version: w.projection.version,
      state: w.failure ? 'failed' : this.stopped ? 'stopped' : this.leading ? state : 'following',
      failure: w.failure,
      position: w.position === null ? null : store.positions.serialise(w.position),
      caughtUpOnce: this.caughtUpFlag,
      eventsApplied: w.eventsApplied,
      generation: w.base,
    }));
  }

  /** How far each projection is behind the store's head, in the store's unit (health details). */
  async lag(): Promise<{ name: string; state: ProjectionStatus['state']; behind: number | null }[]> {
    const { store } = this.options;
    if (!this.leading && !this.stopped) await this.loadCheckpoints(); // a follower: where the shared checkpoints are now
    const head = await store.headPosition({ streamPrefix: CONSULTATION_STREAM_PREFIX });
    const states = this.status();
    return this.workers.map((w, i) => ({
      name: w.projection.name,
      state: states[i]!.state,
      behind: head === null ? 0 : w.position === null ? null : store.positions.distance(w.position, head),
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pointerTimer) clearInterval(this.pointerTimer);
    this.abort.abort(new Error('the runner is stopping'));
    this.turn?.abort();
    await this.subscription?.close();
    await this.loop?.catch(() => undefined);
    for (const w of this.workers) await w.lease?.release().catch(() => undefined);
    if (!this.options.viewStore) await this.viewStore.close();
    this.notify();
  }

  // --- leading -------------------------------------------------------------------------------

  private async lead(): Promise<void> {
    const { logger } = this.options;
    while (!this.stopped) {
      const before = new Map(this.workers.map((w) => [w, w.base]));
      await this.resolveGenerations();
      for (const [w, old] of before) {
        if (old === w.base) continue;
        logger?.info({ from: old, to: w.base }, 'views: a rebuild switched generations; writing the new one');
        this.dropLater(w.projection, old);
      }
      const follow = this.follow();
      // the same order in every process, so whoever takes the first lease gets them all
      const ordered = [...this.workers].sort((a, b) => (a.consumer < b.consumer ? -1 : 1));
      const turn = new AbortController();
      this.turn = turn;
      const lost = new Promise<unknown>((resolve) => {
        this.switched = () => resolve('switch');
        void (async () => {
          for (const w of ordered) {
            w.lease = await this.viewStore.acquireWriter(w.consumer, { signal: this.abort.signal });
            w.lease.onLost(resolve);
          }
          for (const w of this.workers) w.cache.clear(); // another writer may have written since
          await this.loadCheckpoints();
          await this.resetViewsAheadOfTheLog();
          await this.startAtHead();
          for (const w of this.workers) if (w.committed === null) w.cache.startEmpty(); // nothing committed: no documents
          this.leading = true;
          logger?.info({ projections: this.workers.map((w) => w.base) }, 'views: this process writes them');
          this.notify();
          this.running = this.run(turn.signal);
          await this.running;
          resolve(null);
        })().catch(resolve);
      });
      const reason = await lost;
      this.switched = null;
      follow.stop();
      turn.abort();
      await this.subscription?.close();
      // a commit under way lands (or fails) before the leases go, and nothing of this turn writes after
      await this.running?.catch(() => undefined);
      this.running = null;
      const wasLeading = this.leading;
      this.leading = false;
      for (const w of this.workers) {
        await w.lease?.release().catch(() => undefined);
        w.lease = null;
      }
      if (this.stopped || this.workers.every((w) => w.failure !== null)) return;
      if (reason === 'switch') continue; // the next turn takes the new generations' leases (and says so)
      if (reason !== null) logger?.warn({ err: reason, wasLeading }, 'views: lost the writer lease or the run failed; taking it again');
      await sleep(100);
    }
  }

  /**
   * While another process writes: readiness once the shared checkpoints reach the head as it was
   * when following began (they are read, never written, here).
   */
  private follow(): { stop(): void } {
    let stopped = false;
    void (async () => {
      // only when another process holds the leases (taking free ones is immediate): this process
      // may yet find its own checkpoints unusable (resetViewsAheadOfTheLog)
      await sleep(FOLLOW_AFTER_MS);
      if (stopped || this.leading || this.stopped) return;
      const { store } = this.options;
      const head = await store.headPosition({ streamPrefix: CONSULTATION_STREAM_PREFIX });
      while (!stopped && !this.leading && !this.stopped && !this.caughtUpFlag) {
        await this.loadCheckpoints();
        if (this.workers.every((w) => head === null || this.reached(w, head))) {
          this.caughtUpFlag = true;
          this.notify();
          return;
        }
        await sleep(200);
      }
    })().catch(() => undefined);
    return { stop: () => { stopped = true; } };
  }

  /** set while leading: ends the lease so that the loop takes the new generations' */
  private switched: (() => void) | null = null;
  private pointerTimer: NodeJS.Timeout | null = null;

  /** Reads which generation of each projection is live (unless this runner builds a given one), and what stale reads would serve. */
  private async resolveGenerations(): Promise<boolean> {
    let changed = false;
    for (const w of this.workers) {
      if (this.options.generation === undefined) {
        const base = generationBase(w.projection, await this.viewStore.getMeta(generationPointer(w.projection)));
        if (base !== w.base) changed = true;
        w.base = base;
      }
      const active = await this.viewStore.getMeta(activePointer(w.projection));
      const building = (await this.viewStore.checkpoint(w.base)) === null;
      w.staleBase = building && active !== null && active !== w.base ? active : null;
    }
    return changed;
  }

  private dropLater(p: Projection, base: string): void {
    const timer = setTimeout(() => {
      if (this.stopped) return;
      void dropGeneration(this.viewStore, p, base, { waitMs: 1000 })
        .then((dropped) => { if (dropped) this.options.logger?.info({ generation: base }, 'views: dropped the generation a rebuild replaced'); })
        .catch((error: unknown) => this.options.logger?.warn({ err: error, generation: base }, 'views: could not drop the generation a rebuild replaced'));
    }, DROP_OLD_GENERATION_MS);
    timer.unref();
  }

  /** Follows the generation pointers (a rebuild by `consult projections rebuild` switches them). */
  private watchPointers(): void {
    if (this.options.generation !== undefined || this.pointerTimer) return;
    let busy = false;
    this.pointerTimer = setInterval(() => {
      if (busy || this.stopped) return;
      busy = true;
      void this.pointersChanged().then((changed) => {
        if (!changed) return;
        if (this.switched) this.switched();
        else void this.loadCheckpoints();
      }).catch(() => undefined).finally(() => { busy = false; });
    }, this.options.pointerPollMs ?? 1000);
    this.pointerTimer.unref();
  }

  private async pointersChanged(): Promise<boolean> {
    for (const w of this.workers) {
      const base = generationBase(w.projection, await this.viewStore.getMeta(generationPointer(w.projection)));
      if (base !== w.base) {
        if (!this.leading) w.base = base; // a follower reads the new generation at once; a writer switches through its loop
        return true;
      }
    }
    return false;
  }

  /**
   * A checkpoint past the end of the log (a view store newer than a restored event store) would
   * skip the events appended from now on: those views are dropped and built again from the events.
   */
  private async resetViewsAheadOfTheLog(): Promise<void> {
    const { store, logger } = this.options;
    const head = await store.headPosition({ streamPrefix: CONSULTATION_STREAM_PREFIX });
    for (const w of this.workers) {
      if (w.position === null || (head !== null && store.positions.compare(w.position, head) <= 0)) continue;
      logger?.warn({ generation: w.base, checkpoint: w.committed, head: head === null ? null : store.positions.serialise(head) },
        'views: the checkpoint is past the end of the event store (a view store newer than the events?); rebuilding this view from the events');
      await this.viewStore.drop(w.projection.collections.map((c) => storedCollection(w.base, c)), w.consumer);
      w.position = null;
      w.committed = null;
    }
  }

  /** A consumer that starts at the head, on its very first start, records the head as its checkpoint: it never sees the past. */
  private async startAtHead(): Promise<void> {
    const fresh = this.workers.filter((w) => w.projection.startAt === 'head' && w.committed === null);
    if (fresh.length === 0) return;
    const { store, logger } = this.options;
    const head = await store.headPosition({ streamPrefix: CONSULTATION_STREAM_PREFIX });
    if (head === null) return; // an empty store: the beginning is the head
    const next = store.positions.serialise(head);
    await this.viewStore.commitMany(fresh.map((w) => ({ consumer: w.consumer, expected: null, next })), []);
    for (const w of fresh) {
      w.committed = next;
      w.position = head;
    }
    logger?.info({ consumers: fresh.map((w) => w.base), position: next }, 'first start: these consumers begin at the head of the log');
  }

  private async loadCheckpoints(): Promise<void> {
    const { positions } = this.options.store;
    for (const w of this.workers) {
      const stored = await this.viewStore.checkpoint(w.consumer);
      w.committed = stored?.position ?? null;
      w.position = w.committed === null ? null : positions.parse(w.committed);
    }
  }

  // --- the pass over the log -----------------------------------------------------------------

  private async run(turn: AbortSignal): Promise<void> {
    const { store, logger } = this.options;
    const over = () => this.stopped || turn.aborted;
    for (let attempt = 0; !over(); attempt++) {
      const active = this.workers.filter((w) => w.failure === null);
      if (active.length === 0) return;
      const from = this.earliest(active);
      const subscription = store.subscribeToAll({ from: from ?? 'start', streamPrefix: CONSULTATION_STREAM_PREFIX });
      this.subscription = subscription;
      const queue = new MessageQueue(subscription, this.catchUpBatchSize);
      let catchingUp = true;
      const live = async () => {
        if (!catchingUp) return;
        catchingUp = false;
        queue.max = this.batchSize;
        await this.viewStore.catchingUp?.(false);
      };
      // the previous batch's commit: the next batch is applied meanwhile (doc-batch.ts keeps what
      // is being committed unchanged), and commits one after the other
      let committing: Promise<void> | null = null;
      try {
        await this.viewStore.catchingUp?.(true); // (a failure here is retried like any other)
        for (;;) {
          // nothing to apply meanwhile: wait for the commit under way first, so that a failed one is
          // retried now, not when the next event happens to arrive
          if (committing && !queue.buffered) {
            await committing;
            committing = null;
            attempt = 0;
          }
          const messages = await queue.take();
          if (messages === null || over()) break;
          const applied = await this.apply(messages);
          if (committing) {
            await committing;
            attempt = 0;
          }
          committing = null;
          if (over()) break; // stopping, or the leases are going: this batch is not written (its checkpoint stays before it)
          committing = this.commitApplied(applied, live);
          committing.catch(() => undefined); // (awaited before the next commit, or below)
        }
        if (committing) await committing;
        return; // closed
      } catch (error) {
        // nothing of a commit under way may land after the checkpoints are read again
        const alsoFailed = committing ? await committing.then(() => null, (e: unknown) => e ?? 'failed') : null;
        if (over()) return;
        const delay = Math.min(RETRY_MAX_MS, 100 * 2 ** attempt);
        logger?.warn({ err: error, delayMs: delay }, error instanceof SubscriptionDroppedError
          ? 'views: subscription dropped; resubscribing from the checkpoints'
          : error instanceof ConsumerRetryError
            ? `${error.message}; trying the batch again from the checkpoint`
            : 'views: a batch could not be committed; resuming from the checkpoints');
        if (alsoFailed !== null && alsoFailed !== error) logger?.warn({ err: alsoFailed }, 'views: the batch committing meanwhile failed too');
        await subscription.close();
        for (const w of this.workers) {
          w.batch = null;
          w.cache.clear(); // a batch may have changed cached documents before its commit failed
        }
        await this.loadCheckpoints();
        await sleep(delay, turn); // stop() and the end of this turn end the wait
      }
    }
  }

  private earliest(workers: readonly Worker[]): Position | null {
    const { positions } = this.options.store;
    let min: Position | null | undefined;
    for (const w of workers) {
      if (w.position === null) return null;
      if (min === undefined || (min !== null && positions.compare(w.position, min) < 0)) min = w.position;
    }
    return min ?? null;
  }

  /** Applies one batch of messages to every projection that has not passed them (each in a batch of its own documents). */
  private async apply(messages: readonly SubscriptionMessage[]): Promise<Applied> {
    const { positions } = this.options.store;
    let last: Position | null = null;
    let caughtUp = false;
    const failures: Applied['failures'] = [];
    for (const w of this.workers) {
      w.pending = 0;
      w.batch = w.failure === null ? new DocBatch(this.viewStore, w.base, w.cache) : null;
    }
    let sinceYield = 0;
    for (const message of messages) {
      // a batch is applied through microtasks only: let the process answer requests (/healthz) meanwhile
      if (++sinceYield === YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (message.kind === 'caught-up') {
        caughtUp = true;
        continue;
      }
      const e = message.event;
      last = e.position;
      const admitted = this.chain.admit(e);
      if (!(typeof admitted === 'boolean' ? admitted : await admitted)) continue; // damaged: passed, not applied
      let pe: ProjectionEvent | null = null;
      for (const w of this.workers) {
        if (!w.batch || (w.position !== null && positions.compare(w.position, e.position) >= 0)) continue;
        pe ??= toProjectionEvent(e);
        try {
          await w.projection.apply(w.batch, pe);
          w.pending++;
        } catch (error) {
          if (error instanceof ConsumerRetryError) throw error; // the batch again later, from the checkpoint (run)
          w.batch = null; // nothing more of this batch for it, and none of it committed
          failures.push({ w, error, event: e });
        }
      }
    }
    const batches = new Map<Worker, { batch: DocBatch; events: number }>();
    for (const w of this.workers) {
      if (w.batch) batches.set(w, { batch: w.batch, events: w.pending });
      w.batch = null;
    }
    return { messages, last, caughtUp, batches, failures };
  }

  /**
   * Commits an applied batch (after the previous one committed); `live` is called once the
   * subscription has caught up (before readiness is declared).
   */
  private async commitApplied(applied: Applied, live: () => Promise<void>): Promise<void> {
    const { positions } = this.options.store;
    const { messages, last, caughtUp } = applied;
    for (const { w, error, event } of applied.failures) this.fail(w, error, event);
    if (last !== null) {
      const next = positions.serialise(last);
      // (a projection that failed while the next batch was applied commits nothing more)
      const moving = [...applied.batches].filter(([w]) => w.failure === null && (w.position === null || positions.compare(w.position, last) < 0));
      if (moving.length > 0) {
        const committed = await this.commit(moving, next, messages);
        for (const [w, { batch, events }] of committed) {
          w.cache.absorb(batch);
          w.position = last;
          w.committed = next;
          w.eventsApplied += events;
        }
        // an erasure replaced documents that named someone: no earlier copy of them left in the files
        if (messages.some((m) => m.kind === 'event' && m.event.type === 'PersonalDataErased')) await this.viewStore.forgetReplaced?.();
      }
    }
    if (caughtUp) await live();
    if (caughtUp && !this.caughtUpFlag) {
      for (const w of this.workers) {
        if (w.failure === null && this.options.generation === undefined) await this.viewStore.setMeta(activePointer(w.projection), w.base);
        w.staleBase = null;
      }
      this.caughtUpFlag = true;
      this.options.logger?.info({ events: Math.max(...this.workers.map((w) => w.eventsApplied)) }, 'views caught up');
    }
    this.reportProgress();
    this.notify();
  }

  /**
   * Commits the moving projections' batches and checkpoints in one transaction; returns those
   * committed. A document the view store refuses is not a passing failure (retrying would refuse it
   * forever): text it cannot hold is made storable (storable.ts) and the commit tried again; a
   * projection whose documents are still refused stops (failed, naming the batch), the others commit.
   */
  private async commit(moving: Moving[], next: string, messages: readonly SubscriptionMessage[]): Promise<Moving[]> {
    const attempt = (workers: Moving[], prepare: (changes: ViewChange[]) => ViewChange[]) => this.viewStore.commitMany(
      workers.map(([w]) => ({ consumer: w.consumer, expected: w.committed, next })),
      workers.flatMap(([, { batch }]) => prepare(batch.changes())),
    );
    const refused = (error: unknown) => error instanceof TypeError || error instanceof RangeError;
    try {
      await attempt(moving, (c) => c);
      return moving;
    } catch (error) {
      if (!refused(error)) throw error;
    }
    const accepted: Moving[] = [];
    for (const m of moving) {
      const [w, { batch }] = m;
      try {
        normaliseChanges(storableChanges(batch.changes()));
        accepted.push(m);
      } catch (error) {
        const events = messages.flatMap((m) => (m.kind === 'event' ? [m.event] : []));
        this.fail(w, error, events.at(-1) ?? null, 'its documents for the batch ending');
      }
    }
    if (accepted.length > 0) await attempt(accepted, storableChanges);
    return accepted;
  }

  private progressAt = 0;
  private readonly startedAt = performance.now();

  private reportProgress(): void {
    const now = performance.now();
    if (this.caughtUpFlag || !this.options.progress || now - this.progressAt < 1000) return;
    this.progressAt = now;
    const applied = Math.max(0, ...this.workers.map((w) => w.eventsApplied));
    this.options.progress({ eventsApplied: applied, eventsPerSecond: Math.round(applied / ((now - this.startedAt) / 1000)) });
  }

  /** A reducer threw (a bug, or an event it cannot read): stop that projection, say where, fail waiters at once. */
  private fail(w: Worker, error: unknown, event: RecordedEvent | null, what = ''): void {
    const where = event ? ` ${what ? `${what} ` : ''}at ${event.streamName}@${event.revision} (${event.type})` : '';
    w.failure = `${w.projection.name}${where}: ${error instanceof Error ? error.message : String(error)}`;
    w.batch = null;
    w.cache.clear();
    this.options.logger?.error(
      { err: error, projection: w.projection.name, streamName: event?.streamName, revision: event?.revision },
      'projection failed; it stops before this batch, the others go on',
    );
    this.notify();
  }

  private failAll(error: unknown): void {
    for (const w of this.workers) w.failure ??= `${w.projection.name}: ${error instanceof Error ? error.message : String(error)}`;
    this.options.logger?.error({ err: error }, 'views stopped');
    this.notify();
  }

  private reached(w: Worker, position: Position): boolean {
    return w.position !== null && this.options.store.positions.compare(w.position, position) >= 0;
  }

  private workerOf(projection: Projection): Worker {
    // the same object, else the one of that name (a route names the view; the runner may run another version of it)
    const worker = this.workers.find((w) => w.projection === projection)
      ?? only(this.workers.filter((w) => w.projection.name === projection.name));
    if (!worker) throw new Error(`projection ${projection.name} is not run by this runner`);
    return worker;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private async until(done: () => boolean, timeoutMs: number, behind: () => string[]): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const failures = this.workers.flatMap((w) => (w.failure ? [w.failure] : []));
      if (failures.length > 0) throw new ProjectionFailedError(failures);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new ProjectionTimeoutError(timeoutMs, behind());
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.listeners.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.listeners.add(wake);
      });
    }
  }
}

export function toProjectionEvent(e: RecordedEvent): ProjectionEvent {
  // a consultation's event was checked by the chain tracker, which decodes it (once: decodeOnce)
  const event = consultationIdOf(e.streamName) === null ? null : decodeOnce(e).event;
  return { streamName: e.streamName, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata, created: e.created, event };
}

function only<X>(items: readonly X[]): X | undefined {
  return items.length === 1 ? items[0] : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
