// The one writer per consumer across replicas: a session advisory lock, keyed by a stable 64-bit
// hash of schema and consumer, held on a connection of its own (not the pool's), so the lock lives
// exactly as long as that session. Waiters poll pg_try_advisory_lock (cancellable, unlike a
// blocking pg_advisory_lock) and take over as soon as the holder unlocks or its session ends (a
// crash, a lost network, pg_terminate_backend). The holder notices a lost session by the client's
// 'error'/'end' events and by a periodic round trip, and is told through onLost.
import { Client, type ClientConfig } from 'pg';
import { advisoryKey } from './postgres-view-schema.ts';
import { WriterLostError } from './view-store.ts';
import { Lease, sleep } from './writer-lease.ts';

export function writerLockKey(schema: string, consumer: string): string {
  return advisoryKey('view-store-writer', schema, consumer);
}

export class PostgresWriterLease extends Lease {
  constructor(
    consumer: string,
    /** the backend process holding the advisory lock (pg_stat_activity.pid) */
    readonly backendPid: number,
    giveUp: () => Promise<void>,
  ) {
    super(consumer, giveUp);
  }
}

export interface WriterLockOptions {
  config: ClientConfig;
  schema: string;
  consumer: string;
  pollIntervalMs: number;
  /** how often the holder checks that its session still answers */
  checkIntervalMs: number;
  signal: AbortSignal;
  /** the error to throw when `signal` aborts */
  abortReason(): unknown;
  /** the lease ended (released or lost) */
  onEnded(lease: PostgresWriterLease): void;
  /** a waiting attempt's connection failed; it reconnects after a pause */
  onError(error: unknown): void;
}

/** Waits for the lock (across reconnections) until it is held, or until `signal` aborts. */
export async function acquireWriterLock(options: WriterLockOptions): Promise<PostgresWriterLease> {
  for (;;) {
    if (options.signal.aborted) throw options.abortReason();
    try {
      return await attempt(options);
    } catch (error) {
      if (options.signal.aborted) throw options.abortReason();
      options.onError(error);
      await sleep(Math.max(options.pollIntervalMs, 1000), options.signal).catch(() => {
        throw options.abortReason();
      });
    }
  }
}

/** One connection: poll the lock on it until held (resolves), aborted or the connection fails (rejects). */
async function attempt(options: WriterLockOptions): Promise<PostgresWriterLease> {
  const { config, schema, consumer, pollIntervalMs, checkIntervalMs, signal, abortReason, onEnded } = options;
  const key = writerLockKey(schema, consumer);
  const client = new Client({ ...config, application_name: `${config.application_name ?? 'view-store'}:writer` });
  let lease: PostgresWriterLease | null = null;
  let timer: NodeJS.Timeout | undefined;
  const end = () => client.end().catch(() => undefined);
  const lose = (reason: string, cause?: unknown) => {
    clearInterval(timer);
    if (lease?.lose(new WriterLostError(consumer, reason, { cause }))) onEnded(lease);
  };
  client.on('error', (error) => {
    lose(`its connection failed: ${error.message}`, error);
    void end();
  });
  client.on('end', () => lose('its connection ended'));
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;
    for (;;) {
      const result = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
      if (result.rows[0]?.ok) break;
      await sleep(pollIntervalMs, signal).catch(() => {
        throw abortReason();
      });
    }
    if (signal.aborted) throw abortReason(); // aborted while the winning try was in flight: give the lock back
    const held: PostgresWriterLease = new PostgresWriterLease(consumer, pid, async () => {
      clearInterval(timer);
      onEnded(held);
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
      await end();
    });
    lease = held;
    const check = () => {
      let timeout: NodeJS.Timeout | undefined;
      const silence = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`no answer within ${checkIntervalMs} ms`)), checkIntervalMs);
      });
      Promise.race([client.query('SELECT 1'), silence])
        .catch((error: unknown) => {
          if (!held.held) return;
          lose(`its connection stopped answering: ${String(error)}`, error);
          void end();
        })
        .finally(() => clearTimeout(timeout));
    };
    timer = setInterval(check, checkIntervalMs);
    timer.unref();
    return held;
  } catch (error) {
    await end();
    throw error;
  }
}
