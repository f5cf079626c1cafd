// Chooses the view store adapter (composition roots only): PostgreSQL when a database URL is
// given (several replicas sharing views), else SQLite in the data directory (the embedded
// default). The in-memory adapter is for tests and is constructed directly.
import { join } from 'node:path';
import type { Synchronous } from './sqlite-view-schema.ts';
import { SqliteViewStore } from './sqlite-view-store.ts';
import type { ViewStore } from './view-store.ts';

export interface OpenViewStoreOptions {
  /** DATABASE_URL; when set, the views live in PostgreSQL */
  databaseUrl?: string;
  /** DATA_DIR; the SQLite file is <dataDir>/views.sqlite */
  dataDir: string;
  /** the PostgreSQL schema (default public) */
  schema?: string;
  /**
   * SQLite's synchronous setting. Default NORMAL: in WAL mode a commit is still atomic and the file
   * consistent after a crash or power loss, which may lose only the last commits; the views are
   * derived from the events, so those come back from the checkpoint at the next start. No fsync
   * per commit keeps it off every command's path (the event store's append has its own, FULL).
   */
  synchronous?: Synchronous;
  /**
   * SQLite: run the view commits on a worker thread with its own connection (default false), so
   * their writes and fsyncs leave the event loop free. The server and `consult projections
   * rebuild` turn it on; the other CLI commands and tests keep commits on the calling thread.
   */
  writerThread?: boolean;
  /** failures no call reports (PostgreSQL: dropped idle connections, LISTEN reconnecting) */
  onError?: (error: unknown) => void;
}

export const SQLITE_VIEW_FILE = 'views.sqlite';

export async function openViewStore(options: OpenViewStoreOptions): Promise<ViewStore> {
  const { databaseUrl, dataDir, schema, synchronous, writerThread, onError } = options;
  if (databaseUrl) {
    const { PostgresViewStore } = await import('./postgres-view-store.ts'); // pg is loaded only where it is used
    return PostgresViewStore.open({ connectionString: databaseUrl, schema, onError });
  }
  return SqliteViewStore.open({ file: join(dataDir, SQLITE_VIEW_FILE), synchronous: synchronous ?? 'NORMAL', writerThread });
}
