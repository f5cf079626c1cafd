// Picks the event store adapter from the configuration. Only composition roots call this.
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Logger } from 'pino';
import { EsdbEventStore } from './esdb/esdb-event-store.ts';
import { openStoreAt } from './open-store-at.ts';
import type { EventStore } from './port.ts';

export interface OpenedStore {
  store: EventStore;
  kind: 'sqlite' | 'eventstoredb';
  /** where the events live, for the start-up log (never with credentials) */
  location: string;
}

/**
 * The store the settings name. `mustExist` (commands that only read a store, such as `consult
 * verify`): a missing SQLite file is a MissingStoreError naming it and DATA_DIR, and nothing is created.
 */
export async function openEventStore(config: Config, logger?: Logger, options: { mustExist?: boolean } = {}): Promise<OpenedStore> {
  if (config.EVENTSTORE_URL) {
    const store = await EsdbEventStore.open({ url: config.EVENTSTORE_URL, ...(logger ? { logger } : {}) });
    return { store, kind: 'eventstoredb', location: store.location };
  }
  const file = path.join(config.dataDir, 'events.sqlite');
  const store = await openStoreAt(file, {
    mustExist: options.mustExist ?? false,
    synchronous: config.SQLITE_SYNCHRONOUS,
    missingHint: "set DATA_DIR to the server's data directory",
  });
  return { store, kind: 'sqlite', location: file };
}
