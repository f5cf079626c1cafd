// The view store port: where projections (and other named consumers of the log, such as the mail
// relay) keep their documents and the position they reached, written together in one transaction.
//
// - A view is made of documents in collections, each keyed by a string (for a per-consultation view:
//   the consultation id, or "<consultation id>/<comment id>" for one document per comment). A
//   collection's name carries the view's version ("comment-matrix@2/comments"), so a rebuild writes
//   beside the live version and a meta pointer switches between them.
// - Positions are opaque strings here (the event store's serialised positions); the store compares
//   them only for equality (the checkpoint's compare-and-set). Ordering is the caller's business.
// - Keys sort by (order, key); keys compare by Unicode code point (UTF-8 byte order) on every adapter.
// - Documents are JSON objects. Object member order is not kept (PostgreSQL's jsonb does not keep it).
// - One writer per consumer at a time: `acquireWriter` hands out a lease; the checkpoint's
//   compare-and-set fences a writer that lost its lease without noticing (its next commit conflicts
//   once the new writer has committed).
import type { JsonObject, JsonValue } from '../store/port.ts';

export type { JsonObject, JsonValue };

/** A document in a collection. `order` sorts a listing (e.g. the revision a stakeholder was invited at); ties by key. */
export interface ViewDoc {
  key: string;
  /** a safe integer */
  order: number;
  doc: JsonObject;
}

export interface ViewChange {
  collection: string;
  key: string;
  /** a safe integer; 0 when omitted (a change states the whole document, its order included) */
  order?: number;
  /** null deletes (deleting a document that does not exist is not an error) */
  doc: JsonObject | null;
}

export interface ListOptions {
  /** only keys that start with exactly this string (no wildcards: % and _ are ordinary characters) */
  prefix?: string;
  /** keyset paging: only documents after this (order, key), i.e. the last document of the previous page */
  after?: { order: number; key: string };
  /** at most this many documents (default: all) */
  limit?: number;
}

export interface Checkpoint {
  /** a serialised event-store position, opaque here */
  position: string;
  /** when the checkpoint was last moved, ISO-8601 UTC */
  updatedAt: string;
}

export interface WriterLease {
  readonly consumer: string;
  /** gives the lease up; the next waiter (in this or another process) takes over. Idempotent. */
  release(): Promise<void>;
  /**
   * Called once if the lease ends without release(): the connection holding it was lost
   * (PostgreSQL), another process took it over (SQLite), or the store was closed. A listener added
   * after the loss is called at once. The holder must stop writing.
   */
  onLost(listener: (error: unknown) => void): void;
}

/** One consumer's checkpoint moved from `expected` (null: it has none yet) to `next`. */
export interface CheckpointMove {
  consumer: string;
  expected: string | null;
  next: string;
}

export interface ViewStore {
  get(collection: string, key: string): Promise<ViewDoc | null>;
  /** documents of a collection ordered by (order, key); `prefix` filters keys exactly; `after` is a keyset paging cursor */
  list(collection: string, options?: ListOptions): Promise<ViewDoc[]>;
  count(collection: string, prefix?: string): Promise<number>;
  checkpoint(consumer: string): Promise<Checkpoint | null>;
  /**
   * One transaction: apply every change (in order; a later change of the same key wins) and move
   * the consumer's checkpoint from `expected` (null: it has none yet) to `next`. Rejects with
   * CheckpointConflictError, applying nothing, when the stored checkpoint is not `expected`; with
   * a TypeError/RangeError, applying nothing, when a change is not valid (see validate.ts).
   * Resolves once the transaction is durable.
   */
  commit(consumer: string, expected: string | null, next: string, changes: readonly ViewChange[]): Promise<void>;
  /**
   * commit() for several consumers at once (the projections one runner feeds): every change and
   * every checkpoint move in one transaction; a conflict on any move applies nothing. At least one
   * move; a consumer at most once.
   */
  commitMany(moves: readonly CheckpointMove[], changes: readonly ViewChange[]): Promise<void>;
  /**
   * One transaction: removes every document of the collections and, when given, the consumer's
   * checkpoint (a rebuild from zero, or dropping an old version after a switch).
   */
  drop(collections: readonly string[], consumer?: string): Promise<void>;
  /**
   * The one writer for a consumer: resolves when this caller holds it (PostgreSQL: a session
   * advisory lock on a dedicated connection; SQLite: a lease row, so that two processes on one
   * file do not both write; memory: in process). Waits while another holds it; rejects with the
   * signal's reason when `signal` aborts first, or ViewStoreClosedError when the store closes.
   */
  acquireWriter(consumer: string, options?: { signal?: AbortSignal }): Promise<WriterLease>;
  /**
   * Resolves once the consumer's checkpoint satisfies `reached` (the caller compares, since
   * positions are opaque here); rejects with CheckpointTimeoutError after `timeoutMs`. Sees
   * commits made by other processes and replicas (PostgreSQL: LISTEN/NOTIFY with a polling
   * fallback; SQLite: polling PRAGMA data_version).
   */
  waitForCheckpoint(consumer: string, reached: (position: string) => boolean, timeoutMs: number): Promise<void>;
  /**
   * A named pointer, e.g. which version of a projection is active ("rebuild beside, then switch").
   * Kept in its own table, written in its own transaction (not part of commit). null: not set.
   */
  getMeta(name: string): Promise<string | null>;
  /** null removes the pointer */
  setMeta(name: string, value: string | null): Promise<void>;
  /**
   * After documents holding personal data were replaced or deleted (an erasure): leave no earlier
   * copy of them in the store's files (SQLite: the WAL's old page images). Optional: a store
   * without such copies, or one that cannot drop them, has none.
   */
  forgetReplaced?(): Promise<void>;
  /**
   * A hint from the writer: `true` while it catches up (large commits one after another, nobody
   * waiting on each), `false` once it follows the log live (small commits, each on some command's
   * path). A store may trade the latency of a commit for throughput meanwhile (SQLite: copying its
   * WAL into the file less often). Optional; it changes no result.
   */
  catchingUp?(on: boolean): Promise<void>;
  /** Ends held leases (their onLost listeners are told), rejects pending waits, closes connections. Idempotent. */
  close(): Promise<void>;
}

export class CheckpointConflictError extends Error {
  readonly code = 'CHECKPOINT_CONFLICT';
  constructor(
    readonly consumer: string,
    readonly expected: string | null,
    /** the stored position, or null when the consumer has no checkpoint */
    readonly actual: string | null,
  ) {
    super(`checkpoint of ${JSON.stringify(consumer)} expected at ${String(expected)} but it is at ${String(actual)}`);
    this.name = 'CheckpointConflictError';
  }
}

export class CheckpointTimeoutError extends Error {
  readonly code = 'CHECKPOINT_TIMEOUT';
  constructor(
    readonly consumer: string,
    readonly timeoutMs: number,
    /** the last position seen, or null */
    readonly lastPosition: string | null,
  ) {
    super(`checkpoint of ${JSON.stringify(consumer)} did not reach the position within ${timeoutMs} ms (last seen: ${String(lastPosition)})`);
    this.name = 'CheckpointTimeoutError';
  }
}

export class WriterLostError extends Error {
  readonly code = 'VIEW_WRITER_LOST';
  constructor(readonly consumer: string, reason: string, options?: { cause?: unknown }) {
    super(`the writer lease of ${JSON.stringify(consumer)} was lost: ${reason}`, options);
    this.name = 'WriterLostError';
  }
}

export class ViewStoreClosedError extends Error {
  readonly code = 'VIEW_STORE_CLOSED';
  constructor() {
    super('the view store is closed');
    this.name = 'ViewStoreClosedError';
  }
}
