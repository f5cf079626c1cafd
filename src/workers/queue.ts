// The relay's JobQueue on BullMQ: each job added with its deterministic id (BullMQ ignores a job
// whose id it holds already), its delay, and the retry policy: exponential backoff for transient
// failures, finished jobs kept for a while so that adding them again is ignored too (the worker
// drops whatever was recorded anyway). Refuses at once while the connection is down, and gives up
// on a call that takes too long, so that the relay keeps its checkpoint and tries again.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MAIL_QUEUE, type JobPolicy, type JobSpec, type MailJob } from './jobs.ts';
import type { JobQueue } from './relay.ts';

/** Jobs added in one call at most (a large fan-out goes in slices). */
const SLICE = 500;

export function mailQueue(connection: Redis, prefix: string, logger?: Logger): Queue<MailJob> {
  const queue = new Queue<MailJob>(MAIL_QUEUE, { connection, prefix });
  queue.on('error', (error) => logger?.debug({ err: { message: error.message } }, 'mail queue: Redis error'));
  return queue;
}

export class BullJobQueue implements JobQueue {
  constructor(
    private readonly queue: Queue<MailJob>,
    private readonly connection: Redis,
    private readonly policy: JobPolicy,
    private readonly timeoutMs = 10_000,
  ) {}

  async add(jobs: readonly JobSpec[]): Promise<void> {
    const keepSeconds = Math.ceil(this.policy.keepMs / 1000);
    for (let i = 0; i < jobs.length; i += SLICE) {
      this.assertConnected();
      const slice = jobs.slice(i, i + SLICE).map((j) => ({
        name: j.data.kind,
        data: j.data,
        opts: {
          jobId: j.id,
          ...(j.delayMs > 0 ? { delay: j.delayMs } : {}),
          attempts: this.policy.attempts,
          backoff: { type: 'exponential' as const, delay: this.policy.backoffMs },
          removeOnComplete: { age: keepSeconds },
          removeOnFail: { age: keepSeconds },
        },
      }));
      await this.bounded(this.queue.addBulk(slice), 'adding jobs');
    }
  }

  async remove(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += SLICE) {
      this.assertConnected();
      // 0 for a job it does not hold, or one a worker holds right now (that one checks for itself)
      await this.bounded(Promise.all(ids.slice(i, i + SLICE).map((id) => this.queue.remove(id))), 'removing jobs');
    }
  }

  private assertConnected(): void {
    if (this.connection.status !== 'ready') throw new Error(`Redis is not connected (${this.connection.status})`);
  }

  private async bounded<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    work.catch(() => undefined); // given up on: its late failure is nobody's to handle
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${this.timeoutMs} ms`)), this.timeoutMs); }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
