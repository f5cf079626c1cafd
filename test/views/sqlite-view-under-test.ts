// The SQLite view store as the contract suite takes it (view-store-contract.ts), with or without
// its writer thread: a store on a fresh file in a temp directory, removed after.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteViewStore, type SqliteViewStoreOptions } from '../../src/views/sqlite-view-store.ts';
import type { OpenViewStore } from './view-store-contract.ts';

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
