// The SQLite adapter when the storage refuses writes, on any machine: SQLITE_FULL injected with
// SQLite's own PRAGMA max_page_count (the file may not grow past it) on the writer's connection.
// A refused commit rejects every append it held with EVENT_STORE_UNAVAILABLE, what was
// acknowledged before stays, and the probe write fails until there is room again.
// (test/http/full-disk.test.ts fills a real tmpfs.)
import t from 'tap';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { EventStoreUnavailableError } from '../../src/store/unavailable.ts';
import { WrongExpectedVersionError, type EventData } from '../../src/store/port.ts';
import { asStoreError, GroupCommitWriter } from '../../src/store/sqlite/group-commit.ts';
import { openDatabase } from '../../src/store/sqlite/schema.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

const event = (): EventData => ({ id: randomUUID(), type: 'Filler', data: { text: 'x'.repeat(2000) }, metadata: {} });

t.test('a commit the disk refuses: every append it held is EVENT_STORE_UNAVAILABLE; acknowledged ones stay; writes resume once there is room', async (t) => {
  const db = openDatabase(path.join(tempDir(t), 'events.sqlite'), 'FULL', 1000);
  t.teardown(() => db.close());
  const writer = new GroupCommitWriter(db, () => {});
  db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true })) + 12}`);

  let acknowledged = 0;
  let failure: unknown = null;
  for (let i = 0; i < 500 && failure === null; i++) {
    try {
      await writer.submit('stream-a', [event()], 'any');
      acknowledged++;
    } catch (error) {
      failure = error;
    }
  }
  t.ok(acknowledged > 0, `${acknowledged} appends acknowledged before the file was full`);
  t.type(failure, EventStoreUnavailableError);
  t.match(failure, { code: 'EVENT_STORE_UNAVAILABLE', status: 503, cause: { code: 'SQLITE_FULL' } });

  // a whole group submitted in one tick fails together, and says why
  const group = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => writer.submit(`stream-${i}`, [event()], 'any')));
  t.strictSame(group.map((r) => r.status === 'rejected' && (r.reason as { code?: unknown }).code), Array(5).fill('EVENT_STORE_UNAVAILABLE'));
  t.throws(() => writer.probe(), { code: 'EVENT_STORE_UNAVAILABLE' }, 'the probe write fails too');
  t.equal(db.inTransaction, false, 'no transaction is left open');
  t.equal((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, acknowledged, 'every acknowledged append is there, nothing else');

  db.pragma('max_page_count = 1073741823');
  t.doesNotThrow(() => writer.probe(), 'the probe write succeeds once there is room');
  await t.resolves(writer.submit('stream-a', [event()], 'any'), 'and appends go on');
  // a wrong expected revision is still the caller's error, not the store's
  await t.rejects(writer.submit('stream-a', [event()], 0), WrongExpectedVersionError);
});

t.test('which SQLite errors say "the storage refuses writes"', async (t) => {
  const sqlite = (code: string) => Object.assign(new Error(code), { code });
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_PERM']) {
    t.type(asStoreError(sqlite(code)), EventStoreUnavailableError, code);
  }
  for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_CORRUPT', 'SQLITE_MISMATCH']) {
    const error = sqlite(code);
    t.equal(asStoreError(error), error, `${code} is the caller's or the file's problem: passed on as it is`);
  }
  const plain = new Error('boom');
  t.equal(asStoreError(plain), plain, 'other errors pass through unchanged');
});

t.test('probeWrite: a write outside every stream; reads never see it', async (t) => {
  const { store, file } = tempStore(t);
  await store.append('consultation-x', [event()], 'no_stream');
  await t.resolves(store.probeWrite());
  await t.resolves(store.probeWrite(), 'again (the side table exists now)');
  t.equal((await store.readAll()).length, 1);
  await store.close();
  await t.rejects(store.probeWrite(), /closed/);
  const reopened = new SqliteEventStore({ file });
  t.teardown(() => reopened.close());
  t.equal((await reopened.readAll()).length, 1, 'the file opens as before');
});
