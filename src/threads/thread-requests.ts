// The main thread's bookkeeping for a writer thread (the event store's, the view store's): each
// request gets an id and settles when the thread answers that id; the thread is referenced only
// while a request is in flight, so an idle store does not keep the process alive; once the thread
// is gone (closed, failed, exited) what it still held, and every later request, fails with why.
import type { Worker } from 'node:worker_threads';

type Outcome<R> = { ok: true; result?: R } | { ok: false; error: unknown };

export class ThreadRequests<R> {
  private readonly pending = new Map<number, { resolve(result: R | undefined): void; reject(error: unknown): void }>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  private gone: unknown = null;

  constructor(readonly worker: Worker) {
    worker.unref();
  }

  /** close() was called */
  get closed(): boolean {
    return this.closing !== null;
  }

  /** Posts the message built for a new id; settles with the thread's answer to it. */
  send(message: (id: number) => unknown): Promise<R | undefined> {
    if (this.gone !== null) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(message(id));
    });
  }

  /** The thread answered request `id`. */
  settle(id: number, outcome: Outcome<R>): void {
    const pending = this.pending.get(id);
    if (pending) {
      this.pending.delete(id);
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    }
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
  }

  /** The thread is gone: what it still held cannot be answered by it. */
  fail(error: unknown): void {
    this.gone ??= error;
    for (const pending of this.pending.values()) pending.reject(this.gone);
    this.pending.clear();
  }

  /** Posts `message` (the thread answers what is queued, then ends); resolves once it exited. */
  close(message: unknown): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.gone !== null) return resolve();
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage(message);
    });
    return this.closing;
  }
}
