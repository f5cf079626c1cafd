// Opens a store named on the command line: an EventStoreDB connection string or an SQLite file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { EsdbEventStore } from './esdb/esdb-event-store.ts';
import type { EventStore } from './port.ts';
import { SqliteEventStore } from './sqlite/sqlite-event-store.ts';

const ESDB_URL = /^esdb(\+discover)?:\/\//i;

export async function openStoreAt(spec: string, options: { mustExist: boolean; logger?: Logger }): Promise<EventStore> {
  if (ESDB_URL.test(spec)) return EsdbEventStore.open({ url: spec, ...(options.logger ? { logger: options.logger } : {}) });
  const file = path.resolve(spec);
  if (options.mustExist && !existsSync(file)) throw new Error(`no SQLite event store at ${file}`);
  return SqliteEventStore.open({ file });
}
