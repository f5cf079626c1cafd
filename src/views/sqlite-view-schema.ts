// Opening the view store's SQLite file: pragmas and its versioned schema. The version lives in a
// table of its own (not PRAGMA user_version, which the event store uses), so the view store's
// tables could even share a file with the event store without either misreading the other.
import type Database from 'better-sqlite3';
import { openWalDatabase, type Synchronous } from '../store/sqlite/schema.ts';

export type { Synchronous };

/** Index i upgrades the schema from version i to i + 1. Append new steps; never edit old ones. */
const MIGRATIONS: readonly string[] = [
  // The primary key (collection, key) serves get, upsert, delete and prefix ranges; the second
  // index serves listings in (order, key) order and keyset paging. Keys compare with BINARY
  // collation: UTF-8 byte order, which is code point order (as on PostgreSQL with COLLATE "C").
  `CREATE TABLE view_docs (
     collection TEXT    NOT NULL,
     key        TEXT    NOT NULL,
     ord        INTEGER NOT NULL,
     doc        TEXT    NOT NULL,
     PRIMARY KEY (collection, key)
   ) STRICT;
   CREATE INDEX view_docs_by_order ON view_docs (collection, ord, key);
   CREATE TABLE view_checkpoints (
     consumer   TEXT NOT NULL PRIMARY KEY,
     position   TEXT NOT NULL,
     updated_at TEXT NOT NULL
   ) STRICT;
   CREATE TABLE view_meta (
     name  TEXT NOT NULL PRIMARY KEY,
     value TEXT NOT NULL
   ) STRICT;
   -- one row per consumer whose writer lease is held: by which lease, in which process (pid on
   -- host: a pid means something only where the same host name says it is the same pid namespace),
   -- alive when (ms since the epoch)
   CREATE TABLE view_writers (
     consumer     TEXT    NOT NULL PRIMARY KEY,
     owner        TEXT    NOT NULL,
     host         TEXT    NOT NULL,
     pid          INTEGER NOT NULL,
     heartbeat_at INTEGER NOT NULL
   ) STRICT;`,
  // Version 2: each collection name is stored once and documents carry its integer id, in a
  // WITHOUT ROWID table (the primary key is the table; no rowid tree beside it). A document's row
  // was about 100 bytes of collection and key in each of three trees; it is now the key in two.
  // Rebuilding a view from the events writes a third less, and each write touches two trees.
  // Collection rows are never deleted, so an id another process has cached stays valid.
  `CREATE TABLE view_collections (
     id   INTEGER PRIMARY KEY,
     name TEXT    NOT NULL UNIQUE
   ) STRICT;
   INSERT INTO view_collections (name) SELECT DISTINCT collection FROM view_docs ORDER BY collection;
   CREATE TABLE view_docs_v2 (
     collection_id INTEGER NOT NULL,
     key           TEXT    NOT NULL,
     ord           INTEGER NOT NULL,
     doc           TEXT    NOT NULL,
     PRIMARY KEY (collection_id, key)
   ) STRICT, WITHOUT ROWID;
   INSERT INTO view_docs_v2 (collection_id, key, ord, doc)
     SELECT c.id, d.key, d.ord, d.doc FROM view_docs d JOIN view_collections c ON c.name = d.collection;
   DROP TABLE view_docs;
   ALTER TABLE view_docs_v2 RENAME TO view_docs;
   CREATE INDEX view_docs_by_order ON view_docs (collection_id, ord, key);`,
];

export const VIEW_SCHEMA_VERSION = MIGRATIONS.length;

export function openViewDatabase(file: string, synchronous: Synchronous, busyTimeoutMs: number): Database.Database {
  return openWalDatabase(file, synchronous, busyTimeoutMs, (db) => {
    // the documents hold personal data in clear: a document replaced or deleted (after an erasure,
    // say) is overwritten with zeros, not left readable in the file's free space. Set before the
    // migrations, so that a table a migration copies and drops leaves no copy behind either.
    db.pragma('secure_delete = ON');
    migrate(db, file);
  });
}

function migrate(db: Database.Database, file: string): void {
  // BEGIN IMMEDIATE so two processes opening a new file do not both run the same step.
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS view_schema (version INTEGER NOT NULL) STRICT');
    const row = db.prepare<[], { version: number }>('SELECT version FROM view_schema').get();
    const version = row?.version ?? 0;
    if (version > VIEW_SCHEMA_VERSION) {
      throw new Error(`${file} has view store schema version ${version}; this code knows up to ${VIEW_SCHEMA_VERSION}`);
    }
    for (const step of MIGRATIONS.slice(version)) db.exec(step);
    if (!row) db.prepare('INSERT INTO view_schema (version) VALUES (?)').run(VIEW_SCHEMA_VERSION);
    else if (version !== VIEW_SCHEMA_VERSION) db.prepare('UPDATE view_schema SET version = ?').run(VIEW_SCHEMA_VERSION);
  }).immediate();
}
