// What the main thread and the writer thread (writer-thread.ts) say to each other. Plain data
// only: errors cross as their name, message and code, and are rebuilt on the main thread.
import type { OtherWireError } from '../../threads/wire-error.ts';
import type { ExpectedRevision } from '../port.ts';
import type { Synchronous } from './schema.ts';
import type { SerialisedEvent } from './group-commit.ts';

/** The worker's workerData: how to open its own connection to the file. */
export interface WriterThreadSettings {
  file: string;
  synchronous: Synchronous;
  busyTimeoutMs: number;
}

export type ToWriter =
  | { kind: 'append'; id: number; streamName: string; events: SerialisedEvent[]; expected: ExpectedRevision }
  | { kind: 'probe'; id: number }
  /** write what is queued, answer it, then end */
  | { kind: 'close' };

/** An error as it crosses the thread boundary. */
export type WireError =
  | { kind: 'wrong-version'; streamName: string; expected: ExpectedRevision; actual: number | 'no_stream' }
  /** the storage refused the write: the SQLite error that said so (asStoreError rebuilds the 503) */
  | { kind: 'unavailable'; code: string; message: string }
  | OtherWireError;

/** An append's result; the position as its sequence (a position object does not survive the copy). */
export interface WireResult {
  nextExpectedRevision: number;
  sequence: number;
}

export type Settlement = { id: number; ok: true; result?: WireResult } | { id: number; ok: false; error: WireError };

export type FromWriter =
  /** requests settled together; `committed`: a commit wrote events before they were settled */
  | { kind: 'settled'; committed: boolean; settlements: Settlement[] }
  /** the close was done: every queued append was written and answered */
  | { kind: 'closed' }
  /** the connection could not be opened: the thread ends */
  | { kind: 'failed'; error: WireError };
