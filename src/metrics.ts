// What the process counts for operators, in the Prometheus format (prom-client), served by the
// admin listener at /metrics (src/http/admin.ts). One registry per Metrics object, built in the
// composition root and passed down (never prom-client's global registry), so that tests and
// several apps in one process never share a counter.
//
// - http_request_duration_seconds{method,route,status_code}: every answer of the API (src/http/app.ts);
//   `route` is the route's pattern (/consultations/:id), never the URL, whose ids would make a
//   series per consultation; a request no route matched is `unmatched`.
// - consult_commands_total{command,outcome}: every command through the handler (HTTP, CLI, workers).
// - consult_mails_sent_total{kind,transport} and consult_mails_failed_total{kind,permanent}: the
//   mail worker's records (transport `file`: written to the outbox, not sent).
// - consult_queue_jobs{queue,state} and consult_queue_reachable{queue}: BullMQ job counts, asked
//   of Redis at each scrape (bounded in time: a scrape never hangs on a Redis that does not answer).
// - the process's default metrics (CPU, memory, event loop lag, GC, handles), prefixed `process_`/`nodejs_`.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The queue states counted at each scrape. */
export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];
type QueueCounts = { queue: string; counts: Record<string, number> | null };

/** What the queue gauge needs of a BullMQ Queue. */
export interface CountedQueue {
  readonly name: string;
  getJobCounts(...types: QueueState[]): Promise<Record<string, number>>;
}

/** How a command ended: see CommandHandler (src/commands/handler.ts). */
export type CommandOutcome =
  /** events appended */
  | 'appended'
  /** already satisfied: nothing to append */
  | 'unchanged'
  /** its command id was applied before: the first result returned */
  | 'replayed'
  /** its input did not parse */
  | 'invalid'
  /** refused by a rule, a stale If-Match or a damaged history */
  | 'refused'
  /** anything else: the store failed, contention, a bug */
  | 'failed';

export interface MetricsOptions {
  /** the process's default metrics (CPU, memory, event loop, GC); default true */
  defaultMetrics?: boolean;
  /** how long a scrape waits for Redis's job counts (default 2 s) */
  queueTimeoutMs?: number;
}

export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an API request, by route pattern, method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly commands = new Counter({
    name: 'consult_commands_total',
    help: 'Commands run through the command handler, by command name and outcome (appended, unchanged, replayed, invalid, refused, failed)',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly mailsSent = new Counter({
    name: 'consult_mails_sent_total',
    help: 'E-mail messages sent and recorded, by message kind and transport (file: written to the outbox, not sent)',
    labelNames: ['kind', 'transport'] as const,
    registers: [this.registry],
  });

  readonly mailsFailed = new Counter({
    name: 'consult_mails_failed_total',
    help: 'E-mail messages recorded as failed (DeliveryFailed), by message kind and whether the failure is permanent',
    labelNames: ['kind', 'permanent'] as const,
    registers: [this.registry],
  });

  private queues: readonly CountedQueue[] = [];
  private readonly queueTimeoutMs: number;
  /** the job counts of the scrape in progress, shared by both queue gauges: Redis is asked once per scrape */
  private counting: Promise<QueueCounts[]> | null = null;

  constructor(options: MetricsOptions = {}) {
    this.queueTimeoutMs = options.queueTimeoutMs ?? 2000;
    const metrics = this; // read by the collect callbacks below, where `this` is the gauge
    new Gauge({
      name: 'consult_queue_jobs',
      help: 'Jobs in each BullMQ queue by state (waiting, delayed, active, failed), asked of Redis at each scrape',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const counted = await metrics.countQueues();
        this.reset(); // no counts rather than stale ones for a queue that did not answer
        for (const { queue, counts } of counted) {
          if (counts) for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'consult_queue_reachable',
      help: 'Whether this scrape got the queue\'s job counts from Redis (1) or not (0)',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        const counted = await metrics.countQueues();
        this.reset();
        for (const { queue, counts } of counted) this.set({ queue }, counts ? 1 : 0);
      },
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** The queues whose job counts each scrape reports (replaces the previous list). */
  watchQueues(queues: readonly CountedQueue[]): void {
    this.queues = [...queues];
  }

  /** Counts a command that ended with this outcome. */
  countCommand(command: string, outcome: CommandOutcome): void {
    this.commands.inc({ command, outcome });
  }

  /** Counts a message the mail worker recorded as sent (InvitationSent, NoticeSent, ReminderSent). */
  countMailSent(kind: string, transport: 'smtp' | 'file'): void {
    this.mailsSent.inc({ kind, transport });
  }

  /** Counts a message the mail worker recorded as failed (DeliveryFailed). */
  countMailFailed(kind: string, permanent: boolean): void {
    this.mailsFailed.inc({ kind, permanent: String(permanent) });
  }

  /** The exposition text, and its content type, for GET /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Each watched queue's counts (null: Redis did not answer in time), once per scrape. */
  private countQueues(): Promise<QueueCounts[]> {
    this.counting ??= Promise.all(this.queues.map(async (queue): Promise<QueueCounts> => {
      try {
        return { queue: queue.name, counts: await this.bounded(queue.getJobCounts(...QUEUE_STATES)) };
      } catch {
        return { queue: queue.name, counts: null };
      }
    })).finally(() => { this.counting = null; });
    return this.counting;
  }

  private async bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    work.catch(() => undefined); // given up on: its late failure is nobody's to handle
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no answer from Redis')), this.queueTimeoutMs); }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
