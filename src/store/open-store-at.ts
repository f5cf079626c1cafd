// Opens a store named on the command line: an EventStoreDB connection string or an SQLite file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { EventStore } from './port.ts';
import { SqliteEventStore } from './sqlite/sqlite-event-store.ts';

const ESDB_URL = /^esdb(\+discover)?:\/\//i;

/** A store that must already exist does not: nothing was created in its place. */
export class MissingStoreError extends Error {
  constructor(readonly file: string, hint?: string) {
    super(`no SQLite event store at ${file}${hint ? `; ${hint}` : ''}`);
    this.name = 'MissingStoreError';
  }
}

export async function openStoreAt(
  spec: string,
  options: { mustExist: boolean; logger?: Logger; synchronous?: 'FULL' | 'NORMAL'; missingHint?: string; writerThread?: boolean },
): Promise<EventStore> {
  if (ESDB_URL.test(spec)) {
    const { EsdbEventStore } = await import('./esdb/esdb-event-store.ts'); // loaded only for EventStoreDB (see open-store.ts)
    return EsdbEventStore.open({ url: spec, ...(options.logger ? { logger: options.logger } : {}) });
  }
  const file = path.resolve(spec);
  if (options.mustExist && !existsSync(file)) throw new MissingStoreError(file, options.missingHint);
  return SqliteEventStore.open({
    file,
    ...(options.synchronous ? { synchronous: options.synchronous } : {}),
    ...(options.writerThread ? { writerThread: true } : {}),
  });
}
