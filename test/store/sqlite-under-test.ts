// The SQLite adapter as the contract suite takes it (contract.ts), with or without its writer thread:
// a store on a fresh file, and a second connection that rewrites rows as an intruder with the file would.
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../../src/store/sqlite/sqlite-event-store.ts';
import type { MakeStore } from './contract.ts';

export function sqliteStoreUnderTest(options: Omit<SqliteEventStoreOptions, 'file'> = {}): MakeStore {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
    const file = join(dir, 'events.db');
    const store = await SqliteEventStore.open({ ...options, file });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
      tamper: async (streamName, revision, change) => {
        const raw = new Database(file);
        try {
          for (const column of ['data', 'metadata'] as const) {
            const text = change[column];
            if (text !== undefined) raw.prepare(`UPDATE events SET ${column} = ? WHERE stream = ? AND revision = ?`).run(text, streamName, revision);
          }
        } finally {
          raw.close();
        }
      },
    };
  };
}
