// The SQLite adapter: the shared contract on real temp files, then what only SQLite promises:
// durability across reopen (a restart resumes from the checkpoint), one file shared by several
// stores and processes (the writer lease excludes a second process; commits elsewhere reach
// waits), and batch speed.
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openViewStore } from '../../src/views/open-view-store.ts';
import { VIEW_SCHEMA_VERSION } from '../../src/views/sqlite-view-schema.ts';
import { SqliteViewStore, type SqliteViewStoreOptions } from '../../src/views/sqlite-view-store.ts';
import { WriterLostError } from '../../src/views/view-store.ts';
import { fiveMbCommits, sqliteViewStoreUnderTest } from './sqlite-view-under-test.ts';
import { bounded, put, stillPending, unique, viewStoreContract } from './view-store-contract.ts';

// Spawns child processes (tsx start-up takes a second or two on a cold cache).
t.setTimeout(180_000);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('./fixtures/writer-child.ts', import.meta.url));

async function tempDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-views-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function tempStore(t: Test, options: Partial<SqliteViewStoreOptions> = {}) {
  const file = join(await tempDir(t), 'nested', 'views.sqlite'); // the adapter creates the missing directory
  const store = new SqliteViewStore({ ...options, file });
  t.teardown(() => store.close()); // teardowns run in reverse: the store closes before its dir goes
  return { store, file };
}

t.test('contract', async (t) => {
  viewStoreContract(t, sqliteViewStoreUnderTest());
});

t.test('a reopened file has the documents and the checkpoint: a restart resumes there', async (t) => {
  const { store, file } = await tempStore(t);
  const c = unique('docs');
  await store.commit('comment-matrix@1', null, '41', [put(c, 'a', { v: 1 }, 2), put(c, 'b', { v: 2 }, 1)]);
  await store.commit('comment-matrix@1', '41', '42', [put(c, 'a', { v: 3 }, 2)]);
  await store.setMeta('comment-matrix', '1');
  await store.close();

  const raw = new Database(file, { readonly: true });
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(raw.prepare<[], { version: number }>('SELECT version FROM view_schema').get()?.version, VIEW_SCHEMA_VERSION);
  t.equal(raw.pragma('user_version', { simple: true }), 0, 'PRAGMA user_version is left to the event store');
  raw.close();

  const reopened = new SqliteViewStore({ file });
  t.teardown(() => reopened.close());
  t.equal((await reopened.checkpoint('comment-matrix@1'))?.position, '42');
  t.same(await reopened.list(c), [{ key: 'b', order: 1, doc: { v: 2 } }, { key: 'a', order: 2, doc: { v: 3 } }]);
  t.equal(await reopened.getMeta('comment-matrix'), '1');
  await reopened.commit('comment-matrix@1', '42', '43', []);
});

t.test('synchronous NORMAL opens and commits too', async (t) => {
  const { store } = await tempStore(t, { synchronous: 'NORMAL' });
  await store.commit('c', null, '1', [put('docs', 'k', {})]);
  t.equal(await store.count('docs'), 1);
});

t.test('a file from a newer version is refused with a clear message', async (t) => {
  const { store, file } = await tempStore(t);
  await store.close();
  const raw = new Database(file);
  raw.prepare('UPDATE view_schema SET version = ?').run(VIEW_SCHEMA_VERSION + 1);
  raw.close();
  t.throws(() => new SqliteViewStore({ file }), new RegExp(`view store schema version ${VIEW_SCHEMA_VERSION + 1}; this code knows up to ${VIEW_SCHEMA_VERSION}`));
});

t.test('a version 1 file (one text collection per row) is migrated: documents, orders, checkpoints and meta kept', async (t) => {
  const file = join(await tempDir(t), 'views.sqlite');
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  // version 1 as it was written (sqlite-view-schema.ts, MIGRATIONS[0]), with a few rows
  raw.exec(`CREATE TABLE view_schema (version INTEGER NOT NULL) STRICT; INSERT INTO view_schema VALUES (1);
    CREATE TABLE view_docs (collection TEXT NOT NULL, key TEXT NOT NULL, ord INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (collection, key)) STRICT;
    CREATE INDEX view_docs_by_order ON view_docs (collection, ord, key);
    CREATE TABLE view_checkpoints (consumer TEXT NOT NULL PRIMARY KEY, position TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;
    CREATE TABLE view_meta (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE view_writers (consumer TEXT NOT NULL PRIMARY KEY, owner TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL) STRICT;`);
  const insert = raw.prepare('INSERT INTO view_docs VALUES (?, ?, ?, ?)');
  insert.run('stakeholders@7', 'c1', 0, '{"n":1}');
  insert.run('stakeholders@7/stakeholders', 'c1/b', 2, '{"who":"b"}');
  insert.run('stakeholders@7/stakeholders', 'c1/a', 5, '{"who":"a"}');
  insert.run('stakeholders@7/stakeholders', 'c2/z', 1, '{"who":"z"}');
  raw.prepare('INSERT INTO view_checkpoints VALUES (?, ?, ?)').run('stakeholders@7', '17', '2026-01-01T00:00:00.000Z');
  raw.prepare('INSERT INTO view_meta VALUES (?, ?)').run('active:stakeholders', 'stakeholders@7');
  raw.close();

  const store = new SqliteViewStore({ file });
  t.teardown(() => store.close());
  t.same(await store.get('stakeholders@7', 'c1'), { key: 'c1', order: 0, doc: { n: 1 } });
  t.same((await store.list('stakeholders@7/stakeholders', { prefix: 'c1/' })).map((d) => [d.key, d.order]), [['c1/b', 2], ['c1/a', 5]]);
  t.equal(await store.count('stakeholders@7/stakeholders'), 3);
  t.equal((await store.checkpoint('stakeholders@7'))?.position, '17');
  t.equal(await store.getMeta('active:stakeholders'), 'stakeholders@7');
  // the migrated file goes on like a new one: a new collection, an update, a drop
  await store.commit('stakeholders@7', '17', '18', [put('stakeholders@7/comments', 'c1/x', { s: 'a' }), put('stakeholders@7', 'c1', { n: 2 })]);
  t.same((await store.get('stakeholders@7', 'c1'))?.doc, { n: 2 });
  await store.drop(['stakeholders@7/stakeholders']);
  t.equal(await store.count('stakeholders@7/stakeholders'), 0);
  t.equal(await store.count('stakeholders@7/comments'), 1);
  await store.close();
  const check = new Database(file, { readonly: true });
  t.teardown(() => check.close());
  t.equal(check.prepare<[], { version: number }>('SELECT version FROM view_schema').get()?.version, VIEW_SCHEMA_VERSION);
  t.same(check.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('view_docs')").all().map((r) => r.name), ['collection_id', 'key', 'ord', 'doc']);
});

t.test('a write that rolls back gives up the collection ids it took: the next collection gets a valid id', async (t) => {
  const { store, file } = await tempStore(t);
  await store.commit('c', null, '1', []);
  // a write failing after a new collection got its id (here a trigger; in life an I/O error)
  const raw = new Database(file);
  raw.exec("CREATE TRIGGER boom BEFORE INSERT ON view_docs WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END");
  await t.rejects(store.commit('c', '1', '2', [put('fresh', 'k', { v: 1 }), put('fresh', 'boom', { v: 0 })]), /boom/);
  raw.exec('DROP TRIGGER boom');
  raw.close();
  t.equal(await store.count('fresh'), 0);
  t.equal((await store.checkpoint('c'))?.position, '1');
  // the id "fresh" held in the rolled-back write is given again, to the first new collection
  await store.commit('c', '1', '2', [put('other', 'k', { v: 2 }), put('fresh', 'k', { v: 3 })]);
  t.same(await store.list('other'), [{ key: 'k', order: 0, doc: { v: 2 } }], 'each collection holds only its own document');
  t.same(await store.list('fresh'), [{ key: 'k', order: 0, doc: { v: 3 } }]);
});

t.test('openViewStore without a database URL: SQLite in DATA_DIR/views.sqlite', async (t) => {
  const dir = await tempDir(t);
  const store = await openViewStore({ dataDir: join(dir, 'data') });
  t.teardown(() => store.close());
  t.ok(store instanceof SqliteViewStore);
  await store.commit('c', null, '1', []);
  await store.close();
  const raw = new Database(join(dir, 'data', 'views.sqlite'), { readonly: true });
  t.equal(raw.prepare<[], { position: string }>('SELECT position FROM view_checkpoints').get()?.position, '1');
  raw.close();
});

t.test('batches: 10,000 changes commit in one transaction; reads stay quick', async (t) => {
  const { store } = await tempStore(t);
  const c = 'comment-matrix@1/comments';
  const consultations = Array.from({ length: 100 }, (_, i) => `c${String(i).padStart(3, '0')}`);
  const changes = consultations.flatMap((id) =>
    Array.from({ length: 100 }, (_, j) => put(c, `${id}/${String(j).padStart(3, '0')}`, { text: `comment ${j} on ${id}`, section: j % 7, answered: j % 2 === 0 }, j)),
  );
  let started = performance.now();
  await store.commit('comment-matrix@1', null, '1', changes);
  const insertMs = performance.now() - started;
  started = performance.now();
  await store.commit('comment-matrix@1', '1', '2', changes.map((ch) => ({ ...ch, doc: { ...ch.doc!, answered: true } })));
  const updateMs = performance.now() - started;
  t.equal(await store.count(c), 10_000);
  t.comment(`SQLite (synchronous=FULL): 10,000 inserts in ${insertMs.toFixed(0)} ms, 10,000 updates in ${updateMs.toFixed(0)} ms`);
  t.ok(insertMs < 5000 && updateMs < 5000, 'a 10k batch commits in seconds, not minutes (generous bound: shared machine)');

  started = performance.now();
  for (let i = 0; i < 1000; i++) await store.get(c, `c${String(i % 100).padStart(3, '0')}/050`);
  const getUs = ((performance.now() - started) / 1000) * 1000;
  started = performance.now();
  let listed = 0;
  for (let i = 0; i < 100; i++) listed += (await store.list(c, { prefix: `${consultations[i]}/`, limit: 50 })).length;
  const listMs = (performance.now() - started) / 100;
  t.equal(listed, 100 * 50);
  t.comment(`SQLite: get ${getUs.toFixed(0)} µs; list of one consultation's 50 first comments (prefix, among 10,000) ${listMs.toFixed(2)} ms`);
});

t.test('two stores on one file (one process): one writer; a commit by one reaches the other’s wait', async (t) => {
  const { store: mine, file } = await tempStore(t);
  const other = new SqliteViewStore({ file });
  t.teardown(() => other.close());
  const consumer = unique('consumer');
  const lease = await mine.acquireWriter(consumer);
  const waiting = other.acquireWriter(consumer);
  t.ok(await stillPending(waiting, 300), 'the other store waits');
  const reached = other.waitForCheckpoint(consumer, (p) => p === '7', 10_000);
  await mine.commit(consumer, null, '7', [put('docs', 'k', { by: 'mine' })]);
  await t.resolves(bounded(reached, 'the other store to see the commit (data_version polling)'));
  await lease.release();
  const taken = await bounded(waiting, 'the other store to take the lease over');
  t.same((await other.get('docs', 'k'))?.doc, { by: 'mine' });
  await taken.release();
});

t.test('a lease row left by a process that has exited is taken over at once', async (t) => {
  const { store, file } = await tempStore(t, { leaseTtlMs: 600_000 });
  const exited = spawn(process.execPath, ['-e', '']);
  const pid = exited.pid!;
  await new Promise((resolve) => exited.on('exit', resolve));
  const raw = new Database(file);
  t.teardown(() => raw.close());
  raw.prepare('INSERT INTO view_writers (consumer, owner, host, pid, heartbeat_at) VALUES (?, ?, ?, ?, ?)').run('relay', 'someone', hostname(), pid, Date.now());
  const lease = await bounded(store.acquireWriter('relay'), 'the lease of a dead process');
  t.equal(raw.prepare<[], { pid: number }>("SELECT pid FROM view_writers WHERE consumer = 'relay'").get()?.pid, process.pid);
  await lease.release();
  t.equal(raw.prepare("SELECT * FROM view_writers WHERE consumer = 'relay'").get(), undefined, 'release deletes the row');

  // The same pid on another host (say another container sharing the volume) is no proof of death.
  raw.prepare('INSERT INTO view_writers (consumer, owner, host, pid, heartbeat_at) VALUES (?, ?, ?, ?, ?)').run('relay', 'elsewhere', `not-${hostname()}`, pid, Date.now());
  const controller = new AbortController();
  const waiting = store.acquireWriter('relay', { signal: controller.signal });
  t.ok(await stillPending(waiting, 300), 'a fresh lease of another host waits for its TTL');
  controller.abort(new Error('done'));
  await t.rejects(waiting, /done/);
});

for (const writerThread of [false, true]) t.test(`a live holder that stopped heart-beating is taken over after the TTL, and learns it lost${writerThread ? ' (its beats through the writer thread)' : ''}`, async (t) => {
  const { store: stalled, file } = await tempStore(t, { leaseTtlMs: 400, writerThread });
  const taker = new SqliteViewStore({ file, leaseTtlMs: 400 });
  t.teardown(() => taker.close());
  const lease = await stalled.acquireWriter('projection');
  const lost = new Promise<unknown>((resolve) => lease.onLost(resolve));
  // Simulate a stall (an event loop blocked for longer than the TTL) by ageing the heartbeat.
  const raw = new Database(file);
  t.teardown(() => raw.close());
  const age = () => raw.prepare('UPDATE view_writers SET heartbeat_at = heartbeat_at - 10000').run();
  const ageing = setInterval(age, 5);
  const taken = await bounded(taker.acquireWriter('projection'), 'the takeover');
  clearInterval(ageing);
  const error = await bounded(lost, 'the stalled holder to hear it lost the lease');
  t.ok(error instanceof WriterLostError, 'WriterLostError');
  t.match(String(error), /took the lease over/);
  await lease.release(); // harmless after a loss: it must not delete the new holder's row
  t.equal(raw.prepare<[], { n: number }>('SELECT count(*) AS n FROM view_writers').get()?.n, 1, 'the new holder keeps its row');
  await taken.release();
});

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

function lines(child: Child): { next(expected: string, waitMs?: number): Promise<void>; seen: string[]; stderr(): string } {
  const seen: string[] = [];
  let stderr = '';
  let buffer = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    seen.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    seen,
    stderr: () => stderr,
    next(expected, waitMs = 60_000) {
      const check = (resolve: () => void) => {
        if (seen.includes(expected)) resolve();
        else waiters.push(() => check(resolve));
      };
      return bounded(new Promise<void>(check), `the child to say "${expected}" (stderr: ${stderr.trim() || 'none'})`, waitMs);
    },
  };
}

t.test('two processes on one file: the writer lease excludes the second until the first releases or dies', async (t) => {
  // A long TTL, so that the takeover after the kill is the exited-process check, not staleness.
  const { store, file } = await tempStore(t, { leaseTtlMs: 600_000 });
  const consumer = unique('consumer');
  const mine = await store.acquireWriter(consumer);

  const child: Child = spawn(process.execPath, ['--import', 'tsx/esm', CHILD_SCRIPT, file, consumer], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const out = lines(child);
  await out.next('waiting');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  t.notOk(out.seen.includes('acquired'), 'the child does not get the lease while this process holds it');

  const childCommitted = store.waitForCheckpoint(consumer, (p) => p.startsWith('child-'), 60_000);
  await mine.release();
  await out.next('acquired');
  t.pass('the child takes over once this process releases');
  await t.resolves(bounded(childCommitted, 'the child’s commit to reach this process’s wait', 60_000), 'read-your-writes across processes');
  t.same((await store.get(`${consumer}/docs`, 'from-child'))?.doc, { pid: child.pid });

  const again = store.acquireWriter(consumer);
  t.ok(await stillPending(again, 500), 'now this process waits for the child');
  child.kill('SIGKILL');
  await exited;
  const lease = await bounded(again, 'the takeover after the child died', 30_000);
  t.pass('the lease of a killed process is taken over');
  await lease.release();
});

t.test('a child that releases cleanly lets this process in', async (t) => {
  const { store, file } = await tempStore(t);
  const consumer = unique('consumer');
  const child: Child = spawn(process.execPath, ['--import', 'tsx/esm', CHILD_SCRIPT, file, consumer], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const out = lines(child);
  await out.next('committed');
  const waiting = store.acquireWriter(consumer);
  t.ok(await stillPending(waiting, 300), 'this process waits while the child holds the lease');
  child.stdin.write('release\n');
  const lease = await bounded(waiting, 'the lease after the child released', 30_000);
  await out.next('released');
  t.equal(await bounded(exited, 'the child to exit', 30_000), 0, `the child exited cleanly (stderr: ${out.stderr().trim() || 'none'})`);
  await lease.release();
});

t.test('catching up, the WAL is copied into the file less often; live again, as before', async (t) => {
  const { store, file } = await tempStore(t, { synchronous: 'NORMAL' });
  const wal = () => statSync(`${file}-wal`).size;
  const MB = 1024 * 1024;
  const commitFiveMb = fiveMbCommits(store);
  for (let i = 0; i < 3; i++) await commitFiveMb();
  const live = wal();
  t.ok(live < 8 * MB, `live: the WAL is copied after each such commit and restarts (${(live / MB).toFixed(1)} MB)`);
  await store.catchingUp(true);
  for (let i = 0; i < 4; i++) await commitFiveMb();
  const catching = wal();
  t.ok(catching > 18 * MB, `catching up: four commits stay in the WAL (${(catching / MB).toFixed(1)} MB)`);
  await store.catchingUp(false);
  for (let i = 0; i < 4; i++) await commitFiveMb();
  t.equal(wal(), catching, 'live again: copied at once, and after each commit again, so the WAL does not grow');
  t.equal(await store.count('big'), 11 * 50);
});
