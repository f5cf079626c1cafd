// The main thread's side of SqliteViewStore's writer thread (view-writer-thread.ts), after the
// event store's (src/store/sqlite/thread-writer.ts): a commit settles only after its COMMIT
// returned on the thread, with the error the in-thread store would have thrown (a
// CheckpointConflictError, or SQLite's error with its code). The request bookkeeping is shared
// with the event store's (threads/thread-requests.ts).
import Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../threads/start-worker.ts';
import { ThreadRequests } from '../threads/thread-requests.ts';
import { otherFromWire } from '../threads/wire-error.ts';
import type { Deletion, Upsert } from './validate.ts';
import { CheckpointConflictError, ViewStoreClosedError, type CheckpointMove } from './view-store.ts';
import type { FromViewWriter, ToViewWriter, ViewWireError, ViewWriterSettings } from './view-writer-messages.ts';

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
    case 'other':
      return otherFromWire(error);
  }
}

export class ViewWriter {
  private readonly requests: ThreadRequests<number>;

  constructor(settings: ViewWriterSettings) {
    const worker = startWorker(settings);
    this.requests = new ThreadRequests(worker);
    worker.on('message', (message: FromViewWriter) => this.receive(message));
    worker.on('error', (error) => this.requests.fail(error));
    worker.on('exit', (code) => this.requests.fail(new Error(`the view store's writer thread ended (exit code ${code})`)));
  }

  /** the thread (tests end it, to see what a dead thread does) */
  get worker(): Worker {
    return this.requests.worker;
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
    return this.requests.close({ kind: 'close' } satisfies ToViewWriter);
  }

  private request(message: Request): Promise<number | undefined> {
    if (this.requests.closed) return Promise.reject(new ViewStoreClosedError());
    return this.requests.send((id) => ({ ...message, id }) as ToViewWriter);
  }

  private receive(message: FromViewWriter): void {
    switch (message.kind) {
      case 'settled':
        this.requests.settle(message.id, message.ok ? { ok: true, ...(message.changes === undefined ? {} : { result: message.changes }) } : { ok: false, error: fromWire(message.error) });
        return;
      case 'failed':
        this.requests.fail(fromWire(message.error));
        return;
      case 'closed':
        this.requests.fail(new ViewStoreClosedError());
        return;
    }
  }
}
