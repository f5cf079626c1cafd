// The shared adapter of the view store port: PostgreSQL (library pg), for several API replicas
// reading the same views. Tables live in a schema of the caller's choosing (default public).
// - commit: BEGIN; lock the consumer's checkpoint row (FOR UPDATE; for "none yet" the row is first
//   inserted with a null position, ON CONFLICT DO NOTHING, so two first commits cannot both pass);
//   compare it with `expected`; delete and upsert the documents in batches (unnest arrays, one
//   statement per batch); move the checkpoint; NOTIFY; COMMIT.
// - acquireWriter: a session advisory lock on a dedicated connection (postgres-writer-lease.ts).
// - waitForCheckpoint: LISTEN/NOTIFY with a polling fallback (postgres-checkpoint-listener.ts).
import { Pool, type ClientConfig, type PoolClient } from 'pg';
import { CheckpointListener, notifyPayload } from './postgres-checkpoint-listener.ts';
import { inTransaction } from './postgres-transaction.ts';
import { migrate, schemaNames, type SchemaNames } from './postgres-view-schema.ts';
import { acquireWriterLock, PostgresWriterLease } from './postgres-writer-lease.ts';
import {
  checkListOptions, checkMoves, checkName, checkPrefix, checkText, checkTimeout, compareKeys, normaliseChanges, prefixUpperBound,
  type CheckedListOptions,
} from './validate.ts';
import {
  CheckpointConflictError, ViewStoreClosedError, WriterLostError,
  type Checkpoint, type CheckpointMove, type JsonObject, type ListOptions, type ViewChange, type ViewDoc, type ViewStore,
} from './view-store.ts';
import { waitForCheckpointLoop } from './wait-for-checkpoint.ts';
import { anySignal } from './writer-lease.ts';

export interface PostgresViewStoreOptions {
  /** e.g. DATABASE_URL: postgresql://user@host:5432/database */
  connectionString?: string;
  /** further connection settings (ssl, password, …), applied under connectionString */
  connection?: ClientConfig;
  /** the schema holding the tables, created if missing (default public) */
  schema?: string;
  /** pooled connections for reads and commits (default 10); leases and LISTEN use their own */
  poolSize?: number;
  /** how often waits re-read the checkpoint besides NOTIFY, and waiting writers retry the lock (default 250 ms) */
  pollIntervalMs?: number;
  /** how often a lease holder checks that its connection still answers (default 5000 ms) */
  leaseCheckIntervalMs?: number;
  /** rows per INSERT or DELETE statement within a commit (default 1000) */
  batchSize?: number;
  /** application_name of the connections, seen in pg_stat_activity (default view-store) */
  applicationName?: string;
  /** failures that no call reports: an idle pooled connection dropped, LISTEN or a waiting writer reconnecting */
  onError?: (error: unknown) => void;
}

interface DocRow {
  key: string;
  /** bigint arrives as text */
  ord: string;
  doc: JsonObject;
}

type Param = string | number | string[] | number[] | null;

/** host:port/database of a connection, without user name or password, for error messages. */
function describe(config: ClientConfig): string {
  let host = config.host ?? process.env['PGHOST'] ?? 'localhost';
  let port = String(config.port ?? process.env['PGPORT'] ?? 5432);
  let database = config.database ?? process.env['PGDATABASE'] ?? '';
  if (config.connectionString) {
    try {
      const url = new URL(config.connectionString);
      host = url.hostname || host;
      port = url.port || port;
      database = url.pathname.replace(/^\//, '') || database;
    } catch {
      return '(an unparsable connection string)';
    }
  }
  return `${host}:${port}/${database}`;
}

export class PostgresViewStore implements ViewStore {
  /** the checkpoint query in flight per consumer, shared by the waiters that read it (see waitForCheckpoint) */
  private readonly checkpointReads = new Map<string, { token: number; read: Promise<string | null> }>();
  private readonly names: SchemaNames;
  private readonly listener: CheckpointListener;
  private readonly closing = new AbortController();
  private readonly leases = new Set<PostgresWriterLease>();
  private readonly acquiring = new Set<Promise<unknown>>();
  private readonly pollIntervalMs: number;
  private readonly leaseCheckIntervalMs: number;
  private readonly batchSize: number;
  private readonly onError: (error: unknown) => void;

  private constructor(
    private readonly pool: Pool,
    private readonly config: ClientConfig,
    readonly schema: string,
    options: PostgresViewStoreOptions,
  ) {
    this.names = schemaNames(schema);
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.leaseCheckIntervalMs = options.leaseCheckIntervalMs ?? 5000;
    this.batchSize = options.batchSize ?? 1000;
    this.onError = options.onError ?? (() => undefined);
    this.listener = new CheckpointListener(config, this.names.channel, this.pollIntervalMs, this.onError);
  }

  /** Connects, creates or upgrades the tables, and fails with a clear message when PostgreSQL cannot be reached. */
  static async open(options: PostgresViewStoreOptions): Promise<PostgresViewStore> {
    const schema = options.schema ?? 'public';
    checkName('schema', schema);
    const config: ClientConfig = {
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      ...options.connection,
      ...(options.connectionString === undefined ? {} : { connectionString: options.connectionString }),
      application_name: options.applicationName ?? options.connection?.application_name ?? 'view-store',
    };
    const pool = new Pool({ ...config, max: options.poolSize ?? 10 });
    // An idle pooled connection that the server drops emits 'error' on the pool; unhandled, it would end the process.
    pool.on('error', (error) => (options.onError ?? (() => undefined))(error));
    try {
      await migrate(pool, schema);
    } catch (cause) {
      await pool.end().catch(() => undefined);
      const reason = cause instanceof Error ? cause.message || cause.name : String(cause);
      throw new Error(`cannot open the PostgreSQL view store at ${describe(config)} (schema ${JSON.stringify(schema)}): ${reason}`, { cause });
    }
    return new PostgresViewStore(pool, config, schema, options);
  }

  async get(collection: string, key: string): Promise<ViewDoc | null> {
    this.assertOpen();
    checkName('collection', collection);
    checkName('key', key);
    const { rows } = await this.pool.query<DocRow>({
      name: 'view-get',
      text: `SELECT key, ord, doc FROM ${this.names.docs} WHERE collection = $1 AND key = $2`,
      values: [collection, key],
    });
    const row = rows[0];
    return row ? { key: row.key, order: Number(row.ord), doc: row.doc } : null;
  }

  async list(collection: string, options?: ListOptions): Promise<ViewDoc[]> {
    this.assertOpen();
    checkName('collection', collection);
    const checked = checkListOptions(options);
    const { sql, values, variant } = this.filter(collection, checked.prefix, checked.after);
    const limit = checked.limit === null ? '' : ` LIMIT $${values.length + 1}`;
    if (checked.limit !== null) values.push(checked.limit);
    const { rows } = await this.pool.query<DocRow>({
      name: `view-list-${variant}${limit ? 'l' : ''}`,
      text: `SELECT key, ord, doc FROM ${this.names.docs} WHERE ${sql} ORDER BY ord, key${limit}`,
      values,
    });
    return rows.map((r) => ({ key: r.key, order: Number(r.ord), doc: r.doc }));
  }

  async count(collection: string, prefix?: string): Promise<number> {
    this.assertOpen();
    checkName('collection', collection);
    const { sql, values, variant } = this.filter(collection, checkPrefix(prefix), null);
    const { rows } = await this.pool.query<{ n: string }>({
      name: `view-count-${variant}`,
      text: `SELECT count(*) AS n FROM ${this.names.docs} WHERE ${sql}`,
      values,
    });
    return Number(rows[0]?.n ?? 0);
  }

  async checkpoint(consumer: string): Promise<Checkpoint | null> {
    this.assertOpen();
    checkName('consumer', consumer);
    const { rows } = await this.pool.query<{ position: string; updated_at: Date }>({
      name: 'view-checkpoint',
      text: `SELECT position, updated_at FROM ${this.names.checkpoints} WHERE consumer = $1 AND position IS NOT NULL`,
      values: [consumer],
    });
    const row = rows[0];
    return row ? { position: row.position, updatedAt: row.updated_at.toISOString() } : null;
  }

  async commit(consumer: string, expected: string | null, next: string, changes: readonly ViewChange[]): Promise<void> {
    await this.commitMany([{ consumer, expected, next }], changes);
  }

  async commitMany(moves: readonly CheckpointMove[], changes: readonly ViewChange[]): Promise<void> {
    this.assertOpen();
    checkMoves(moves);
    const { upserts, deletes } = normaliseChanges(changes);
    // checkpoint rows are locked in one order too
    const ordered = [...moves].sort((a, b) => compareKeys(a.consumer, b.consumer));
    // One order of row locks for every commit, so two overlapping batches cannot deadlock.
    upserts.sort((a, b) => compareKeys(a.collection, b.collection) || compareKeys(a.key, b.key));
    const n = this.names;
    await inTransaction(this.pool, async (client) => {
      for (const { consumer, expected } of ordered) {
        if (expected === null) {
          await client.query(`INSERT INTO ${n.checkpoints} (consumer, position) VALUES ($1, NULL) ON CONFLICT (consumer) DO NOTHING`, [consumer]);
        }
        const { rows } = await client.query<{ position: string | null }>(
          `SELECT position FROM ${n.checkpoints} WHERE consumer = $1 FOR UPDATE`,
          [consumer],
        );
        const actual = rows[0]?.position ?? null;
        if (actual !== expected) throw new CheckpointConflictError(consumer, expected, actual);
      }
      for (let i = 0; i < deletes.length; i += this.batchSize) {
        const batch = deletes.slice(i, i + this.batchSize);
        await client.query(
          `DELETE FROM ${n.docs} AS d USING unnest($1::text[], $2::text[]) AS x (collection, key)
           WHERE d.collection = x.collection AND d.key = x.key`,
          [batch.map((d) => d.collection), batch.map((d) => d.key)],
        );
      }
      for (let i = 0; i < upserts.length; i += this.batchSize) {
        const batch = upserts.slice(i, i + this.batchSize);
        await client.query(
          `INSERT INTO ${n.docs} (collection, key, ord, doc)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::jsonb[])
           ON CONFLICT (collection, key) DO UPDATE SET ord = EXCLUDED.ord, doc = EXCLUDED.doc`,
          [batch.map((u) => u.collection), batch.map((u) => u.key), batch.map((u) => u.order), batch.map((u) => u.json)],
        );
      }
      for (const { consumer, next } of ordered) {
        await client.query(`UPDATE ${n.checkpoints} SET position = $2, updated_at = now() WHERE consumer = $1`, [consumer, next]);
        await this.notify(client, consumer);
      }
    });
  }

  async drop(collections: readonly string[], consumer?: string): Promise<void> {
    this.assertOpen();
    collections.forEach((c, i) => checkName(`collections[${i}]`, c));
    if (consumer !== undefined) checkName('consumer', consumer);
    await inTransaction(this.pool, async (client) => {
      if (collections.length > 0) await client.query(`DELETE FROM ${this.names.docs} WHERE collection = ANY($1::text[])`, [[...collections]]);
      if (consumer !== undefined) {
        await client.query(`DELETE FROM ${this.names.checkpoints} WHERE consumer = $1`, [consumer]);
        await this.notify(client, consumer);
      }
    });
  }

  /** The lease carries the backend pid that holds the lock (pg_stat_activity.pid). */
  async acquireWriter(consumer: string, options: { signal?: AbortSignal } = {}): Promise<PostgresWriterLease> {
    this.assertOpen();
    checkName('consumer', consumer);
    const { signal, dispose } = anySignal([options.signal, this.closing.signal]);
    const acquired = acquireWriterLock({
      config: this.config,
      schema: this.schema,
      consumer,
      pollIntervalMs: this.pollIntervalMs,
      checkIntervalMs: this.leaseCheckIntervalMs,
      signal,
      abortReason: () => (this.closing.signal.aborted ? new ViewStoreClosedError() : signal.reason),
      onEnded: (lease) => this.leases.delete(lease),
      onError: this.onError,
    });
    this.acquiring.add(acquired);
    try {
      const lease = await acquired;
      this.leases.add(lease);
      return lease;
    } finally {
      this.acquiring.delete(acquired);
      dispose();
    }
  }

  async waitForCheckpoint(consumer: string, reached: (position: string) => boolean, timeoutMs: number): Promise<void> {
    this.assertOpen();
    checkName('consumer', consumer);
    checkTimeout(timeoutMs);
    const changes = this.listener.changesFor(consumer);
    await waitForCheckpointLoop({
      consumer, reached, timeoutMs, changes,
      read: () => {
        void this.listener.ensure(); // (re)opens LISTEN in the background; polling covers the meantime
        // every waiter re-reads on each NOTIFY: waiters share one query per consumer, as long as no
        // change was announced since it was sent (so none of them misses one)
        const token = changes.snapshot();
        const shared = this.checkpointReads.get(consumer);
        if (shared && shared.token === token) return shared.read;
        const read = this.checkpoint(consumer).then((c) => c?.position ?? null);
        this.checkpointReads.set(consumer, { token, read });
        void read.finally(() => { if (this.checkpointReads.get(consumer)?.read === read) this.checkpointReads.delete(consumer); }).catch(() => undefined);
        return read;
      },
      closing: this.closing.signal,
    });
  }

  async getMeta(name: string): Promise<string | null> {
    this.assertOpen();
    checkName('name', name);
    const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM ${this.names.meta} WHERE name = $1`, [name]);
    return rows[0]?.value ?? null;
  }

  async setMeta(name: string, value: string | null): Promise<void> {
    this.assertOpen();
    checkName('name', name);
    if (value === null) {
      await this.pool.query(`DELETE FROM ${this.names.meta} WHERE name = $1`, [name]);
      return;
    }
    checkText('value', value);
    await this.pool.query(
      `INSERT INTO ${this.names.meta} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
      [name, value],
    );
  }

  /**
   * An UPDATE or DELETE leaves the old row version in the table's pages; after an erasure that copy
   * still holds the name. A plain VACUUM marks it free but does not overwrite it (the contract's
   * pageinspect test found the name still in a page), so the documents table and its TOAST table
   * are rewritten: VACUUM FULL, which holds an exclusive lock meanwhile (reads of the views wait;
   * erasures are rare). A version an open transaction still sees is copied too, and goes at the
   * next erasure. PostgreSQL's WAL and its archives keep their copies until they age out.
   */
  async forgetReplaced(): Promise<void> {
    if (this.closing.signal.aborted) return;
    await this.pool.query(`VACUUM FULL ${this.names.docs}`);
  }

  /** Whether waits are hearing NOTIFY right now (false: they poll). For health details. */
  get listening(): boolean {
    return this.listener.listening;
  }

  /** The backend pid of the LISTEN connection, or null (for tests that cut it). */
  get listenerBackendPid(): number | null {
    return this.listener.backendPid;
  }

  /** Ends held leases (onLost is told), pending acquires and waits, the LISTEN connection and the pool. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    await Promise.allSettled([...this.acquiring]);
    await Promise.all(
      [...this.leases].map(async (lease) => {
        lease.lose(new WriterLostError(lease.consumer, 'the view store was closed'));
        await lease.end();
      }),
    );
    await this.listener.close();
    await this.pool.end();
  }

  private async notify(client: PoolClient, consumer: string): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [this.names.channel, notifyPayload(consumer)]);
  }

  /** The WHERE clause for a collection, an exact key prefix (as a primary-key range) and a keyset cursor. */
  private filter(collection: string, prefix: string | null, after: CheckedListOptions['after']): { sql: string; values: Param[]; variant: string } {
    const clauses = ['collection = $1'];
    const values: Param[] = [collection];
    let variant = '';
    if (prefix !== null) {
      const upper = prefixUpperBound(prefix);
      values.push(prefix);
      const p = `$${values.length}`;
      clauses.push(`key >= ${p}`);
      if (upper === null) {
        clauses.push(`left(key, length(${p})) = ${p}`);
        variant += 'p';
      } else {
        values.push(upper);
        clauses.push(`key < $${values.length}`);
        variant += 'r';
      }
    }
    if (after !== null) {
      values.push(after.order, after.key);
      const o = `$${values.length - 1}::bigint`;
      const k = `$${values.length}`;
      clauses.push(`ord >= ${o} AND (ord > ${o} OR key > ${k})`);
      variant += 'a';
    }
    return { sql: clauses.join(' AND '), values, variant: variant || 'all' };
  }

  private assertOpen(): void {
    if (this.closing.signal.aborted) throw new ViewStoreClosedError();
  }
}
