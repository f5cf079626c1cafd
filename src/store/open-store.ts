// Picks the event store adapter from the configuration. Only composition roots call this.
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Logger } from 'pino';
import { openStoreAt } from './open-store-at.ts';
import type { EventStore } from './port.ts';
import { PersonalDataStore } from '../privacy/personal-store.ts';
import type { KeyStore } from '../privacy/key-store.ts';
import { SqliteKeyStore } from '../privacy/sqlite-key-store.ts';

export interface OpenedStore {
  store: EventStore;
  kind: 'sqlite' | 'eventstoredb';
  /** where the events live, for the start-up log (never with credentials) */
  location: string;
  /** where the keys of personal data are, for the start-up log (absent: no key store opened) */
  keyStore?: string;
}

/** Where the keys of personal data are kept without DATABASE_URL: DATA_DIR/keys.sqlite (see privacy/key-store.ts). */
export function keyStoreFile(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'keys.sqlite');
}

/**
 * The store the settings name, read and written through the key store of personal data
 * (beside the views: in PostgreSQL with DATABASE_URL, in the view store's schema, where every
 * replica shares it; else DATA_DIR/keys.sqlite), so that personal values are sealed when stored
 * and opened when read. Moving to PostgreSQL, an existing keys.sqlite is imported once.
 * `mustExist` (commands that only read a store, such as `consult verify`): a missing SQLite file
 * is a MissingStoreError naming it and DATA_DIR, and nothing is created. `personalKeys: false`
 * (the chain checks, which never open a personal value): the store as it is, no key store opened.
 * `writerThread` (the server): SQLite commits on a worker thread (see sqlite-event-store.ts).
 */
export async function openEventStore(config: Config, logger?: Logger, options: { mustExist?: boolean; personalKeys?: boolean; writerThread?: boolean } = {}): Promise<OpenedStore> {
  const opened = await openRawEventStore(config, logger, options);
  if (options.personalKeys === false) return opened;
  let keys: KeyStore;
  let keyStore: string;
  try {
    if (config.DATABASE_URL) {
      const schema = config.DATABASE_SCHEMA ?? 'public';
      const { PostgresKeyStore } = await import('../privacy/postgres-key-store.ts'); // pg is loaded only where it is used
      const pg = await PostgresKeyStore.open({
        connectionString: config.DATABASE_URL, schema, importFrom: keyStoreFile(config),
        onError: (error) => logger?.warn({ err: error }, 'key store: a background connection failed'),
      });
      if (pg.imported.keys > 0) {
        logger?.info({ keys: pg.imported.keys, from: keyStoreFile(config) }, `key store: imported ${pg.imported.keys} keys from ${keyStoreFile(config)} into PostgreSQL (the file is no longer used)`);
      }
      keys = pg;
      keyStore = `postgres schema ${schema}`;
    } else {
      keys = new SqliteKeyStore(keyStoreFile(config));
      keyStore = keyStoreFile(config);
    }
  } catch (error) {
    await opened.store.close();
    throw error;
  }
  return { ...opened, keyStore, store: new PersonalDataStore(opened.store, keys) };
}

async function openRawEventStore(config: Config, logger: Logger | undefined, options: { mustExist?: boolean; writerThread?: boolean }): Promise<OpenedStore> {
  if (config.EVENTSTORE_URL) {
    // loaded only here: the EventStoreDB client takes a tenth of a second to load, which a server
    // on SQLite would pay at every start
    const { EsdbEventStore } = await import('./esdb/esdb-event-store.ts');
    const store = await EsdbEventStore.open({ url: config.EVENTSTORE_URL, ...(logger ? { logger } : {}) });
    return { store, kind: 'eventstoredb', location: store.location };
  }
  const file = path.join(config.dataDir, 'events.sqlite');
  const store = await openStoreAt(file, {
    mustExist: options.mustExist ?? false,
    synchronous: config.SQLITE_SYNCHRONOUS,
    missingHint: "set DATA_DIR to the server's data directory",
    writerThread: options.writerThread ?? false,
  });
  return { store, kind: 'sqlite', location: file };
}
