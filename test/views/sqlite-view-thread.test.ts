// The SQLite view store with its commits on a worker thread (writerThread: true, as src/main.ts
// opens it): the whole view store contract unchanged, then what the thread boundary could break:
// checks and serialisation on the calling thread, errors rebuilt with their class and code,
// submission order (also around drop and setMeta, which stay on the main thread), close() writing
// what is queued, reads and waits seeing the thread's commits, the WAL pragmas on the connection
// that writes, and a thread that dies.
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteViewStore, type SqliteViewStoreOptions } from '../../src/views/sqlite-view-store.ts';
import { CheckpointConflictError, ViewStoreClosedError, type ViewChange } from '../../src/views/view-store.ts';
import type { ViewWriter } from '../../src/views/view-writer.ts';
import { fiveMbCommits, sqliteViewStoreUnderTest } from './sqlite-view-under-test.ts';
import { bounded, put, rejection, unique, viewStoreContract } from './view-store-contract.ts';

t.setTimeout(180_000);

async function tempFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-views-thread-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'views.sqlite');
}

async function threadStore(t: Test, options: Partial<SqliteViewStoreOptions> = {}) {
  const file = await tempFile(t);
  const store = new SqliteViewStore({ writerThread: true, ...options, file });
  t.teardown(() => store.close()); // teardowns run in reverse: the store closes before its dir goes
  return { store, file };
}

/** The store's writer thread (private): to count what reaches it, or to kill it. */
const threadOf = (store: SqliteViewStore) => (store as unknown as { thread: ViewWriter }).thread;
const workerOf = (store: SqliteViewStore) => (threadOf(store) as unknown as { worker: import('node:worker_threads').Worker }).worker;

t.test('contract', async (t) => {
  viewStoreContract(t, sqliteViewStoreUnderTest({ writerThread: true }));
});

t.test('a refused change rejects its commit on the calling thread: the same error as in-thread, nothing sent', async (t) => {
  const { store } = await threadStore(t);
  const { store: inThread } = await threadStore(t, { writerThread: false });
  const thread = threadOf(store);
  const sent: unknown[] = [];
  const commit = thread.commit.bind(thread);
  thread.commit = (...args) => {
    sent.push(args);
    return commit(...args);
  };
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const bad: ViewChange[][] = [
    [put('docs', 'ok', {}), { collection: 'docs', key: 'k', doc: circular } as unknown as ViewChange],
    [put('docs', 'k', {}, 1.5)],
    [{ collection: '', key: 'k', doc: {} }],
  ];
  for (const changes of bad) {
    const [threaded, local] = await Promise.all([rejection(store.commit('c', null, '1', changes)), rejection(inThread.commit('c', null, '1', changes))]);
    t.ok(threaded instanceof TypeError || threaded instanceof RangeError, (threaded as Error).name);
    t.equal((threaded as Error).constructor, (local as Error).constructor, 'the same class as in-thread');
    t.equal((threaded as Error).message, (local as Error).message, 'the same message');
  }
  t.same(sent, [], 'no refused commit reached the thread');
  t.equal(await store.checkpoint('c'), null);

  // serialised before commit returns: a document changed by its caller afterwards is written as it was
  const doc = { v: 1 };
  const committed = store.commit('c', null, '1', [put('docs', 'k', doc)]);
  doc.v = 2;
  await committed;
  t.same((await store.get('docs', 'k'))?.doc, { v: 1 });
  t.equal(sent.length, 1);
});

t.test('a checkpoint conflict crosses the wire as CheckpointConflictError and fails only its own commit; commits run in submission order', async (t) => {
  const { store } = await threadStore(t);
  const consumer = unique('consumer');
  const c = unique('docs');
  const settled = await Promise.allSettled([
    store.commit(consumer, null, '1', [put(c, 'a', { n: 1 })]),
    store.commit(consumer, null, '2', [put(c, 'b', { n: 2 })]), // expected null, but the commit before moved it to 1
    store.commit(consumer, '1', '3', [put(c, 'a', { n: 3 })]),
  ]);
  t.same(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
  const conflict = settled[1]!.status === 'rejected' ? settled[1]!.reason : null;
  t.ok(conflict instanceof CheckpointConflictError, 'CheckpointConflictError');
  t.match(conflict, { code: 'CHECKPOINT_CONFLICT', consumer, expected: null, actual: '1' });
  t.equal((await store.checkpoint(consumer))?.position, '3');
  t.same(await store.list(c), [{ key: 'a', order: 0, doc: { n: 3 } }], 'the conflicting commit wrote nothing');
});

t.test('commits queued then close(): every one settles and is in the file', async (t) => {
  const file = await tempFile(t);
  const store = new SqliteViewStore({ file, writerThread: true });
  const consumer = unique('consumer');
  const queued = Array.from({ length: 50 }, (_, i) =>
    store.commit(consumer, i === 0 ? null : String(i), String(i + 1), [put('docs', `k${i}`, { i }, i)]),
  );
  await store.close();
  const settled = await Promise.allSettled(queued);
  t.same(settled.filter((s) => s.status !== 'fulfilled'), [], 'every queued commit was written');
  t.ok((await rejection(store.commit(consumer, '50', '51', []))) instanceof ViewStoreClosedError, 'a commit after close is refused');
  t.ok((await rejection(store.get('docs', 'k0'))) instanceof ViewStoreClosedError);
  await store.close(); // a second close is harmless

  const reopened = new SqliteViewStore({ file });
  t.teardown(() => reopened.close());
  t.equal((await reopened.checkpoint(consumer))?.position, '50');
  t.equal(await reopened.count('docs'), 50);
  t.same((await reopened.get('docs', 'k49'))?.doc, { i: 49 });
});

t.test('the write lock held elsewhere past the busy timeout: SQLITE_BUSY with its code, then commits resume', async (t) => {
  const { store, file } = await threadStore(t, { busyTimeoutMs: 50 });
  const consumer = unique('consumer');
  await store.commit(consumer, null, '1', []);
  const intruder = new Database(file);
  t.teardown(() => intruder.close());
  intruder.exec('BEGIN IMMEDIATE');
  const refused = await rejection(store.commit(consumer, '1', '2', [put('fresh', 'k', { v: 1 })]));
  t.ok(refused instanceof Database.SqliteError, `better-sqlite3's SqliteError (${String(refused)})`);
  t.match(refused, { code: 'SQLITE_BUSY' });
  intruder.exec('ROLLBACK');
  t.equal((await store.checkpoint(consumer))?.position, '1', 'the refused commit moved nothing');
  await store.commit(consumer, '1', '2', [put('fresh', 'k', { v: 2 })]);
  t.same((await store.get('fresh', 'k'))?.doc, { v: 2 });
});

t.test('a commit that rolls back on the thread: the collection ids it took are not kept by either thread', async (t) => {
  const { store, file } = await threadStore(t);
  await store.commit('c', null, '1', []);
  const raw = new Database(file);
  raw.exec("CREATE TRIGGER boom BEFORE INSERT ON view_docs WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END");
  const failed = await rejection(store.commit('c', '1', '2', [put('fresh', 'k', { v: 1 }), put('fresh', 'boom', { v: 0 })]));
  raw.exec('DROP TRIGGER boom');
  raw.close();
  t.ok(failed instanceof Database.SqliteError && /boom/.test(failed.message), String(failed));
  t.equal(await store.count('fresh'), 0);
  t.equal((await store.checkpoint('c'))?.position, '1');
  await store.commit('c', '1', '2', [put('other', 'k', { v: 2 }), put('fresh', 'k', { v: 3 })]);
  t.same(await store.list('other'), [{ key: 'k', order: 0, doc: { v: 2 } }], 'each collection holds only its own document');
  t.same(await store.list('fresh'), [{ key: 'k', order: 0, doc: { v: 3 } }]);
});

t.test('reads right after a resolved commit see it', async (t) => {
  const { store } = await threadStore(t);
  const consumer = unique('consumer');
  const c = unique('docs');
  for (let i = 1; i <= 30; i++) {
    await store.commit(consumer, i === 1 ? null : String(i - 1), String(i), [put(c, `k${i}`, { i }, i), ...(i > 1 ? [{ collection: c, key: `k${i - 1}`, doc: null }] : [])]);
    t.same(await store.get(c, `k${i}`), { key: `k${i}`, order: i, doc: { i } }, `get after commit ${i}`);
    t.equal(await store.count(c), 1);
    t.same((await store.list(c)).map((d) => d.key), [`k${i}`]);
    t.equal((await store.checkpoint(consumer))?.position, String(i));
  }
});

t.test('waits see the thread\'s commits: at once on this store (no poll), by data_version on a second store', async (t) => {
  const { store, file } = await threadStore(t, { pollIntervalMs: 600_000 });
  const other = new SqliteViewStore({ file });
  t.teardown(() => other.close());
  const consumer = unique('consumer');
  const mine = store.waitForCheckpoint(consumer, (p) => p === '1', 10_000);
  const theirs = other.waitForCheckpoint(consumer, (p) => p === '1', 10_000);
  await store.commit(consumer, null, '1', [put('docs', 'k', { by: 'thread' })]);
  await t.resolves(bounded(mine, 'this store\'s wait (notifyLocal: its poll is 10 minutes)', 2000));
  await t.resolves(bounded(theirs, 'the other store\'s wait (data_version)'));
  t.same((await other.get('docs', 'k'))?.doc, { by: 'thread' });
});

t.test('drop and setMeta run after the commits asked for before them, and before those asked for after', async (t) => {
  const { store } = await threadStore(t);
  const consumer = unique('consumer');
  const c = unique('docs');
  const calls = [
    store.commit(consumer, null, '1', [put(c, 'before', {})]),
    store.drop([c]),
    store.commit(consumer, '1', '2', [put(c, 'after', {})]),
    store.setMeta('m', 'one'),
    store.commit(consumer, '2', '3', []),
    store.setMeta('m', 'two'),
  ];
  await Promise.all(calls);
  t.same((await store.list(c)).map((d) => d.key), ['after'], 'the drop removed the document written before it, not the one after');
  t.equal(await store.getMeta('m'), 'two');
  t.equal((await store.checkpoint(consumer))?.position, '3');
});

t.test('forgetReplaced, after the commits queued before it, leaves no old page image in the WAL or the file', async (t) => {
  const { store, file } = await threadStore(t);
  const secret = `secret-${unique('s')}`;
  await store.commit('c', null, '1', [put('people', 'p', { name: secret })]);
  const replaced = store.commit('c', '1', '2', [put('people', 'p', { name: 'erased' })]); // not awaited
  await store.forgetReplaced();
  await replaced;
  t.equal(statSync(`${file}-wal`).size, 0, 'the WAL is empty: the checkpoint ran after the replacing commit');
  t.notOk(readFileSync(file).includes(secret), 'the file holds no copy of the replaced document');
  t.same((await store.get('people', 'p'))?.doc, { name: 'erased' });
});

t.test('catching up sets wal_autocheckpoint on the thread\'s connection, the one that writes (and on the main one)', async (t) => {
  const { store, file } = await threadStore(t, { synchronous: 'NORMAL' });
  const wal = () => statSync(`${file}-wal`).size;
  const MB = 1024 * 1024;
  const commitFiveMb = fiveMbCommits(store);
  for (let i = 0; i < 2; i++) await commitFiveMb();
  t.ok(wal() < 8 * MB, `live: the WAL is copied after each commit (${(wal() / MB).toFixed(1)} MB)`);
  await store.catchingUp(true);
  for (let i = 0; i < 4; i++) {
    await commitFiveMb();
    await store.setMeta('between', String(i)); // a write on the main connection does not copy the WAL either
  }
  const catching = wal();
  t.ok(catching > 18 * MB, `catching up: four commits stay in the WAL (${(catching / MB).toFixed(1)} MB)`);
  await store.catchingUp(false);
  await commitFiveMb();
  t.equal(wal(), catching, 'live again: copied at once, and after each commit again');
});

t.test('a writer thread that dies fails the commit in flight and every later one; close still works', async (t) => {
  const { store } = await threadStore(t);
  const consumer = unique('consumer');
  await store.commit(consumer, null, '1', []);
  const inFlight = store.commit(consumer, '1', '2', Array.from({ length: 20_000 }, (_, i) => put('docs', `k${i}`, { i })));
  await workerOf(store).terminate();
  const [first, later] = [await rejection(inFlight), await rejection(store.commit(consumer, '1', '2', []))];
  t.match(String(first), /writer thread ended/);
  t.match(String(later), /writer thread ended/);
  t.equal(await store.count('docs'), 0, 'the reads still work (this thread\'s connection)');
  await t.resolves(store.close());
});

t.test('a lease heartbeat goes through the thread: with the write lock held elsewhere the event loop runs on, and the lease is kept', async (t) => {
  const { store, file } = await threadStore(t, { leaseTtlMs: 600 }); // a beat every 200 ms
  const lease = await store.acquireWriter('projection');
  let lost = false;
  lease.onLost(() => { lost = true; });
  const raw = new Database(file);
  t.teardown(() => raw.close());
  const beats = () => raw.prepare<[], { heartbeat_at: number }>('SELECT heartbeat_at FROM view_writers').get()!.heartbeat_at;
  const before = beats();
  // another connection holds the write lock for a second: a beat due meanwhile waits for it. On
  // this thread it would block the event loop, and the COMMIT below could not run until it gave up.
  raw.exec('BEGIN IMMEDIATE');
  let widest = 0;
  let last = performance.now();
  const ticks = setInterval(() => {
    const now = performance.now();
    widest = Math.max(widest, now - last);
    last = now;
  }, 10);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  raw.exec('COMMIT');
  await new Promise((resolve) => setTimeout(resolve, 400));
  clearInterval(ticks);
  t.ok(widest < 500, `the event loop never stalled while a beat waited (widest gap ${widest.toFixed(0)} ms)`);
  t.ok(beats() > before, 'the heartbeat was written once the lock was free');
  t.equal(lost, false, 'the lease is still held');
  await lease.release();
});
