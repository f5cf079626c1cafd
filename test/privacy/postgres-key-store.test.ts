// The PostgreSQL key store against a real server (as test/views/postgres-view-store.test.ts: a
// schema of this file's own, its name needing quotes, dropped at the end): the contract; then what
// only a shared key store promises: replicas on one schema share the secret and the keys, a race
// for one person's key gives one key, a destroy on one replica reads null on another as soon as its
// NOTIFY is received, a destroyed key's bytes are gone from the table's file; the import of an
// existing keys.sqlite; and openEventStore with DATABASE_URL keeps the keys there, not in DATA_DIR.
// An unreachable server FAILS this file: it is not skipped.
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { PostgresKeyStore, type PostgresKeyStoreOptions } from '../../src/privacy/postgres-key-store.ts';
import { SqliteKeyStore } from '../../src/privacy/sqlite-key-store.ts';
import { openEventStore } from '../../src/store/open-store.ts';
import { bounded } from '../helpers/bounded.ts';
import { inviteThroughApi, OPEN_BODY, startApi } from '../helpers/http.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { keyStoreContract } from './key-store-contract.ts';
import { connectAdmin, DATABASE_URL } from '../helpers/postgres.ts';

t.setTimeout(120_000);

const RUN = randomUUID().slice(0, 8);
/** This file's schema: a space and a double quote, so that every statement must quote it. */
const SCHEMA = `keys "test" ${RUN}`;
const APP = `key-store-test-${RUN}`;
const schemas = new Set<string>([SCHEMA]);

const admin = await connectAdmin(`${APP}-admin`);

t.teardown(async () => {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${admin.escapeIdentifier(s)} CASCADE`);
  await admin.end();
});

const q = (schema: string, table: string) => `${admin.escapeIdentifier(schema)}.${table}`;

/** A schema of one test's own (dropped at the end of the file). */
function freshSchema(what: string): string {
  const s = `keys_${what}_${RUN}`;
  schemas.add(s);
  return s;
}

async function openKeys(t: Test, options: Partial<PostgresKeyStoreOptions> = {}): Promise<PostgresKeyStore> {
  const keys = await PostgresKeyStore.open({ connectionString: DATABASE_URL, schema: SCHEMA, applicationName: APP, ...options });
  t.teardown(() => keys.close());
  return keys;
}

const owner = (consultationId: string) => ({ consultationId, stakeholderId: 's1', contactId: 'c1' });

t.test('contract', async (t) => {
  keyStoreContract(t, async () => {
    const keys = await PostgresKeyStore.open({ connectionString: DATABASE_URL, schema: SCHEMA, applicationName: APP });
    const stored = async () => {
      const { rows } = await admin.query<{ text: string }>(
        `SELECT (SELECT coalesce(json_agg(k), '[]') FROM ${q(SCHEMA, 'personal_keys')} k)::text || (SELECT json_agg(m) FROM ${q(SCHEMA, 'key_meta')} m)::text AS text`,
      );
      return rows[0]!.text;
    };
    return { keys, stored, cleanup: () => keys.close() };
  });
});

t.test('the tables live in the given schema', async (t) => {
  await openKeys(t);
  const { rows } = await admin.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [SCHEMA]);
  t.same(rows.map((r) => r.table_name), ['key_meta', 'personal_keys']);
});

t.test('two replicas on one schema share the lookup secret and the keys', async (t) => {
  const schema = freshSchema('share');
  const [a, b] = await Promise.all([openKeys(t, { schema }), openKeys(t, { schema })]); // opening a new schema at once: one secret
  const subject = `email:${randomUUID()}@example.org`;
  t.equal(b.lookupOf(subject), a.lookupOf(subject));
  const ref = await a.keyFor(owner(randomUUID()), subject);
  await b.load([ref.keyId]);
  t.ok(b.get(ref.keyId)?.equals(ref.key), 'B opens what A sealed');
  t.same((await b.find(subject)).map((k) => k.keyId), [ref.keyId]);
  const { rows } = await admin.query(`SELECT value FROM ${q(schema, 'key_meta')} WHERE name = 'lookup-secret'`);
  t.equal(rows.length, 1);
});

t.test('two replicas racing for the same person get one key', async (t) => {
  const a = await openKeys(t);
  const b = await openKeys(t);
  for (let i = 0; i < 20; i++) {
    const consultationId = randomUUID();
    const subject = `email:${randomUUID()}@example.org`;
    const [x, y] = await Promise.all([a.keyFor(owner(consultationId), subject), b.keyFor(owner(consultationId), subject)]);
    t.equal(y.keyId, x.keyId);
    t.ok(y.key.equals(x.key));
    const { rows } = await admin.query(`SELECT 1 FROM ${q(SCHEMA, 'personal_keys')} WHERE consultation_id = $1`, [consultationId]);
    t.equal(rows.length, 1, 'one row');
  }
});

t.test('A destroys a key: B, which had it cached, reads null once the NOTIFY is received', async (t) => {
  let heard: (ids: string[]) => void = () => undefined;
  const b = await openKeys(t, { onDestroyNotified: (ids) => heard(ids) });
  const a = await openKeys(t);
  const ref = await a.keyFor(owner(randomUUID()), `email:${randomUUID()}@example.org`);
  await b.load([ref.keyId]);
  t.ok(b.get(ref.keyId)?.equals(ref.key), 'cached in B');
  const notified = new Promise<string[]>((resolve) => {
    heard = (ids) => ids.includes(ref.keyId) && resolve(ids);
  });
  await a.destroy([ref.keyId]);
  await bounded(notified, 'the NOTIFY of the destroy', 10_000);
  t.equal(b.get(ref.keyId), null, 'B reads null, without loading again');
  await b.load([ref.keyId]);
  t.equal(b.get(ref.keyId), null);
});

t.test('a destroy B could not hear (its LISTEN connection lost): B reads the key again at the next load', async (t) => {
  let lost: () => void = () => undefined;
  const b = await openKeys(t, { onListening: (up) => !up && lost() });
  const a = await openKeys(t);
  const ref = await a.keyFor(owner(randomUUID()), `email:${randomUUID()}@example.org`);
  await b.load([ref.keyId]);
  t.ok(b.get(ref.keyId)?.equals(ref.key), 'cached in B');
  const pid = b.listenerPid;
  t.ok(pid);
  const down = new Promise<void>((resolve) => {
    lost = resolve;
  });
  await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  await bounded(down, 'B to see its LISTEN connection lost', 10_000);
  await a.destroy([ref.keyId]); // B hears nothing of it
  await b.load([ref.keyId]);
  t.equal(b.get(ref.keyId), null, 'B did not trust the copy cached while it could not hear');
});

t.test('destroy leaves no key bytes in the table (VACUUM)', async (t) => {
  const schema = freshSchema('vacuum');
  const keys = await openKeys(t, { schema });
  const refs = [];
  for (let i = 0; i < 20; i++) refs.push(await keys.keyFor(owner(randomUUID()), `email:${randomUUID()}@example.org`));
  const gone = refs[7]!;
  const inFile = async (key: Buffer) => {
    await admin.query('CHECKPOINT');
    const { rows } = await admin.query<{ at: number }>(
      `SELECT position($1::bytea in pg_read_binary_file(pg_relation_filepath($2::regclass))) AS at`, [key, q(schema, 'personal_keys')],
    );
    return rows[0]!.at;
  };
  t.ok((await inFile(gone.key)) > 0, 'a live key is in the table file');
  await keys.destroy([gone.keyId]);
  t.equal(await inFile(gone.key), 0, 'the destroyed key is not');
  t.ok((await inFile(refs[8]!.key)) > 0, 'the others still are');
  // the newest row sits where a page's free space begins: pruning alone would leave its bytes there
  const last = refs.at(-1)!;
  await keys.destroy([last.keyId]);
  t.equal(await inFile(last.key), 0, 'nor the newest key, once destroyed');
});

t.test('moving from DATA_DIR/keys.sqlite: imported once into a new key store, refused when it would lose keys', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'keys.sqlite');
  const sqlite = new SqliteKeyStore(file);
  const subject = `email:${randomUUID()}@example.org`;
  const live = await sqlite.keyFor(owner(randomUUID()), subject);
  const gone = await sqlite.keyFor(owner(randomUUID()), subject);
  await sqlite.destroy([gone.keyId]);
  await sqlite.setErasuresApplied('42');
  const lookup = sqlite.lookupOf(subject);
  await sqlite.close();

  const schema = freshSchema('import');
  const first = await openKeys(t, { schema, importFrom: file });
  t.same(first.imported, { keys: 2 });
  t.equal(first.lookupOf(subject), lookup, 'the lookup secret came along: subjects are found as before');
  await first.load([live.keyId, gone.keyId]);
  t.ok(first.get(live.keyId)?.equals(live.key));
  t.equal(first.get(gone.keyId), null, 'destroyed stays destroyed');
  t.same((await first.find(subject)).map((k) => k.keyId), [live.keyId]);
  t.equal(await first.erasuresApplied(), '42');
  const again = await openKeys(t, { schema, importFrom: file });
  t.same(again.imported, { keys: 0 }, 'idempotent');

  // the same file, used on after the import (same secret): the rows PostgreSQL lacks are imported
  const more = new SqliteKeyStore(file);
  const later = await more.keyFor(owner(randomUUID()), `email:${randomUUID()}@example.org`);
  await more.close();
  const third = await openKeys(t, { schema, importFrom: file });
  t.same(third.imported, { keys: 1 });
  await third.load([later.keyId]);
  t.ok(third.get(later.keyId)?.equals(later.key));

  // another host's file (another secret) with keys PostgreSQL lacks: refused, nothing imported
  const otherFile = path.join(dir, 'other.sqlite');
  const other = new SqliteKeyStore(otherFile);
  const stray = await other.keyFor(owner(randomUUID()), subject);
  await other.close();
  await t.rejects(PostgresKeyStore.open({ connectionString: DATABASE_URL, schema, importFrom: otherFile }), /lacks[\s\S]*different lookup secrets/);
  const { rows } = await admin.query(`SELECT 1 FROM ${q(schema, 'personal_keys')} WHERE key_id = $1`, [stray.keyId]);
  t.equal(rows.length, 0);
  t.same((await PostgresKeyStore.open({ connectionString: DATABASE_URL, schema, importFrom: path.join(dir, 'missing.sqlite') }).then(async (k) => {
    await k.close();
    return k.imported;
  })), { keys: 0 }, 'no file: nothing to import');
});

t.test('openEventStore with DATABASE_URL: keys in PostgreSQL, beside the views, no keys.sqlite', async (t) => {
  const dir = tempDir(t);
  const schema = freshSchema('open');
  const config = loadConfig({ DATA_DIR: dir, DATABASE_URL, DATABASE_SCHEMA: schema }, dir);
  const { store, keyStore } = await openEventStore(config);
  t.teardown(() => store.close());
  t.match(keyStore, /postgres/);
  const api = await startApi(t, { store });
  const id = (await api.call({ url: '/consultations', body: OPEN_BODY })).json().id as string;
  await inviteThroughApi(api, id, { organisation: 'Women in Peace Network', kind: 'civil-society', contact: { name: 'Ioana Marinescu', email: 'ioana@wipn.example' }, language: 'en', endorser: false });
  t.match((await api.call({ url: `/consultations/${id}/stakeholders` })).body, /Ioana Marinescu/, 'sealed and opened with the PostgreSQL keys');
  t.notOk(existsSync(path.join(dir, 'keys.sqlite')), 'no keys.sqlite');
  const { rows } = await admin.query(`SELECT consultation_id FROM ${q(schema, 'personal_keys')}`);
  t.same(rows.map((r) => r.consultation_id), [id], 'the key lives in PostgreSQL');
});
