// The SQLite view store as the contract suite takes it (view-store-contract.ts), with or without
// its writer thread: a store on a fresh file in a temp directory, removed after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteViewStore, type SqliteViewStoreOptions } from '../../src/views/sqlite-view-store.ts';
import type { ViewStore } from '../../src/views/view-store.ts';
import { put, type OpenViewStore } from './view-store-contract.ts';

export function sqliteViewStoreUnderTest(options: Omit<SqliteViewStoreOptions, 'file'> = {}): OpenViewStore {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sqlite-views-'));
    const store = await SqliteViewStore.open({ ...options, file: join(dir, 'views.sqlite') });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

/**
 * A commit after another on `store`, each writing about 5 MB of new pages (more than SQLite's
 * default 4 MB between copies of the WAL into the file), for the tests of WAL checkpoints.
 */
export function fiveMbCommits(store: ViewStore): () => Promise<void> {
  let position = 0;
  return async () => {
    const changes = Array.from({ length: 50 }, (_, i) => put('big', `k${position}-${i}`, { text: 'x'.repeat(100_000) }));
    await store.commit('c', position === 0 ? null : String(position), String(position + 1), changes);
    position++;
  };
}
