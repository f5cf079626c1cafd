// Picks the event store adapter from the configuration. Only composition roots call this.
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Logger } from 'pino';
import { EsdbEventStore } from './esdb/esdb-event-store.ts';
import type { EventStore } from './port.ts';
import { SqliteEventStore } from './sqlite/sqlite-event-store.ts';

export interface OpenedStore {
  store: EventStore;
  kind: 'sqlite' | 'eventstoredb';
  /** where the events live, for the start-up log (never with credentials) */
  location: string;
}

export async function openEventStore(config: Config, logger?: Logger): Promise<OpenedStore> {
  if (config.EVENTSTORE_URL) {
    const store = await EsdbEventStore.open({ url: config.EVENTSTORE_URL, ...(logger ? { logger } : {}) });
    return { store, kind: 'eventstoredb', location: store.location };
  }
  const file = path.join(config.dataDir, 'events.sqlite');
  const store = await SqliteEventStore.open({ file, synchronous: config.SQLITE_SYNCHRONOUS });
  return { store, kind: 'sqlite', location: file };
}
