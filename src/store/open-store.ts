// Picks the event store adapter from the configuration. Only composition roots call this.
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { EventStore } from './port.ts';
import { SqliteEventStore } from './sqlite/sqlite-event-store.ts';

export interface OpenedStore {
  store: EventStore;
  kind: 'sqlite' | 'eventstoredb';
  /** where the events live, for the start-up log (never with credentials) */
  location: string;
}

export async function openEventStore(config: Config): Promise<OpenedStore> {
  if (config.EVENTSTORE_URL) {
    throw new Error('EVENTSTORE_URL is set, but this build has no EventStoreDB adapter yet; unset it to use the embedded SQLite store');
  }
  const file = path.join(config.dataDir, 'events.sqlite');
  const store = await SqliteEventStore.open({ file, synchronous: config.SQLITE_SYNCHRONOUS });
  return { store, kind: 'sqlite', location: file };
}
