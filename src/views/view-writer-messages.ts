// What SqliteViewStore's main thread and its writer thread (view-writer-thread.ts) say to each
// other. Plain data only: the changes cross checked and serialised (their documents as JSON text),
// errors as their name, message and code, rebuilt on the main thread (view-writer.ts).
import type { Synchronous } from './sqlite-view-schema.ts';
import type { Deletion, Upsert } from './validate.ts';
import type { OtherWireError } from '../threads/wire-error.ts';
import type { CheckpointMove } from './view-store.ts';

/** The worker's workerData: how to open its own connection to the file (as the main thread opened its). */
export interface ViewWriterSettings {
  file: string;
  synchronous: Synchronous;
  busyTimeoutMs: number;
}

export type ToViewWriter =
  | { kind: 'commit'; id: number; moves: CheckpointMove[]; upserts: Upsert[]; deletes: Deletion[] }
  /** set wal_autocheckpoint on the thread's connection (the one that writes); `checkpoint`: then copy the WAL (PASSIVE) */
  | { kind: 'autocheckpoint'; id: number; pages: number; checkpoint: boolean }
  /** wal_checkpoint(TRUNCATE): the WAL copied into the file and emptied */
  | { kind: 'truncate'; id: number }
  /** a writer lease's heartbeat (between commits: it never waits on this thread's own write lock); answered with the rows it changed */
  | { kind: 'beat'; id: number; consumer: string; owner: string; at: number }
  /** answered once every message before it was */
  | { kind: 'flush'; id: number }
  /** answer what is queued, close the connection, then end */
  | { kind: 'close' };

/** An error as it crosses the thread boundary. */
export type ViewWireError =
  | { kind: 'conflict'; consumer: string; expected: string | null; actual: string | null }
  /** SQLite's error (better-sqlite3's SqliteError), rebuilt with its code */
  | { kind: 'sqlite'; message: string; code: string }
  | OtherWireError;

export type FromViewWriter =
  | { kind: 'settled'; id: number; ok: true; changes?: number }
  | { kind: 'settled'; id: number; ok: false; error: ViewWireError }
  /** every queued message was answered and the connection closed: the thread ends */
  | { kind: 'closed' }
  /** the connection could not be opened: the thread ends */
  | { kind: 'failed'; error: ViewWireError };
