// One transaction on a pooled connection: BEGIN, the body, COMMIT; ROLLBACK on any failure. A
// connection whose ROLLBACK fails too (it broke mid-transaction) is destroyed, not returned to
// the pool. When COMMIT itself fails for a lost connection, the outcome is unknown to the caller:
// for a view store commit, retrying with the same expected checkpoint then conflicts if it did commit.
import type { Pool, PoolClient } from 'pg';

export async function inTransaction<T>(pool: Pool, body: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
