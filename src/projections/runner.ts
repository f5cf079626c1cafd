// Feeds every projection from the store's catch-up subscription: one subscription per projection,
// events applied one at a time in order (a `for await` loop, never overlapping handlers), the
// position reached recorded with the view. A projection whose name or version changed finds no
// stored view and replays from the start. Callers can wait until every projection has passed a
// global position (read-your-writes for the API). Each consultation's hash chain is checked as
// its events are applied (chain-tracker.ts, once per event for all projections): from a link that
// does not hold, that consultation's events are skipped and it is marked damaged; the projections
// do not fail and go on with every other consultation.
import type { Logger } from 'pino';
import { DamageRegistry } from '../audit/damage.ts';
import { AppError } from '../errors/catalogue.ts';
import {
  CONSULTATION_STREAM_PREFIX, SubscriptionDroppedError,
  type EventStore, type Position, type RecordedEvent, type Subscription, type SubscriptionStatus,
} from '../store/port.ts';
import { ChainTracker } from './chain-tracker.ts';
import type { Projection, ProjectionEvent } from './projection.ts';
import { InMemoryViewStore, type ViewStore } from './view-store.ts';

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
  /** failed: a reducer threw; the projection stopped at the event before (see `failure`) */
  state: SubscriptionStatus['state'] | 'stopped' | 'failed';
  failure: string | null;
  /** serialised position of the last event applied */
  position: string | null;
  caughtUpOnce: boolean;
  eventsApplied: number;
}

export interface RunnerOptions {
  store: EventStore;
  projections: readonly Projection<unknown>[];
  viewStore?: ViewStore;
  logger?: Logger;
  /** the process's damaged consultations (the runner marks what it finds there, and skips what is marked); default: its own */
  damage?: DamageRegistry;
  /** progress callback while catching up (events applied, events/s), at most once a second per projection */
  progress?: (p: { name: string; eventsApplied: number; eventsPerSecond: number }) => void;
}

export function toProjectionEvent(e: RecordedEvent): ProjectionEvent {
  return { streamName: e.streamName, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata, created: e.created };
}

class Worker<V> {
  view: V;
  position: Position | null = null;
  caughtUpOnce = false;
  eventsApplied = 0;
  subscription: Subscription | null = null;
  /** why the projection stopped, naming the event it could not apply */
  failure: string | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    readonly projection: Projection<V>,
    private readonly runner: ProjectionRunner,
    private readonly options: RunnerOptions,
  ) {
    this.view = projection.initial();
  }

  async start(): Promise<void> {
    const { store, viewStore } = this.options;
    const stored = await viewStore!.load<V>(this.projection.name, this.projection.version);
    if (stored) {
      this.view = stored.view;
      this.position = stored.position === null ? null : store.positions.parse(stored.position);
    }
    this.loop = this.run().catch((error: unknown) => this.fail(error, null));
  }

  /** A reducer threw (a bug, or an event it cannot read): stop here, say where, fail waiters at once. */
  private fail(error: unknown, event: RecordedEvent | null): void {
    const where = event ? ` at ${event.streamName}@${event.revision} (${event.type})` : '';
    this.failure = `${this.projection.name}${where}: ${error instanceof Error ? error.message : String(error)}`;
    this.options.logger?.error(
      { err: error, projection: this.projection.name, streamName: event?.streamName, revision: event?.revision },
      'projection failed; it stops at the event before, the others go on',
    );
    void this.subscription?.close();
    this.runner.notify();
  }

  private async run(): Promise<void> {
    const { store, logger } = this.options;
    const started = performance.now();
    let lastProgress = started;
    for (let attempt = 0; !this.stopped; attempt++) {
      const subscription = store.subscribeToAll({ from: this.position ?? 'start', streamPrefix: CONSULTATION_STREAM_PREFIX });
      this.subscription = subscription;
      try {
        for await (const message of subscription) {
          if (message.kind === 'caught-up') {
            if (!this.caughtUpOnce) logger?.info({ projection: this.projection.name, events: this.eventsApplied }, 'projection caught up');
            this.caughtUpOnce = true;
            await this.save();
            this.runner.notify();
            continue;
          }
          const admitted = this.runner.chain.admit(message.event);
          if (typeof admitted === 'boolean' ? admitted : await admitted) {
            try {
              this.view = this.projection.apply(this.view, toProjectionEvent(message.event));
            } catch (error) {
              this.fail(error, message.event);
              return;
            }
            this.eventsApplied++;
          }
          // a skipped event (damaged history) is passed all the same, so waiters on later positions are answered
          this.position = message.event.position;
          attempt = 0;
          if (this.caughtUpOnce) await this.save();
          this.runner.notify();
          const now = performance.now();
          if (!this.caughtUpOnce && this.options.progress && now - lastProgress >= 1000) {
            lastProgress = now;
            this.options.progress({ name: this.projection.name, eventsApplied: this.eventsApplied, eventsPerSecond: Math.round(this.eventsApplied / ((now - started) / 1000)) });
          }
        }
        return; // closed
      } catch (error) {
        if (this.stopped) return;
        if (!(error instanceof SubscriptionDroppedError)) {
          this.fail(error, null);
          return;
        }
        const delay = Math.min(5000, 100 * 2 ** attempt);
        logger?.warn({ err: error, projection: this.projection.name, delayMs: delay }, 'projection subscription dropped; resubscribing');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async save(): Promise<void> {
    const { store, viewStore } = this.options;
    await viewStore!.save(this.projection.name, this.projection.version, {
      view: this.view,
      position: this.position === null ? null : store.positions.serialise(this.position),
    });
  }

  reached(position: Position): boolean {
    return this.position !== null && this.options.store.positions.compare(this.position, position) >= 0;
  }

  status(): ProjectionStatus {
    const { store } = this.options;
    return {
      name: this.projection.name,
      version: this.projection.version,
      state: this.failure ? 'failed' : this.stopped ? 'stopped' : this.subscription?.status().state ?? 'catching-up',
      failure: this.failure,
      position: this.position === null ? null : store.positions.serialise(this.position),
      caughtUpOnce: this.caughtUpOnce,
      eventsApplied: this.eventsApplied,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
    await this.loop?.catch(() => undefined);
  }
}

export class ProjectionRunner {
  /** checks each consultation's hash chain as the workers apply it (shared by all of them) */
  readonly chain: ChainTracker;
  private readonly workers: Worker<unknown>[];
  private readonly listeners = new Set<() => void>();
  private readonly options: RunnerOptions;

  constructor(options: RunnerOptions) {
    this.options = { ...options, viewStore: options.viewStore ?? new InMemoryViewStore() };
    this.chain = new ChainTracker(options.store, options.damage ?? new DamageRegistry(options.logger ? { logger: options.logger } : {}));
    this.workers = options.projections.map((p) => new Worker(p, this, this.options));
  }

  async start(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.start()));
  }

  /** The current view of a projection this runner feeds. */
  view<V>(projection: Projection<V>): V {
    const worker = this.workers.find((w) => w.projection === (projection as Projection<unknown>));
    if (!worker) throw new Error(`projection ${projection.name} is not run by this runner`);
    return worker.view as V;
  }

  /** True once every projection has caught up at least once since start (readiness). */
  get caughtUpOnce(): boolean {
    return this.workers.every((w) => w.caughtUpOnce);
  }

  /** Resolves once every projection has caught up at least once. */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    await this.until(() => this.caughtUpOnce, timeoutMs, () => this.workers.filter((w) => !w.caughtUpOnce).map((w) => w.projection.name));
  }

  /** Resolves once every projection has applied the event at `position` (null: nothing to wait for). */
  async waitFor(position: Position | null, timeoutMs = 5000): Promise<void> {
    if (position === null) return;
    await this.until(() => this.workers.every((w) => w.reached(position)), timeoutMs, () => this.workers.filter((w) => !w.reached(position)).map((w) => w.projection.name));
  }

  status(): ProjectionStatus[] {
    return this.workers.map((w) => w.status());
  }

  /** How far each projection is behind the store's head, in the store's unit (health details). */
  async lag(): Promise<{ name: string; state: ProjectionStatus['state']; behind: number | null }[]> {
    const { store } = this.options;
    const head = await store.headPosition({ streamPrefix: CONSULTATION_STREAM_PREFIX });
    return this.workers.map((w) => ({
      name: w.projection.name,
      state: w.status().state,
      // null: nothing applied yet while the store has events
      behind: head === null ? 0 : w.position === null ? null : store.positions.distance(w.position, head),
    }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  /** called by workers after each step */
  notify(): void {
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
