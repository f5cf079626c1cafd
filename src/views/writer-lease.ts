// Pieces every adapter's writer lease is made of: the lease object handed to the caller (release
// once, lost once, listeners told once) and an in-process FIFO lock per consumer.
import type { WriterLease } from './view-store.ts';

export class Lease implements WriterLease {
  private state: 'held' | 'released' | 'lost' = 'held';
  private lostError: unknown = null;
  private readonly listeners: ((error: unknown) => void)[] = [];
  private ending: Promise<void> | null = null;

  constructor(
    readonly consumer: string,
    /** gives the lock up (whatever is left of it); called once */
    private readonly giveUp: () => Promise<void>,
  ) {}

  get held(): boolean {
    return this.state === 'held';
  }

  release(): Promise<void> {
    if (this.state === 'held') this.state = 'released';
    else if (this.state === 'lost') return Promise.resolve();
    return this.end();
  }

  /** Gives the lock up without changing how the lease ended (a store closing, after lose()). */
  end(): Promise<void> {
    this.ending ??= this.giveUp();
    return this.ending;
  }

  onLost(listener: (error: unknown) => void): void {
    if (this.state === 'lost') queueMicrotask(() => listener(this.lostError));
    else this.listeners.push(listener);
  }

  /** The lease ended without release(): tells the listeners (once). Returns false when it was no longer held. */
  lose(error: unknown): boolean {
    if (this.state !== 'held') return false;
    this.state = 'lost';
    this.lostError = error;
    for (const listener of this.listeners.splice(0)) {
      try {
        listener(error);
      } catch {
        // a listener's own failure must not stop the others from hearing about the loss
      }
    }
    return true;
  }
}

interface Waiter {
  grant(unlock: () => void): void;
  reject(error: unknown): void;
}

/** One holder per name at a time within this process, granted in the order asked. */
export class LocalLocks {
  private readonly held = new Set<string>();
  private readonly queues = new Map<string, Waiter[]>();

  /** Resolves with the unlock function (idempotent) once the caller holds `name`. */
  acquire(name: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.held.has(name)) {
      this.held.add(name);
      return Promise.resolve(this.unlocker(name));
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const queue = this.queues.get(name) ?? [];
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (unlock) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(unlock);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.queues.get(name);
      if (queue) queue.push(waiter);
      else this.queues.set(name, [waiter]);
    });
  }

  /** Rejects every waiter (the store is closing). Holders keep their unlock functions. */
  rejectAll(error: unknown): void {
    for (const queue of this.queues.values()) for (const waiter of queue.splice(0)) waiter.reject(error);
    this.queues.clear();
  }

  private unlocker(name: string): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const queue = this.queues.get(name);
      const next = queue?.shift();
      if (queue?.length === 0) this.queues.delete(name);
      if (next) next.grant(this.unlocker(name));
      else this.held.delete(name);
    };
  }
}

/** A promise that resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that aborts when any of the given ones does (with its reason), and a function to stop listening. */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const dispose = () => present.forEach((s) => s.removeEventListener('abort', onAbort));
  for (const s of present) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', onAbort, { once: true });
  }
  if (controller.signal.aborted) dispose();
  return { signal: controller.signal, dispose };
}
