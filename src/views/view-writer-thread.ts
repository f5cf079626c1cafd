// The view store's writer thread (see view-writer.ts): its own connection to the file, opened with
// the same pragmas, and the same write transaction as the in-thread store (SqliteViewWrites), so a
// commit's upserts and its COMMIT/fsync block this thread, not the API's event loop. Messages are
// handled one at a time, in the order they were posted: commits are written in submission order.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { openViewDatabase } from './sqlite-view-schema.ts';
import { SqliteViewWrites } from './sqlite-view-commit.ts';
import { otherToWire } from '../threads/wire-error.ts';
import { CheckpointConflictError } from './view-store.ts';
import type { FromViewWriter, ToViewWriter, ViewWireError, ViewWriterSettings } from './view-writer-messages.ts';

const port = parentPort!;
const settings = workerData as ViewWriterSettings;
const post = (message: FromViewWriter) => port.postMessage(message);

function toWire(error: unknown): ViewWireError {
  if (error instanceof CheckpointConflictError) {
    return { kind: 'conflict', consumer: error.consumer, expected: error.expected, actual: error.actual };
  }
  if (error instanceof Database.SqliteError) return { kind: 'sqlite', message: error.message, code: error.code };
  return otherToWire(error);
}

let db: Database.Database;
try {
  db = openViewDatabase(settings.file, settings.synchronous, settings.busyTimeoutMs);
} catch (error) {
  post({ kind: 'failed', error: toWire(error) });
  process.exit(1);
}
const writes = new SqliteViewWrites(db);
const beat = db.prepare<[number, string, string]>('UPDATE view_writers SET heartbeat_at = ? WHERE consumer = ? AND owner = ?');

function answer(id: number, run: () => number | void): void {
  let changes: number | void;
  try {
    changes = run();
  } catch (error) {
    post({ kind: 'settled', id, ok: false, error: toWire(error) });
    return;
  }
  post(changes === undefined ? { kind: 'settled', id, ok: true } : { kind: 'settled', id, ok: true, changes });
}

port.on('message', (message: ToViewWriter) => {
  switch (message.kind) {
    case 'commit':
      return answer(message.id, () => writes.commit(message.moves, message.upserts, message.deletes));
    case 'autocheckpoint':
      return answer(message.id, () => {
        db.pragma(`wal_autocheckpoint = ${message.pages}`);
        if (message.checkpoint) db.pragma('wal_checkpoint(PASSIVE)');
      });
    case 'truncate':
      return answer(message.id, () => { db.pragma('wal_checkpoint(TRUNCATE)'); });
    case 'beat':
      return answer(message.id, () => beat.run(message.at, message.consumer, message.owner).changes);
    case 'flush':
      return answer(message.id, () => {});
    case 'close':
      db.close();
      post({ kind: 'closed' });
      port.close();
      return;
  }
});
