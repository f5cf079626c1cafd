// The SQLite adapter with its writer on a worker thread (writerThread: true, as src/main.ts opens
// it): the whole store contract unchanged, then what the thread boundary could break: group
// commit, conflicts failing only their own append, storage refusals arriving as
// EVENT_STORE_UNAVAILABLE with the SQLite code, close() writing what is queued, and live
// subscribers woken by the thread's commits without waiting for the data_version poll.
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WrongExpectedVersionError, type EventData } from '../../src/store/port.ts';
import { EventStoreUnavailableError } from '../../src/store/unavailable.ts';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../../src/store/sqlite/sqlite-event-store.ts';
import { sqliteStoreUnderTest } from './sqlite-under-test.ts';
import { bounded, eventStoreContract, nextMessage } from './contract.ts';
import { tempDir } from '../helpers/temp-store.ts';

const event = (type = 'Happened', data: EventData['data'] = {}): EventData => ({ id: randomUUID(), type, data, metadata: {} });
const stream = () => `consultation-${randomUUID()}`;

function threadStore(t: Test, options: Partial<SqliteEventStoreOptions> = {}) {
  const file = path.join(tempDir(t, 'sqlite-thread-'), 'events.sqlite');
  const store = new SqliteEventStore({ ...options, file, writerThread: true });
  t.teardown(() => store.close());
  return { store, file };
}

t.test('contract', async (t) => {
  eventStoreContract(t, sqliteStoreUnderTest({ writerThread: true }));
});

t.test('appends made in the same tick share one transaction on the thread', async (t) => {
  const { store, file } = threadStore(t);
  await store.append(stream(), [event()], 'no_stream');
  const walSize = () => statSync(`${file}-wal`).size;
  const before = walSize();
  const results = await Promise.all(Array.from({ length: 200 }, () => store.append(stream(), [event()], 'no_stream')));
  t.same(new Set(results.map((r) => r.nextExpectedRevision)), new Set([0]));
  const frames = (walSize() - before) / (4096 + 24); // one commit each would be 400+ frames
  t.ok(frames < 100, `200 appends added ${frames} WAL frames`);
});

t.test('many appends in one tick to several streams: a wrong expected revision fails only its own append', async (t) => {
  const { store } = threadStore(t);
  const streams = Array.from({ length: 6 }, stream);
  const appends = streams.flatMap((s) => [
    store.append(s, [event()], 'no_stream'),
    store.append(s, [event()], 0),
    store.append(s, [event('Stale')], 0), // the append before it moved the stream to 1
    store.append(s, [event(), event()], 1),
    store.append(s, [event('Early')], 'no_stream'),
    store.append(s, [event()], 'stream_exists'),
  ]);
  const settled = await Promise.allSettled(appends);
  for (let i = 0; i < streams.length; i++) {
    const mine = settled.slice(i * 6, i * 6 + 6);
    t.same(mine.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    t.same(mine.map((r) => (r.status === 'fulfilled' ? r.value.nextExpectedRevision : null)), [0, 1, null, 3, null, 4]);
    const [stale, early] = [mine[2], mine[4]];
    t.ok(stale?.status === 'rejected' && stale.reason instanceof WrongExpectedVersionError && stale.reason.actual === 1 && stale.reason.streamName === streams[i]);
    t.ok(early?.status === 'rejected' && early.reason instanceof WrongExpectedVersionError && early.reason.actual === 3 && early.reason.expected === 'no_stream');
    t.same((await store.readStream(streams[i]!)).map((e) => e.revision), [0, 1, 2, 3, 4]);
  }
  const positions = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value.position] : []));
  for (let i = 1; i < positions.length; i++) t.ok(store.positions.compare(positions[i - 1]!, positions[i]!) < 0, 'positions increase in submission order');
});

t.test('a retried append (same ids after the expected revision) reports the first write again', async (t) => {
  const { store } = threadStore(t);
  const s = stream();
  const batch = [event(), event()];
  const first = await store.append(s, batch, 'no_stream');
  const again = await store.append(s, batch, 'no_stream');
  t.equal(again.nextExpectedRevision, first.nextExpectedRevision);
  t.equal(store.positions.compare(again.position, first.position), 0);
  t.equal((await store.readStream(s)).length, 2);
});

t.test('a payload that cannot be serialised fails its own append on the main thread', async (t) => {
  const { store } = threadStore(t);
  const s = stream();
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const [bad, good] = await Promise.allSettled([store.append(s, [event('Bad', circular as EventData['data'])], 'any'), store.append(s, [event()], 'no_stream')]);
  t.ok(bad.status === 'rejected' && bad.reason instanceof TypeError, 'JSON.stringify refused it');
  t.equal(good.status, 'fulfilled');
  t.equal((await store.readStream(s)).length, 1);
});

t.test('a commit the thread writes wakes a live subscriber at once, without the data_version poll', async (t) => {
  const { store } = threadStore(t, { pollIntervalMs: 600_000 });
  const it = store.subscribeToAll()[Symbol.asyncIterator]();
  t.teardown(() => it.return?.());
  t.equal((await nextMessage(it, 'caught-up')).kind, 'caught-up');
  const waiting = it.next(); // the subscription reads, finds nothing, and waits for a change
  const e = event();
  await store.append(stream(), [e], 'no_stream');
  const message = await bounded(waiting, 'the live event');
  t.same(message.done ? null : message.value.kind === 'event' && message.value.event.id, e.id);
});

t.test('a write lock held past the busy timeout: EVENT_STORE_UNAVAILABLE with SQLITE_BUSY, then writes resume', async (t) => {
  const { store, file } = threadStore(t, { busyTimeoutMs: 50 });
  const s = stream();
  await store.append(s, [event()], 'no_stream');
  const intruder = new Database(file);
  t.teardown(() => intruder.close());
  intruder.exec('BEGIN IMMEDIATE');
  const refused = await Promise.allSettled([store.append(s, [event()], 0), store.append(stream(), [event()], 'any')]);
  for (const r of refused) {
    t.ok(r.status === 'rejected' && r.reason instanceof EventStoreUnavailableError, 'refused as unavailable');
    t.match(r.status === 'rejected' ? r.reason : null, { code: 'EVENT_STORE_UNAVAILABLE', status: 503, cause: { code: 'SQLITE_BUSY' } });
  }
  await t.rejects(store.probeWrite(), { code: 'EVENT_STORE_UNAVAILABLE' }, 'the probe write fails too');
  intruder.exec('ROLLBACK');
  await t.resolves(store.probeWrite(), 'the probe write succeeds once the lock is gone');
  t.equal((await store.append(s, [event()], 0)).nextExpectedRevision, 1, 'and appends go on where they were');
  await t.rejects(store.append(s, [event()], 0), WrongExpectedVersionError, 'a wrong revision is still the caller\'s error');
});

// a tmpfs of 512 KiB (mounting needs root, as on the developers' and CI machines)
const fullDir = mkdtempSync(path.join(tmpdir(), 'sqlite-thread-full-'));
const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'tmpfs', fullDir], { encoding: 'utf8' });
t.teardown(() => {
  if (mount.status === 0) spawnSync('umount', ['-l', fullDir]);
  rmSync(fullDir, { recursive: true, force: true });
});
const noTmpfs = mount.status === 0 ? false : `a tmpfs cannot be mounted here (${(mount.stderr || mount.error?.message || 'mount failed').trim()}); the SQLITE_BUSY test crosses the same path`;

t.test('a full disk (a real tmpfs): every append of the refused commit is EVENT_STORE_UNAVAILABLE with SQLITE_FULL; acknowledged ones stay', { skip: noTmpfs }, async (t) => {
  const file = path.join(fullDir, 'events.sqlite');
  const store = new SqliteEventStore({ file, writerThread: true });
  const filler = () => event('Filler', { text: 'x'.repeat(4000) });
  let acknowledged = 0;
  let failure: unknown = null;
  for (let i = 0; i < 1000 && failure === null; i++) {
    const group = await Promise.allSettled(Array.from({ length: 4 }, () => store.append(stream(), [filler()], 'no_stream')));
    for (const r of group) {
      if (r.status === 'fulfilled') acknowledged++;
      else failure ??= r.reason;
    }
  }
  t.ok(acknowledged > 0, `${acknowledged} appends acknowledged before the disk was full`);
  t.type(failure, EventStoreUnavailableError);
  t.match(failure, { code: 'EVENT_STORE_UNAVAILABLE', cause: { code: /^SQLITE_(FULL|IOERR)/ } });
  await store.close();
  const reopened = new SqliteEventStore({ file });
  t.teardown(() => reopened.close());
  t.equal((await reopened.readAll()).length, acknowledged, 'every acknowledged append is in the file, nothing else');
});

t.test('close() writes the appends still queued, answers them, and ends the thread', async (t) => {
  const file = path.join(tempDir(t, 'sqlite-thread-'), 'events.sqlite');
  const store = new SqliteEventStore({ file, writerThread: true });
  const s = stream();
  const queued = Array.from({ length: 20 }, (_, i) => store.append(s, [event()], i === 0 ? 'no_stream' : i - 1));
  await store.close();
  t.same((await Promise.all(queued)).map((r) => r.nextExpectedRevision), Array.from({ length: 20 }, (_, i) => i));
  await t.rejects(store.append(s, [event()], 19), /closed/);
  await t.rejects(store.probeWrite(), /closed/);
  await store.close(); // a second close is a no-op
  const reopened = new SqliteEventStore({ file });
  t.teardown(() => reopened.close());
  t.equal((await reopened.readStream(s)).length, 20);
});
