// Opening the SQLite file: pragmas and the versioned schema (PRAGMA user_version).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Synchronous = 'FULL' | 'NORMAL';

/** Index i upgrades the schema from version i to i + 1. Append new steps; never edit old ones. */
const MIGRATIONS: readonly string[] = [
  // The UNIQUE (stream, revision) index is also the index for stream reads and for "last revision
  // of a stream" (it carries the rowid, so those lookups never touch the table).
  // AUTOINCREMENT: a sequence is never reused, even after the newest rows are rolled back or deleted.
  `CREATE TABLE events (
     sequence INTEGER PRIMARY KEY AUTOINCREMENT,
     stream   TEXT    NOT NULL,
     revision INTEGER NOT NULL,
     event_id TEXT    NOT NULL,
     type     TEXT    NOT NULL,
     data     TEXT    NOT NULL,
     metadata TEXT    NOT NULL,
     created  TEXT    NOT NULL,
     UNIQUE (stream, revision)
   ) STRICT`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDatabase(file: string, synchronous: Synchronous, busyTimeoutMs: number): Database.Database {
  return openWalDatabase(file, synchronous, busyTimeoutMs, migrate);
}

/**
 * Opens (creating its directory) a SQLite file in WAL mode with the given synchronous level and busy
 * timeout, then runs the caller's migration; closes it again if any step fails. The event store and
 * the view store share this; each has its own schema and migration.
 */
export function openWalDatabase(
  file: string,
  synchronous: Synchronous,
  busyTimeoutMs: number,
  migrate: (db: Database.Database, file: string) => void,
): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  // `timeout` is SQLite's busy_timeout: a writer in another process makes us wait, not fail.
  const db = new Database(file, { timeout: busyTimeoutMs });
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`could not switch ${file} to WAL (journal_mode is ${String(mode)})`);
    db.pragma(`synchronous = ${synchronous}`);
    migrate(db, file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Database.Database, file: string): void {
  // BEGIN IMMEDIATE so two processes opening a new file do not both run the same step.
  db.transaction(() => {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > SCHEMA_VERSION) {
      throw new Error(`${file} has event store schema version ${version}; this code knows up to ${SCHEMA_VERSION}`);
    }
    for (const step of MIGRATIONS.slice(version)) db.exec(step);
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
