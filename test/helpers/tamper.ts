// Damaging a stored history behind the service's back, as a failing disk or an intruder would:
// on an SQLite file through its own connection (better-sqlite3), or on the EventStoreDB protocol
// double by rewriting an event's bytes. Each kind of damage says how `consult verify` and the
// service report it.
import Database from 'better-sqlite3';
import type { TestEventStoreDB } from '../esdb/test-server.ts';
import type { EventStore } from '../../src/store/port.ts';

export type Tampering = 'a changed byte in data' | 'a deleted event' | 'a changed actor' | 'unparseable data';

export const TAMPERINGS: readonly Tampering[] = ['a changed byte in data', 'a deleted event', 'a changed actor', 'unparseable data'];

/** The damage reported for a tampering at `revision` (a deleted event is missed where it was). */
export function expectedDamage(kind: Tampering, revision: number): { revision: number; reason: string | RegExp } {
  switch (kind) {
    case 'a deleted event':
      return { revision, reason: `expected revision ${revision}, found ${revision + 1}` };
    case 'unparseable data':
      return { revision, reason: /^data is not valid JSON: / };
    default:
      return { revision, reason: 'hash does not match the event\'s content' };
  }
}

/** One letter of the first string value, changed in case: still valid JSON, one byte different. */
export function changeOneByte(json: string): string {
  const at = json.search(/":"[a-z]/);
  if (at < 0) throw new Error(`no string value to alter in ${json}`);
  const i = at + 3;
  return `${json.slice(0, i)}${json[i]!.toUpperCase()}${json.slice(i + 1)}`;
}

export function changeActor(metadataJson: string): string {
  const metadata = JSON.parse(metadataJson) as { actor: { id: string } };
  metadata.actor.id = 'someone-else';
  return JSON.stringify(metadata);
}

export const UNPARSEABLE = '{"text": "cut off in the midd';

/** Tampers with one event of an SQLite event store file (the service may have it open). */
export function tamperSqlite(file: string, streamName: string, revision: number, kind: Tampering): void {
  const db = new Database(file);
  try {
    const row = db.prepare('SELECT data, metadata FROM events WHERE stream = ? AND revision = ?').get(streamName, revision) as { data: string; metadata: string } | undefined;
    if (!row) throw new Error(`no event ${streamName}@${revision} to tamper with`);
    const update = (column: 'data' | 'metadata', value: string) =>
      db.prepare(`UPDATE events SET ${column} = ? WHERE stream = ? AND revision = ?`).run(value, streamName, revision);
    switch (kind) {
      case 'a changed byte in data': update('data', changeOneByte(row.data)); break;
      case 'a changed actor': update('metadata', changeActor(row.metadata)); break;
      case 'unparseable data': update('data', UNPARSEABLE); break;
      case 'a deleted event': db.prepare('DELETE FROM events WHERE stream = ? AND revision = ?').run(streamName, revision); break;
    }
  } finally {
    db.close();
  }
}

/** Rows of one stream in an SQLite file, counted behind the service's back. */
export function countRows(file: string, streamName: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events WHERE stream = ?').get(streamName) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The tamperings the EventStoreDB double can do (its events cannot be deleted). */
export const ESDB_TAMPERINGS: readonly Tampering[] = ['a changed byte in data', 'a changed actor', 'unparseable data'];

/** Tampers with one event on the EventStoreDB protocol double, reading its bytes through `store`. */
export async function tamperEsdb(server: TestEventStoreDB, store: EventStore, streamName: string, revision: number, kind: Tampering): Promise<void> {
  const [event] = await store.readStream(streamName, { fromRevision: revision, maxCount: 1 });
  if (!event || event.revision !== revision) throw new Error(`no event ${streamName}@${revision} to tamper with`);
  switch (kind) {
    case 'a changed byte in data': server.tamper(streamName, revision, { data: changeOneByte(JSON.stringify(event.data)) }); break;
    case 'a changed actor': server.tamper(streamName, revision, { metadata: changeActor(JSON.stringify(event.metadata)) }); break;
    case 'unparseable data': server.tamper(streamName, revision, { data: UNPARSEABLE }); break;
    case 'a deleted event': throw new Error('the EventStoreDB double cannot delete an event');
  }
}
