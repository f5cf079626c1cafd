// The PostgreSQL adapter against a real server (CI starts one; so does
// `pg_ctlcluster --skip-systemctl-redirect 15 main start`): the shared contract in a schema of this
// file's own (its name needs quoting), dropped at the end; then what only a shared server promises:
// several stores (replicas) on one schema, one writer among them with takeover when the holder
// releases or its connection dies, read-your-writes across them, and batch speed.
// An unreachable server FAILS this file: it is not skipped.
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { openViewStore } from '../../src/views/open-view-store.ts';
import { PostgresViewStore, type PostgresViewStoreOptions } from '../../src/views/postgres-view-store.ts';
import { writerLockKey } from '../../src/views/postgres-writer-lease.ts';
import { CheckpointConflictError, WriterLostError } from '../../src/views/view-store.ts';
import { bounded, put, stillPending, unique, viewStoreContract } from './view-store-contract.ts';
import { connectAdmin, DATABASE_URL } from '../helpers/postgres.ts';

t.setTimeout(240_000);

const RUN = randomUUID().slice(0, 8);
/** This file's schema: a space and a double quote, so that every statement must quote it. */
const SCHEMA = `views "test" ${RUN}`;
/** Every connection this file opens carries this name, so the end can check that none is left. */
const APP = `view-store-test-${RUN}`;

const admin = await connectAdmin(`${APP}-admin`);

t.teardown(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${admin.escapeIdentifier(SCHEMA)} CASCADE`);
  await admin.end();
});

async function openStore(t: Test, options: Partial<PostgresViewStoreOptions> = {}): Promise<PostgresViewStore> {
  const store = await PostgresViewStore.open({ connectionString: DATABASE_URL, schema: SCHEMA, applicationName: APP, pollIntervalMs: 100, ...options });
  t.teardown(() => store.close());
  return store;
}

/** The backend pids holding the writer lock of a consumer (pg_locks splits a bigint key into classid and objid). */
async function lockHolders(consumer: string): Promise<number[]> {
  const key = BigInt.asUintN(64, BigInt(writerLockKey(SCHEMA, consumer)));
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = $1::bigint::oid AND objid = $2::bigint::oid`,
    [String(key >> 32n), String(key & 0xffffffffn)],
  );
  return rows.map((r) => r.pid);
}

async function eventually(condition: () => Promise<boolean>, what: string, waitMs = 10_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${waitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test('contract', async (t) => {
  viewStoreContract(t, async () => {
    const store = await PostgresViewStore.open({ connectionString: DATABASE_URL, schema: SCHEMA, applicationName: APP, pollIntervalMs: 100 });
    return { store, cleanup: () => store.close() };
  });
});

t.test('the tables live in the given schema', async (t) => {
  await openStore(t);
  const { rows } = await admin.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [SCHEMA],
  );
  t.same(rows.map((r) => r.table_name), ['view_checkpoints', 'view_docs', 'view_meta', 'view_schema']);
});

t.test('stores opening one new schema at once do not race on CREATE', async (t) => {
  const schema = `views-race-${RUN}`;
  t.teardown(() => admin.query(`DROP SCHEMA IF EXISTS ${admin.escapeIdentifier(schema)} CASCADE`));
  const stores = await Promise.all(
    Array.from({ length: 4 }, () => PostgresViewStore.open({ connectionString: DATABASE_URL, schema, applicationName: APP })),
  );
  t.teardown(() => Promise.all(stores.map((s) => s.close())));
  await stores[0]!.commit('c', null, '1', [put('docs', 'k', { v: 1 })]);
  t.same((await stores[3]!.get('docs', 'k'))?.doc, { v: 1 });
});

t.test('openViewStore with a database URL: PostgreSQL in the given schema', async (t) => {
  const store = await openViewStore({ databaseUrl: DATABASE_URL, dataDir: '/nonexistent', schema: SCHEMA });
  t.teardown(() => store.close());
  t.ok(store instanceof PostgresViewStore);
  t.equal(store instanceof PostgresViewStore && store.schema, SCHEMA);
});

t.test('an unreachable server fails open() with a clear message that hides the password', async (t) => {
  const error = await PostgresViewStore.open({
    connectionString: 'postgresql://someone:hunter2@127.0.0.1:1/nowhere',
    connection: { connectionTimeoutMillis: 3000 },
  }).then(
    (store) => store.close().then(() => null),
    (e: unknown) => e,
  );
  t.match(String(error), /cannot open the PostgreSQL view store at 127\.0\.0\.1:1\/nowhere/);
  t.notMatch(String(error), /hunter2/);
});

t.test('two stores (two pools) on one schema: one writer; the other takes over on release', async (t) => {
  const [a, b] = [await openStore(t), await openStore(t)];
  const consumer = unique('projection');
  const leaseA = await bounded(a.acquireWriter(consumer), 'the first lease');
  t.same(await lockHolders(consumer), [leaseA.backendPid], 'the lock is held by the lease’s own connection');
  const waitingB = b.acquireWriter(consumer);
  t.ok(await stillPending(waitingB, 600), 'the other store waits');
  await leaseA.release();
  const leaseB = await bounded(waitingB, 'the takeover after release');
  t.same(await lockHolders(consumer), [leaseB.backendPid]);
  t.not(leaseB.backendPid, leaseA.backendPid);
  await leaseB.release();
  await eventually(async () => (await lockHolders(consumer)).length === 0, 'the lock to be free');
});

t.test('the other store takes over when the holder’s connection is killed; the holder hears it lost', async (t) => {
  const [a, b] = [await openStore(t), await openStore(t, { leaseCheckIntervalMs: 500 })];
  const consumer = unique('projection');
  const leaseB = await b.acquireWriter(consumer);
  const lost = new Promise<unknown>((resolve) => leaseB.onLost(resolve));
  const waitingA = a.acquireWriter(consumer);
  t.ok(await stillPending(waitingA, 600), 'a waits while b holds the lease');
  await admin.query('SELECT pg_terminate_backend($1)', [leaseB.backendPid]);
  const error = await bounded(lost, 'b to hear that its lease was lost');
  t.ok(error instanceof WriterLostError, 'WriterLostError');
  const leaseA = await bounded(waitingA, 'a to take over');
  t.same(await lockHolders(consumer), [leaseA.backendPid]);
  await leaseB.release(); // harmless after the loss
  t.same(await lockHolders(consumer), [leaseA.backendPid], 'releasing a lost lease does not touch the new holder');
  await leaseA.release();
});

t.test('two runners on one schema never both write', async (t) => {
  const stores = [await openStore(t), await openStore(t)];
  const consumer = unique('projection');
  const collection = `${consumer}/docs`;
  let active = 0;
  let overlaps = 0;
  let commits = 0;
  const runner = async (store: PostgresViewStore, name: string) => {
    for (let round = 0; round < 4; round++) {
      const lease = await bounded(store.acquireWriter(consumer), `${name} to get the lease`, 30_000);
      active += 1;
      if (active > 1) overlaps += 1;
      for (let i = 0; i < 3; i++) {
        const checkpoint = await store.checkpoint(consumer);
        const position = Number(checkpoint?.position ?? 0);
        await store.commit(consumer, checkpoint?.position ?? null, String(position + 1), [put(collection, `${name}-${round}-${i}`, { position })]);
        commits += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      active -= 1;
      await lease.release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  await Promise.all([runner(stores[0]!, 'one'), runner(stores[1]!, 'two')]);
  t.equal(overlaps, 0, 'never two holders at once');
  t.equal(commits, 24, 'no commit conflicted');
  t.equal((await stores[0]!.checkpoint(consumer))?.position, '24');
  t.equal(await stores[1]!.count(collection), 24);
});

t.test('concurrent commits from two stores with the same expected checkpoint: one wins', async (t) => {
  const [a, b] = [await openStore(t), await openStore(t)];
  const consumer = unique('projection');
  await a.commit(consumer, null, '1', []);
  const results = await Promise.allSettled([a.commit(consumer, '1', '2', [put('race', `${consumer}-a`, {})]), b.commit(consumer, '1', '3', [put('race', `${consumer}-b`, {})])]);
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  t.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof CheckpointConflictError));
  t.equal(await a.count('race', consumer), 1, 'only the winner’s document is there');
});

t.test('read-your-writes across stores: a wait on one store ends on the other’s commit (NOTIFY)', async (t) => {
  // Polling every minute: if the wait ends within seconds, NOTIFY woke it.
  const [writer, reader] = [await openStore(t), await openStore(t, { pollIntervalMs: 60_000 })];
  const consumer = unique('projection');
  await writer.commit(consumer, null, '1', []);
  const warmUp = reader.waitForCheckpoint(consumer, (p) => p === '1', 10_000);
  await bounded(warmUp, 'the first wait');
  await eventually(async () => reader.listening, 'the reader to LISTEN');
  const waiting = reader.waitForCheckpoint(consumer, (p) => Number(p) >= 3, 30_000);
  await writer.commit(consumer, '1', '2', []);
  t.ok(await stillPending(waiting, 100), 'position 2 is not enough');
  const started = performance.now();
  await writer.commit(consumer, '2', '3', [put(`${consumer}/docs`, 'k', { v: 3 })]);
  await bounded(waiting, 'the wait to end on NOTIFY', 10_000);
  t.comment(`PostgreSQL: a wait on another store ended ${(performance.now() - started).toFixed(1)} ms after the commit was sent`);
  t.same((await reader.get(`${consumer}/docs`, 'k'))?.doc, { v: 3 }, 'and the documents are there to read');
});

t.test('waits still end by polling when the LISTEN connection is lost, and LISTEN comes back', async (t) => {
  const [writer, reader] = [await openStore(t), await openStore(t, { pollIntervalMs: 200 })];
  const consumer = unique('projection');
  await writer.commit(consumer, null, '1', []);
  await reader.waitForCheckpoint(consumer, (p) => p === '1', 10_000);
  await eventually(async () => reader.listening, 'the reader to LISTEN');
  await admin.query('SELECT pg_terminate_backend($1)', [reader.listenerBackendPid]);
  await eventually(async () => !reader.listening, 'the reader to notice its LISTEN connection is gone');
  const waiting = reader.waitForCheckpoint(consumer, (p) => p === '2', 30_000);
  await writer.commit(consumer, '1', '2', []);
  await t.resolves(bounded(waiting, 'the wait to end without LISTEN'));
  await eventually(async () => {
    await reader.waitForCheckpoint(consumer, () => true, 1000);
    return reader.listening;
  }, 'LISTEN to be re-established by later waits');
  t.pass('LISTEN is back');
});

t.test('batches: 5,000 and 10,000 changes commit in one transaction; reads stay quick', async (t) => {
  const store = await openStore(t);
  const consumer = unique('comment-matrix');
  const c = `${consumer}/comments`;
  const make = (n: number, version: number) =>
    Array.from({ length: n }, (_, i) => put(c, `c${String(i % 100).padStart(3, '0')}/${String(Math.floor(i / 100)).padStart(3, '0')}`, { text: `comment ${i}`, version, answered: i % 2 === 0 }, Math.floor(i / 100)));
  let started = performance.now();
  await store.commit(consumer, null, '1', make(5000, 1));
  const fiveMs = performance.now() - started;
  t.equal(await store.count(c), 5000, '5,000 changes committed');
  started = performance.now();
  await store.commit(consumer, '1', '2', make(10_000, 2));
  const tenMs = performance.now() - started;
  t.equal(await store.count(c), 10_000);
  t.same((await store.get(c, 'c042/099'))?.doc, { text: 'comment 9942', version: 2, answered: true });
  t.comment(`PostgreSQL: 5,000 inserts in ${fiveMs.toFixed(0)} ms; 10,000 changes (5,000 updates + 5,000 inserts) in ${tenMs.toFixed(0)} ms`);
  t.ok(fiveMs < 20_000 && tenMs < 20_000, 'generous bounds: a shared machine');

  started = performance.now();
  for (let i = 0; i < 200; i++) await store.get(c, `c${String(i % 100).padStart(3, '0')}/050`);
  const getMs = (performance.now() - started) / 200;
  started = performance.now();
  let listed = 0;
  for (let i = 0; i < 50; i++) listed += (await store.list(c, { prefix: `c${String(i).padStart(3, '0')}/`, limit: 50 })).length;
  const listMs = (performance.now() - started) / 50;
  t.equal(listed, 50 * 50);
  t.comment(`PostgreSQL: get ${getMs.toFixed(2)} ms; list of one consultation's 50 first comments (prefix, among 10,000) ${listMs.toFixed(2)} ms`);
  started = performance.now();
  await store.drop([c], consumer);
  t.comment(`PostgreSQL: drop of 10,000 documents ${(performance.now() - started).toFixed(0)} ms`);
  t.equal(await store.count(c), 0);
});

t.test('after an erasure, forgetReplaced leaves no earlier version of a replaced document in the table\'s pages', async (t) => {
  const store = await openStore(t);
  const consumer = unique('stakeholders');
  const c = `${consumer}/stakeholders`;
  const secret = `Ioana Marinescu ${RUN}`;
  await store.commit(consumer, null, '1', Array.from({ length: 30 }, (_, i) => put(c, `s${i}`, { organisation: `Org ${i}`, contact: i === 10 ? secret : 'someone else' })));
  await store.commit(consumer, '1', '2', [put(c, 's10', { organisation: 'Org 10', contact: '[erased]' })]);
  // pageinspect reads the raw pages, dead row versions included; installed in this file's schema (dropped with it)
  const schema = admin.escapeIdentifier(SCHEMA);
  const existing = await admin.query<{ nspname: string }>(`SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pageinspect'`);
  const where = existing.rows[0] ? admin.escapeIdentifier(existing.rows[0].nspname) : schema;
  if (!existing.rows[0]) await admin.query(`CREATE EXTENSION pageinspect SCHEMA ${schema}`);
  const pagesHolding = async (text: string) => {
    let n = 0;
    for (const rel of [`${schema}.view_docs`, `(SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = '${schema}.view_docs'::regclass)`]) {
      const { rows } = await admin.query<{ n: string }>(
        `WITH r AS (SELECT (${rel.startsWith('(') ? rel : `'${rel}'`})::text AS name)
         SELECT count(*) AS n FROM r, generate_series(0, (pg_relation_size(r.name::regclass) / current_setting('block_size')::int) - 1) AS b
         WHERE position(convert_to($1, 'UTF8') IN ${where}.get_raw_page(r.name, b::int)) > 0`,
        [text],
      );
      n += Number(rows[0]!.n);
    }
    return n;
  };
  t.ok(await pagesHolding(secret) > 0, 'before: the replaced version is still in the pages (the check can see it)');
  await store.forgetReplaced();
  t.equal(await pagesHolding(secret), 0, 'after: no page holds it');
  t.same((await store.get(c, 's10'))?.doc, { organisation: 'Org 10', contact: '[erased]' });
  t.equal(await store.count(c), 30, 'the other documents stay');
});

// Registered last, so it runs after every other test has closed its stores.
t.test('no connection of this file is left open', async (t) => {
  await eventually(async () => {
    const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 OR application_name LIKE $2', [APP, `${APP}:%`]);
    return rows[0]?.n === '0';
  }, 'the pools, leases and listeners to disconnect');
  t.pass();
});
