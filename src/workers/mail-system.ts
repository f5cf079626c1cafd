// The mail side of a process, as the composition root starts it: the relay (in a ProjectionRunner
// of its own, reading the same log as the views' runner, its checkpoint and writer lease in the same
// view store), the mail worker, and their Redis connections. ROLE=all runs both beside the API,
// ROLE=workers both without it; ROLE=api only watches whether Redis answers, for /healthz.
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DamageRegistry } from '../audit/damage.ts';
import type { CommandHandler } from '../commands/handler.ts';
import type { MailSettings } from '../mail/compose.ts';
import type { Mailer } from '../mail/transport.ts';
import type { Metrics } from '../metrics.ts';
import { ProjectionRunner } from '../projections/runner.ts';
import type { EventStore } from '../store/port.ts';
import type { ViewStore } from '../views/view-store.ts';
import { DEFAULT_JOB_POLICY, type JobPolicy } from './jobs.ts';
import { startMailWorker, type MailJobOutcome } from './mail-worker.ts';
import type { MailJob } from './jobs.ts';
import { BullJobQueue, mailQueue } from './queue.ts';
import { closeRedis, redisConnection, redisReachable } from './redis.ts';
import { mailRelay, RELAY_NAME } from './relay.ts';

export interface MailSystemOptions {
  store: EventStore;
  handler: CommandHandler;
  /** where the relay's checkpoint and writer lease live (the views' store) */
  viewStore: ViewStore;
  damage: DamageRegistry;
  logger: Logger;
  redisUrl: string;
  /** BullMQ's key prefix: every key of the queue starts with it */
  prefix: string;
  /** run the relay (events → jobs) */
  relay: boolean;
  /** run the mail worker (jobs → e-mail → records): needs `mail` */
  worker: boolean;
  mail?: { mailer: Mailer; settings: MailSettings };
  /** REMINDER_OFFSETS in ms, longest first */
  reminderOffsetsMs: readonly number[];
  policy?: Partial<JobPolicy>;
  digestWindowMs?: number;
  clock?: () => Date;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** where the mail worker counts what it recorded as sent and failed */
  metrics?: Pick<Metrics, 'countMailSent' | 'countMailFailed'>;
}

/** What /healthz shows of the mail side. */
export interface MailHealth {
  redis: { reachable: boolean };
  /** null: this process runs no relay */
  relay: { state: string; failure: string | null; position: string | null; behind: number | null } | null;
  /** null: this process runs no mail worker */
  worker: { running: boolean } | null;
}

export interface MailSystem {
  readonly relayRunner: ProjectionRunner | null;
  readonly worker: Worker<MailJob, MailJobOutcome> | null;
  /** the mail queue the relay adds to (null: this process runs no relay), for the admin listener's dashboard and gauges */
  readonly queue: Queue<MailJob> | null;
  health(): Promise<MailHealth>;
  /** the relay first (its batch in flight is committed or dropped), then the worker (its jobs in flight finish), then Redis */
  stop(): Promise<void>;
}

/** How long a stop waits for the mail jobs in flight (a message to a slow server) before leaving them to another worker. */
const WORKER_CLOSE_MS = 7_000;

/** The work's result, or undefined when it takes longer than `ms` (it goes on, unwatched). */
async function within<T>(ms: number, work: Promise<T> | undefined): Promise<T | undefined> {
  if (!work) return undefined;
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => undefined);
  try {
    return await Promise.race([work, new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startMailSystem(o: MailSystemOptions): Promise<MailSystem> {
  const connections: Redis[] = [];
  const producer = redisConnection(o.redisUrl, o.relay ? 'producer' : 'probe', o.logger);
  connections.push(producer);

  let relayRunner: ProjectionRunner | null = null;
  let queue: ReturnType<typeof mailQueue> | null = null;
  if (o.relay) {
    queue = mailQueue(producer, o.prefix, o.logger);
    const jobs = new BullJobQueue(queue, producer, { ...DEFAULT_JOB_POLICY, ...o.policy });
    const relay = mailRelay({
      handler: o.handler, queue: jobs, reminderOffsetsMs: o.reminderOffsetsMs, logger: o.logger.child({ component: RELAY_NAME }),
      ...(o.clock ? { clock: o.clock } : {}), ...(o.digestWindowMs ? { digestWindowMs: o.digestWindowMs } : {}),
    });
    // a runner of its own: while Redis is down the relay holds its batch, and the views go on
    relayRunner = new ProjectionRunner({ store: o.store, projections: [relay], viewStore: o.viewStore, logger: o.logger.child({ component: RELAY_NAME }), damage: o.damage });
    await relayRunner.start();
  }

  let worker: Worker<MailJob, MailJobOutcome> | null = null;
  let workerConnection: Redis | null = null;
  if (o.worker) {
    if (!o.mail) throw new Error('the mail worker needs a mailer and mail settings');
    const connection = redisConnection(o.redisUrl, 'worker', o.logger);
    workerConnection = connection;
    connections.push(connection);
    worker = startMailWorker({
      connection, prefix: o.prefix, handler: o.handler, store: o.store, mailer: o.mail.mailer, settings: o.mail.settings,
      reminderOffsetsMs: o.reminderOffsetsMs, logger: o.logger.child({ component: 'mail-worker' }),
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      ...(o.lockDurationMs !== undefined ? { lockDurationMs: o.lockDurationMs } : {}),
      ...(o.metrics ? { metrics: o.metrics } : {}),
      ...(o.stalledIntervalMs !== undefined ? { stalledIntervalMs: o.stalledIntervalMs } : {}),
    });
  }

  let stopping: Promise<void> | null = null;
  return {
    relayRunner,
    worker,
    queue,
    async health() {
      const reachable = await redisReachable(producer);
      let relay: MailHealth['relay'] = null;
      if (relayRunner) {
        const [status] = relayRunner.status();
        const [lag] = await relayRunner.lag().catch(() => [null]);
        relay = { state: status?.state ?? 'stopped', failure: status?.failure ?? null, position: status?.position ?? null, behind: lag?.behind ?? null };
      }
      return { redis: { reachable }, relay, worker: worker ? { running: worker.isRunning() } : null };
    },
    stop() {
      stopping ??= (async () => {
        await relayRunner?.stop();
        if (worker) {
          // the jobs in flight finish; with Redis away there is nothing to wait for (and BullMQ would wait for it)
          const graceful = workerConnection?.status === 'ready';
          const closed = await within(WORKER_CLOSE_MS, worker.close(!graceful).then(() => true));
          if (!closed) await worker.close(true).catch(() => undefined);
        }
        await within(1_000, queue?.close().catch(() => undefined));
        o.mail?.mailer.close();
        for (const c of connections) await closeRedis(c);
      })();
      return stopping;
    },
  };
}
