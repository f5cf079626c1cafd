// Connections to Redis (REDIS_URL) for the queue, built in the composition root. Two kinds:
// - the relay's (producer) connection fails fast while Redis is away (no offline queue, one retry
//   per command), so that the relay notices, keeps its checkpoint and tries again later;
// - a worker's waits (maxRetriesPerRequest: null, as BullMQ requires for its blocking commands).
// Both reconnect for ever, with a backoff of at most 5 s, and log a change of state once, not
// every failed attempt.
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export type RedisPurpose = 'producer' | 'worker' | 'probe';

export function redisConnection(url: string, purpose: RedisPurpose, logger?: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: `wps-consult-${purpose}`,
    maxRetriesPerRequest: purpose === 'worker' ? null : 1,
    enableOfflineQueue: purpose === 'worker',
    retryStrategy: (times) => Math.min(200 * times, 5_000),
    // a Redis that answers nothing must not hold a command for ever
    ...(purpose === 'worker' ? {} : { commandTimeout: 5_000 }),
  });
  let up: boolean | null = null;
  redis.on('ready', () => {
    if (up !== true) logger?.info({ redis: purpose }, 'Redis connected');
    up = true;
  });
  redis.on('error', (error: Error) => {
    if (up !== false) logger?.warn({ redis: purpose, err: { message: error.message } }, 'Redis unreachable; retrying (the relay keeps its checkpoint, mail waits)');
    up = false;
  });
  return redis;
}

/** Whether Redis answers a PING within `timeoutMs`. */
export async function redisReachable(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      redis.ping().then((r) => r === 'PONG'),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Closes a connection: QUIT when it is up, else drops it. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
