// The main thread's side of SqliteViewStore's writer thread (view-writer-thread.ts), after the
// event store's (src/store/sqlite/thread-writer.ts): a commit settles only after its COMMIT
// returned on the thread, with the error the in-thread store would have thrown (a
// CheckpointConflictError, or SQLite's error with its code). The thread is referenced only while
// a request is in flight, so an idle store does not keep the process alive.
import Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../threads/start-worker.ts';
import type { Deletion, Upsert } from './validate.ts';
import { CheckpointConflictError, ViewStoreClosedError, type CheckpointMove } from './view-store.ts';
import type { FromViewWriter, ToViewWriter, ViewWireError, ViewWriterSettings } from './view-writer-messages.ts';

interface Pending {
  resolve(changes?: number): void;
  reject(error: unknown): void;
}

type Request = ToViewWriter extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

function startWorker(settings: ViewWriterSettings): Worker {
  return startSiblingWorker(import.meta.url, 'view-writer-thread', settings);
}

export function fromWire(error: ViewWireError): Error {
  switch (error.kind) {
    case 'conflict':
      return new CheckpointConflictError(error.consumer, error.expected, error.actual);
    case 'sqlite':
      return new Database.SqliteError(error.message, error.code);
    case 'other': {
      const rebuilt = new Error(error.message);
      rebuilt.name = error.name;
      return error.code === undefined ? rebuilt : Object.assign(rebuilt, { code: error.code });
    }
  }
}

export class ViewWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  /** set once the thread is gone (closed or failed): every later request fails with it */
  private gone: Error | null = null;

  constructor(settings: ViewWriterSettings) {
    this.worker = startWorker(settings);
    this.worker.unref(); // referenced only while a request is in flight (see request)
    this.worker.on('message', (message: FromViewWriter) => this.receive(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the view store's writer thread ended (exit code ${code})`)));
  }

  commit(moves: readonly CheckpointMove[], upserts: Upsert[], deletes: Deletion[]): Promise<void> {
    // plain copies: a caller's move may carry more than the three fields (structured clone copies all)
    const plain = moves.map(({ consumer, expected, next }) => ({ consumer, expected, next }));
    return this.request({ kind: 'commit', moves: plain, upserts, deletes }).then(() => undefined);
  }

  autocheckpoint(pages: number, checkpoint: boolean): Promise<void> {
    return this.request({ kind: 'autocheckpoint', pages, checkpoint }).then(() => undefined);
  }

  truncateWal(): Promise<void> {
    return this.request({ kind: 'truncate' }).then(() => undefined);
  }

  /** A lease's heartbeat, written between commits; resolves with the rows it changed (0: the lease is no longer this owner's). */
  async beat(consumer: string, owner: string, at: number): Promise<number> {
    return (await this.request({ kind: 'beat', consumer, owner, at })) ?? 0;
  }

  /** Settles once every request made before it has been answered. */
  flush(): Promise<void> {
    return this.request({ kind: 'flush' }).then(() => undefined);
  }

  /** Answers what is queued (those requests settle), then ends the thread. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.gone !== null) return resolve();
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ kind: 'close' } satisfies ToViewWriter);
    });
    return this.closing;
  }

  private request(message: Request): Promise<number | undefined> {
    if (this.closing) return Promise.reject(new ViewStoreClosedError());
    if (this.gone !== null) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } as ToViewWriter);
    });
  }

  private receive(message: FromViewWriter): void {
    switch (message.kind) {
      case 'settled': {
        const pending = this.pending.get(message.id);
        if (pending) {
          this.pending.delete(message.id);
          if (message.ok) pending.resolve(message.changes);
          else pending.reject(fromWire(message.error));
        }
        if (this.pending.size === 0 && !this.closing) this.worker.unref();
        return;
      }
      case 'failed':
        this.fail(fromWire(message.error));
        return;
      case 'closed':
        this.fail(new ViewStoreClosedError());
        return;
    }
  }

  /** The thread is gone: what it still held cannot be answered by it. */
  private fail(error: Error): void {
    this.gone ??= error;
    for (const pending of this.pending.values()) pending.reject(this.gone);
    this.pending.clear();
  }
}
