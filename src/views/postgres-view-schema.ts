// The view store's tables in a PostgreSQL schema of the caller's choosing, versioned, created under
// a transaction-scoped advisory lock so that several replicas starting at once do not race on
// CREATE. Also the names derived from the schema: quoted identifiers, the NOTIFY channel, and the
// stable 64-bit advisory-lock keys.
import { createHash } from 'node:crypto';
import { escapeIdentifier, type Pool } from 'pg';
import { inTransaction } from './postgres-transaction.ts';

/** A signed 64-bit integer (as decimal text, for a bigint parameter) that depends only on the parts. */
export function advisoryKey(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readBigInt64BE(0).toString();
}

export interface SchemaNames {
  schema: string;
  docs: string;
  checkpoints: string;
  meta: string;
  /** a channel identifier (at most 63 bytes, whatever the schema's name) */
  channel: string;
}

export function schemaNames(schema: string): SchemaNames {
  const q = escapeIdentifier(schema);
  const hash = createHash('sha256').update(schema).digest('hex').slice(0, 16);
  return {
    schema: q,
    docs: `${q}.view_docs`,
    checkpoints: `${q}.view_checkpoints`,
    meta: `${q}.view_meta`,
    channel: `view_checkpoints_${hash}`,
  };
}

/** Index i upgrades the schema from version i to i + 1. Append new steps; never edit old ones. */
function migrations(n: SchemaNames): readonly string[] {
  return [
    // COLLATE "C": keys compare by UTF-8 bytes (code point order), as in SQLite and in memory, and
    // a prefix is an index range on the primary key. The second index serves listings in
    // (order, key) order and keyset paging. A checkpoint row with a null position is never
    // committed: it is how "expected: none yet" is locked without a race (see commit).
    `CREATE TABLE ${n.docs} (
       collection text COLLATE "C" NOT NULL,
       key        text COLLATE "C" NOT NULL,
       ord        bigint NOT NULL,
       doc        jsonb  NOT NULL,
       PRIMARY KEY (collection, key)
     );
     CREATE INDEX view_docs_by_order ON ${n.docs} (collection, ord, key);
     CREATE TABLE ${n.checkpoints} (
       consumer   text PRIMARY KEY,
       position   text,
       updated_at timestamptz NOT NULL DEFAULT now()
     );
     CREATE TABLE ${n.meta} (
       name  text PRIMARY KEY,
       value text NOT NULL
     );`,
  ];
}

export async function migrate(pool: Pool, schemaName: string): Promise<void> {
  const n = schemaNames(schemaName);
  const steps = migrations(n);
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey('view-store-migrate', schemaName)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${n.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${n.schema}.view_schema (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${n.schema}.view_schema`);
    const version = rows[0]?.version ?? 0;
    if (version > steps.length) {
      throw new Error(`schema ${schemaName} has view store schema version ${version}; this code knows up to ${steps.length}`);
    }
    for (const step of steps.slice(version)) await client.query(step);
    if (rows.length === 0) await client.query(`INSERT INTO ${n.schema}.view_schema (version) VALUES ($1)`, [steps.length]);
    else if (version !== steps.length) await client.query(`UPDATE ${n.schema}.view_schema SET version = $1`, [steps.length]);
  });
}
