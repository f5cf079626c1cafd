// The key store in PostgreSQL, beside the PostgreSQL view store (same database, same schema), so
// that every API replica, on any host, seals and opens with the same keys and one erasure is seen
// by all of them. The lookup secret is made once (the first replica to open inserts it, ON
// CONFLICT DO NOTHING; every replica then reads the one that won).
//
// get() is synchronous (the decode path needs it), so it answers from a cache that load() fills.
// How a replica never opens a value with a key another replica destroyed:
// - destroy() sends NOTIFY with the key ids in its own transaction; every replica LISTENs (a
//   dedicated connection, postgres-checkpoint-listener.ts) and marks them destroyed in its cache.
// - a cached live key counts as fresh only if it was read while LISTEN was up, in the same LISTEN
//   session: a read before LISTEN, or across a lost connection, may have missed a NOTIFY, so load()
//   reads it again (while LISTEN is down, load() re-reads every live key it is asked for).
// - destroyed is final: a load whose answer (read before the destroy) arrives after the NOTIFY
//   never turns a destroyed key back into a live one.
// - the log is the record (personal-store.ts): a PersonalDataErased event read or received names
//   keys that read as destroyed, even before the NOTIFY arrives or if the erasing replica died
//   between recording the erasure and destroying the keys.
// The cache keeps every key it read for the life of the process (32 bytes and an id each: a few MB
// for a hundred thousand people), so get() never misses a key that load() was asked for.
// The window left: between A's commit and B's receipt of the NOTIFY (milliseconds), B may open a
// value of an event read in that window that does not come with its erasure: as if B had read
// just before the erasure.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { escapeIdentifier, Pool, type ClientConfig, type PoolClient } from 'pg';
import { CheckpointListener } from '../views/postgres-checkpoint-listener.ts';
import { inTransaction } from '../views/postgres-transaction.ts';
import { advisoryKey } from '../views/postgres-view-schema.ts';
import { checkName } from '../views/validate.ts';
import { hmacLookup, newKey, newKeyId, type KeyOwner, type KeyRef, type KeyStore, type StoredKey } from './key-store.ts';

export interface PostgresKeyStoreOptions {
  /** DATABASE_URL */
  connectionString: string;
  /** DATABASE_SCHEMA (default public), the view store's */
  schema?: string;
  /** a DATA_DIR/keys.sqlite to import when this key store is new (moving a deployment from SQLite; see importSqliteKeys) */
  importFrom?: string;
  applicationName?: string;
  /** failures no call reports (LISTEN reconnecting, idle connections dropped) */
  onError?: (error: unknown) => void;
  /** called with the key ids of every destroy NOTIFY received, after the cache marked them (tests await it) */
  onDestroyNotified?: (keyIds: string[]) => void;
  /** called when LISTEN comes up (true) or is lost (false) (tests await it) */
  onListening?: (up: boolean) => void;
}

interface Names {
  keys: string;
  meta: string;
  channel: string;
}

function names(schema: string): Names {
  const q = escapeIdentifier(schema);
  return { keys: `${q}.personal_keys`, meta: `${q}.key_meta`, channel: `personal_keys_${advisoryKey('personal-keys', schema).replace('-', 'm')}` };
}

function tables(schema: string, n: Names): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)};
CREATE TABLE IF NOT EXISTS ${n.meta} (name text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS ${n.keys} (
  key_id text PRIMARY KEY,
  consultation_id text NOT NULL,
  stakeholder_id text NOT NULL,
  contact_id text,
  lookup text NOT NULL,
  key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS personal_keys_live ON ${n.keys} (consultation_id, lookup) WHERE key IS NOT NULL;
CREATE INDEX IF NOT EXISTS personal_keys_lookup ON ${n.keys} (lookup);`;
}

/** How many rows an import brought in (0: nothing to import, or imported before). */
export interface KeyImport {
  keys: number;
}

interface Cached {
  key: Buffer | null;
  /** read while LISTEN was up, in this LISTEN session: a destroy since would have been notified */
  session: number;
}

/** A NOTIFY payload holds under 8000 bytes: key ids are sent in chunks. */
const IDS_PER_NOTIFY = 100;

export class PostgresKeyStore implements KeyStore {
  private readonly cache = new Map<string, Cached>();
  /** the LISTEN session: 0 while down, a new number each time it comes up */
  private session = 0;
  private sessions = 0;
  private readonly listener: CheckpointListener;

  private constructor(
    private readonly pool: Pool,
    config: ClientConfig,
    private readonly n: Names,
    private readonly secret: Buffer,
    /** what the open imported from keys.sqlite */
    readonly imported: KeyImport,
    options: PostgresKeyStoreOptions,
  ) {
    const onError = options.onError ?? (() => undefined);
    this.listener = new CheckpointListener(config, n.channel, 1000, onError, {
      up: () => {
        this.session = ++this.sessions;
        options.onListening?.(true);
      },
      lost: () => {
        this.session = 0;
        options.onListening?.(false);
      },
      notification: (payload) => {
        const ids = payload.split(' ').filter(Boolean);
        for (const id of ids) this.cache.set(id, { key: null, session: 0 });
        options.onDestroyNotified?.(ids);
      },
    });
  }

  /** Connects, creates the tables if missing, makes or reads the lookup secret (importing keys.sqlite into a new key store). */
  static async open(options: PostgresKeyStoreOptions): Promise<PostgresKeyStore> {
    const schema = options.schema ?? 'public';
    checkName('schema', schema);
    const n = names(schema);
    const config: ClientConfig = {
      connectionString: options.connectionString, connectionTimeoutMillis: 10_000, keepAlive: true, application_name: options.applicationName ?? 'key-store',
    };
    const pool = new Pool({ ...config, max: 4 });
    pool.on('error', (error) => (options.onError ?? (() => undefined))(error));
    try {
      const { secret, imported } = await inTransaction(pool, async (client) => {
        // replicas starting at once: one creates the tables and the secret (or imports), the others then read them
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey('key-store-open', schema)]);
        await client.query(tables(schema, n));
        const imported = options.importFrom ? await importSqliteKeys(client, n, options.importFrom) : { keys: 0 };
        await client.query(`INSERT INTO ${n.meta} (name, value) VALUES ('lookup-secret', $1) ON CONFLICT (name) DO NOTHING`, [randomBytes(32).toString('base64')]);
        const { rows } = await client.query<{ value: string }>(`SELECT value FROM ${n.meta} WHERE name = 'lookup-secret'`);
        return { secret: Buffer.from(rows[0]!.value, 'base64'), imported };
      });
      const store = new PostgresKeyStore(pool, config, n, secret, imported, options);
      await store.listener.ensure();
      return store;
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  /** The backend process id of the LISTEN connection, or null (for tests that cut it). */
  get listenerPid(): number | null {
    return this.listener.backendPid;
  }

  lookupOf(subject: string): string {
    return hmacLookup(this.secret, subject);
  }

  async keyFor(owner: KeyOwner, subject: string): Promise<KeyRef> {
    const lookup = this.lookupOf(subject);
    // two replicas racing for one person: the live-key index lets one INSERT in, the other reads the winner's
    for (let attempt = 0; attempt < 5; attempt++) {
      const session = this.session;
      const { rows: live } = await this.pool.query<{ key_id: string; key: Buffer }>(
        `SELECT key_id, key FROM ${this.n.keys} WHERE consultation_id = $1 AND lookup = $2 AND key IS NOT NULL`, [owner.consultationId, lookup],
      );
      if (live[0]) return this.remember(live[0].key_id, live[0].key, session);
      const ref = { keyId: newKeyId(), key: newKey() };
      const { rowCount } = await this.pool.query(
        `INSERT INTO ${this.n.keys} (key_id, consultation_id, stakeholder_id, contact_id, lookup, key) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (consultation_id, lookup) WHERE key IS NOT NULL DO NOTHING`,
        [ref.keyId, owner.consultationId, owner.stakeholderId, owner.contactId, lookup, ref.key],
      );
      if (rowCount === 1) return this.remember(ref.keyId, ref.key, session);
    }
    throw new Error('key store: no live key could be made or read for this person (destroyed as fast as made)');
  }

  async load(keyIds: Iterable<string>): Promise<void> {
    await this.listener.ensure();
    const session = this.session;
    const stale = [...new Set(keyIds)].filter((id) => {
      const c = this.cache.get(id);
      return c === undefined || (c.key !== null && (session === 0 || c.session !== session));
    });
    if (stale.length === 0) return;
    const { rows } = await this.pool.query<{ key_id: string; key: Buffer | null }>(`SELECT key_id, key FROM ${this.n.keys} WHERE key_id = ANY($1)`, [stale]);
    for (const r of rows) this.remember(r.key_id, r.key, session);
  }

  get(keyId: string): Buffer | null | undefined {
    const c = this.cache.get(keyId);
    return c === undefined ? undefined : c.key;
  }

  async find(subject: string): Promise<StoredKey[]> {
    const { rows } = await this.pool.query<{ key_id: string; consultation_id: string; stakeholder_id: string; contact_id: string | null }>(
      `SELECT key_id, consultation_id, stakeholder_id, contact_id FROM ${this.n.keys} WHERE lookup = $1 AND key IS NOT NULL ORDER BY created_at, key_id`,
      [this.lookupOf(subject)],
    );
    return rows.map((r) => ({ keyId: r.key_id, consultationId: r.consultation_id, stakeholderId: r.stakeholder_id, contactId: r.contact_id }));
  }

  async destroy(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length === 0) return;
    await inTransaction(this.pool, async (client) => {
      await client.query(`UPDATE ${this.n.keys} SET key = NULL, destroyed_at = coalesce(destroyed_at, now()) WHERE key_id = ANY($1)`, [[...keyIds]]);
      // delivered to every replica when (and only if) this commits
      for (let i = 0; i < keyIds.length; i += IDS_PER_NOTIFY) {
        await client.query('SELECT pg_notify($1, $2)', [this.n.channel, keyIds.slice(i, i + IDS_PER_NOTIFY).join(' ')]);
      }
    });
    for (const id of keyIds) this.cache.set(id, { key: null, session: 0 });
    // the UPDATE left the old row versions, key included, as dead tuples: VACUUM (never inside a
    // transaction) removes them from the table's pages. WAL archives and base backups keep them (README).
    await this.pool.query(`VACUUM ${this.n.keys}`);
  }

  async erasuresApplied(): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM ${this.n.meta} WHERE name = 'erasures-applied'`);
    return rows[0]?.value ?? null;
  }

  async setErasuresApplied(position: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.n.meta} (name, value) VALUES ('erasures-applied', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, [position],
    );
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.pool.end();
  }

  private remember(keyId: string, key: Buffer | null, session: number): KeyRef {
    // destroyed is final: an answer read before a destroy never revives the key
    if (this.cache.get(keyId)?.key !== null) this.cache.set(keyId, { key, session: session === this.session ? session : 0 });
    return { keyId, key: key! };
  }
}

interface SqliteRow {
  key_id: string;
  consultation_id: string;
  stakeholder_id: string;
  contact_id: string | null;
  lookup: string;
  key: Buffer | null;
  created_at: string;
  destroyed_at: string | null;
}

/**
 * Moving a deployment from DATA_DIR/keys.sqlite to PostgreSQL, inside the open's transaction:
 * a new PostgreSQL key store (no lookup secret yet) takes the file's secret, rows and erasure
 * checkpoint; one that has keys already takes the rows it lacks when the secrets are the same (the
 * file was imported before and kept being used), and refuses otherwise, for those keys would be lost.
 */
async function importSqliteKeys(client: PoolClient, n: Names, file: string): Promise<KeyImport> {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    return { keys: 0 }; // no file: nothing to move
  }
  try {
    const meta = new Map(db.prepare<[], { name: string; value: string }>('SELECT name, value FROM key_meta').all().map((r) => [r.name, r.value]));
    const rows = db.prepare<[], SqliteRow>('SELECT * FROM personal_keys ORDER BY created_at, key_id').all();
    const fileSecret = meta.get('lookup-secret');
    if (rows.length === 0 || fileSecret === undefined) return { keys: 0 };
    const { rows: secret } = await client.query<{ value: string }>(`SELECT value FROM ${n.meta} WHERE name = 'lookup-secret'`);
    const { rows: known } = await client.query<{ key_id: string }>(`SELECT key_id FROM ${n.keys} WHERE key_id = ANY($1)`, [rows.map((r) => r.key_id)]);
    const have = new Set(known.map((r) => r.key_id));
    const missing = rows.filter((r) => !have.has(r.key_id));
    if (missing.length === 0) return { keys: 0 };
    if (secret[0] && secret[0].value !== fileSecret) {
      throw new Error(
        `${file} holds ${missing.length} keys of personal data that the PostgreSQL key store lacks, and the two were made with different lookup secrets: `
          + 'starting would lose what those keys seal. Start once with DATA_DIR pointing at that file before any key is in PostgreSQL '
          + '(move a deployment with one host first), or, if those keys seal nothing you keep, move the file away.',
      );
    }
    if (!secret[0]) {
      await client.query(`INSERT INTO ${n.meta} (name, value) VALUES ('lookup-secret', $1)`, [fileSecret]);
      const applied = meta.get('erasures-applied');
      if (applied !== undefined) await client.query(`INSERT INTO ${n.meta} (name, value) VALUES ('erasures-applied', $1) ON CONFLICT (name) DO NOTHING`, [applied]);
    }
    for (const r of missing) {
      const { rowCount } = await client.query(
        `INSERT INTO ${n.keys} (key_id, consultation_id, stakeholder_id, contact_id, lookup, key, created_at, destroyed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT DO NOTHING`,
        [r.key_id, r.consultation_id, r.stakeholder_id, r.contact_id, r.lookup, r.key, r.created_at, r.destroyed_at],
      );
      if (rowCount !== 1) {
        throw new Error(`${file}: key ${r.key_id} cannot be imported: PostgreSQL holds another live key for the same person and consultation. Move the file away if what it seals is not kept.`);
      }
    }
    return { keys: missing.length };
  } finally {
    db.close();
  }
}
