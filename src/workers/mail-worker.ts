// The mail worker: takes a job off the queue, re-reads the consultation's state, and sends the
// message only when it is still due (due.ts) and not recorded yet; then records it through the
// command handler with the job id as the command id, so that a retried job never records twice and
// a job recorded as sent is never sent again. Each contact has its own job, so its own message
// (its own SMTP transaction, link, Reply-To and bounce address).
//
// Failures: a transient one (4xx, no connection, a timeout) is thrown, and BullMQ tries the job
// again with exponential backoff; the last attempt's is recorded as DeliveryFailed (permanent:
// false). A permanent one (5xx, an invalid address) is recorded as DeliveryFailed at once, not
// retried. Malformed job data fails at once, without retries (UnrecoverableError).
//
// The only duplicate that may reach anyone is a crash between the SMTP server's acceptance and the
// record: the message sent again carries the same Message-ID (made of the job id). A message sent
// whose record failed is remembered in this process, so its retry records without sending again.
import { createHash } from 'node:crypto';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { HistoryDamagedError } from '../audit/damage.ts';
import type { CommandHandler } from '../commands/handler.ts';
import { commands } from '../commands/index.ts';
import { DomainError } from '../domain/errors.ts';
import type { ReadonlyState } from '../domain/consultation.ts';
import type { Actor } from '../domain/schemas.ts';
import { normaliseEmail } from '../domain/contacts.ts';
import { composeMessage, type MailSettings } from '../mail/compose.ts';
import { buildMail, InvalidRecipientError, messageIdFor, type OutgoingMail } from '../mail/message.ts';
import { renderOfficeDigest } from '../mail/render.ts';
import { classifyFailure, type Mailer } from '../mail/transport.ts';
import type { Metrics } from '../metrics.ts';
import type { EventStore } from '../store/port.ts';
import { whyNotDue } from './due.ts';
import { jobIdFor, MAIL_QUEUE, MailJob, messageKindOf, type StakeholderMailJob } from './jobs.ts';
import { ConsultationEvents, messageFacts, officeDigestOf } from './message-facts.ts';

/**
 * How long a record waits for the records of other jobs to the same consultation, so that a
 * fan-out's records share one commit (each commit is an fsync); a few ms on a job that took an
 * SMTP transaction.
 */
const RECORD_BATCH_WINDOW_MS = 5;

/** Who records what the mail worker did. */
export const MAIL_WORKER_ACTOR: Actor = { role: 'system', id: 'mail-worker' };

export interface MailWorkerDeps {
  handler: Pick<CommandHandler, 'load' | 'execute'>;
  store: Pick<EventStore, 'readStream'>;
  mailer: Mailer;
  settings: MailSettings;
  /** REMINDER_OFFSETS in ms, longest first */
  reminderOffsetsMs: readonly number[];
  clock?: () => Date;
  logger?: Logger;
  /** counts each message recorded as sent or failed, by job kind (consult_mails_sent_total, consult_mails_failed_total) */
  metrics?: Pick<Metrics, 'countMailSent' | 'countMailFailed'>;
  /** jobs at once (default 4) */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 4;

/** What became of a job (its BullMQ return value, and the log's). */
export type MailJobOutcome =
  | { outcome: 'sent'; messageId: string; transport: 'smtp' | 'file' }
  | { outcome: 'failed'; messageId: string; error: string }
  | { outcome: 'recorded-already' }
  /** the office's digest: how many of its mailboxes it was sent (or had been) and how many failed for good */
  | { outcome: 'notified'; sent: number; failed: number }
  | { outcome: 'not-due'; reason: string };

/** The parts of a BullMQ job the worker reads (tests hand it plain objects). */
export interface JobLike {
  id?: string | undefined;
  data: unknown;
  attemptsMade: number;
  opts: { attempts?: number | undefined };
}

type Sent = { messageId: string; sentAt: string; transport: 'smtp' | 'file' };

export class MailJobProcessor {
  private readonly events: ConsultationEvents;
  private readonly clock: () => Date;
  /** messages sent whose record failed, by job id: the retry records them without sending again */
  private readonly unrecorded = new Map<string, Sent>();
  private readonly domain: string;

  constructor(private readonly deps: MailWorkerDeps) {
    this.events = new ConsultationEvents(deps.store);
    this.clock = deps.clock ?? (() => new Date());
    const from = deps.settings.from.address;
    this.domain = from.slice(from.lastIndexOf('@') + 1);
  }

  async process(job: JobLike): Promise<MailJobOutcome> {
    const parsed = MailJob.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`malformed mail job data: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}`);
    }
    const data = parsed.data;
    const id = job.id;
    if (id === undefined || id !== jobIdFor(data)) throw new UnrecoverableError(`the job id ${String(id)} is not the one its data names (${jobIdFor(data)})`);
    if (data.kind === 'office-digest') return this.officeDigest(id, data, job);
    const log = this.deps.logger?.child({ jobId: id, kind: data.kind, consultationId: data.consultationId, stakeholderId: data.stakeholderId, contactId: data.contactId });

    let state: ReadonlyState;
    try {
      state = await this.deps.handler.load(data.consultationId);
    } catch (error) {
      if (error instanceof HistoryDamagedError) throw new UnrecoverableError(error.message);
      throw error; // the store: try again later
    }
    const messageId = messageIdFor(id, this.domain);
    const recorded = state.messages.get(messageId);
    if (state.commands.has(id) || recorded === 'sent' || recorded === 'failed-permanently') {
      this.unrecorded.delete(id);
      log?.debug('mail job: its message is recorded already; dropped');
      return { outcome: 'recorded-already' };
    }

    const now = this.clock();
    let sent = this.unrecorded.get(id);
    if (!sent) {
      const reason = whyNotDue(state, data, now.toISOString(), this.deps.reminderOffsetsMs);
      if (reason !== null) {
        log?.info({ reason }, 'mail job: no longer due; nothing sent');
        return { outcome: 'not-due', reason };
      }
      const x = state.stakeholders.get(data.stakeholderId)!; // whyNotDue found it
      const contact = x.contacts.find((c) => c.contactId === data.contactId)!;
      const [profile, facts] = await Promise.all([
        this.events.profile(data.consultationId),
        messageFacts(state, x, data, this.events, { now: now.toISOString() }),
      ]);
      if (!profile || !facts) {
        log?.info('mail job: nothing to say (no answers in its period, no comments, no such event); nothing sent');
        return { outcome: 'not-due', reason: 'nothing to say' };
      }
      let mail: OutgoingMail;
      try {
        ({ mail } = await composeMessage(this.deps.settings, {
          jobId: id,
          subject: { consultationId: data.consultationId, stakeholderId: x.id, contactId: contact.contactId },
          consultation: profile,
          stakeholder: { organisation: x.organisation, language: x.language },
          contact: { name: contact.name, email: contact.email },
          facts,
          date: now,
        }));
      } catch (error) {
        if (!(error instanceof InvalidRecipientError)) throw error;
        return this.failed(data, messageId, error.message, true, log);
      }
      try {
        const result = await this.deps.mailer.send(mail);
        sent = { messageId: mail.messageId, sentAt: now.toISOString(), transport: result.transport };
      } catch (error) {
        const failure = classifyFailure(error);
        const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (failure.permanent) return this.failed(data, messageId, failure.error, true, log);
        log?.warn({ responseCode: failure.responseCode, attempt: job.attemptsMade + 1, last }, 'mail job: the SMTP server failed for now');
        if (last) await this.failed(data, messageId, failure.error, false, log);
        // what the server said may name the address: it goes into the record, never into Redis (failedReason)
        throw new Error(`the SMTP server failed for now (${failure.responseCode ?? 'no reply code'}); tried again with backoff`);
      }
      this.unrecorded.set(id, sent);
    }
    await this.record(id, data, sent);
    this.unrecorded.delete(id);
    this.deps.metrics?.countMailSent(data.kind, sent.transport);
    log?.info({ messageId: sent.messageId, transport: sent.transport }, sent.transport === 'file' ? 'mail job: written to the outbox (not sent) and recorded' : 'mail job: sent and recorded');
    return { outcome: 'sent', messageId: sent.messageId, transport: sent.transport };
  }

  /**
   * The office's digest of a period: one message to each of the consultation's notifyEmails (its
   * own SMTP transaction and Message-ID, `<job id>-<mailbox>`), recorded per mailbox with that as
   * the command id, so that a retry sends only to the mailboxes not recorded yet. Nothing when
   * there is nothing to report or no mailbox to alert.
   */
  private async officeDigest(id: string, data: Extract<MailJob, { kind: 'office-digest' }>, job: JobLike): Promise<MailJobOutcome> {
    const log = this.deps.logger?.child({ jobId: id, kind: data.kind, consultationId: data.consultationId });
    let state: ReadonlyState;
    try {
      state = await this.deps.handler.load(data.consultationId);
    } catch (error) {
      if (error instanceof HistoryDamagedError) throw new UnrecoverableError(error.message);
      throw error;
    }
    if (state.status === 'none' || state.id !== data.consultationId) return { outcome: 'not-due', reason: 'no such consultation' };
    if (state.notifyEmails.length === 0) {
      log?.info('office digest: the consultation names no mailbox to alert; nothing sent');
      return { outcome: 'not-due', reason: 'no mailbox to alert' };
    }
    const [profile, sections] = await Promise.all([this.events.profile(data.consultationId), officeDigestOf(state, data, this.events)]);
    if (!profile || sections.length === 0) {
      log?.info('office digest: nothing to report in its period; nothing sent');
      return { outcome: 'not-due', reason: 'nothing to report' };
    }
    const now = this.clock();
    const rendered = renderOfficeDigest({ consultation: profile, from: data.from, until: data.to, sections });
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let sentCount = 0;
    let failedCount = 0;
    let transient: string | null = null;
    for (const mailbox of state.notifyEmails) {
      const commandId = `${id}-${createHash('sha256').update(normaliseEmail(mailbox)).digest('hex').slice(0, 12)}`;
      const messageId = messageIdFor(commandId, this.domain);
      const recorded = state.messages.get(messageId);
      if (recorded === 'sent' || state.commands.has(commandId)) {
        sentCount++;
        continue;
      }
      if (recorded === 'failed-permanently') {
        failedCount++;
        continue;
      }
      let sent = this.unrecorded.get(commandId);
      if (!sent) {
        let mail: OutgoingMail;
        try {
          mail = buildMail(this.deps.settings, this.deps.settings.keys, { jobId: commandId, subject: null, to: { name: '', email: mailbox }, rendered, date: now });
        } catch (error) {
          if (!(error instanceof InvalidRecipientError)) throw error;
          await this.officeFailed(data, commandId, mailbox, messageId, error.message, true);
          failedCount++;
          continue;
        }
        try {
          const result = await this.deps.mailer.send(mail);
          sent = { messageId: mail.messageId, sentAt: now.toISOString(), transport: result.transport };
        } catch (error) {
          const failure = classifyFailure(error);
          if (failure.permanent || last) {
            await this.officeFailed(data, commandId, mailbox, messageId, failure.error, failure.permanent);
            if (failure.permanent) failedCount++;
          }
          if (!failure.permanent) transient = `the SMTP server failed for now (${failure.responseCode ?? 'no reply code'})`;
          continue;
        }
        this.unrecorded.set(commandId, sent);
      }
      await this.execute(() => this.deps.handler.execute(commands.recordOfficeNotification, {
        consultationId: data.consultationId, commandId, actor: MAIL_WORKER_ACTOR,
        input: {
          outcome: 'sent', to: mailbox, messageId: sent.messageId, digest: 'office-digest', from: data.from, until: data.to,
          sections: sections.map((x) => x.kind), sentAt: sent.sentAt, ...(sent.transport === 'file' ? { transport: 'file' as const } : {}),
        },
      }));
      this.unrecorded.delete(commandId);
      this.deps.metrics?.countMailSent(data.kind, sent.transport);
      sentCount++;
    }
    if (transient !== null && !last) {
      log?.warn({ attempt: job.attemptsMade + 1 }, 'office digest: the SMTP server failed for now for a mailbox; tried again with backoff');
      throw new Error(`${transient}; tried again with backoff`);
    }
    log?.info({ sent: sentCount, failed: failedCount }, 'office digest: sent and recorded');
    return { outcome: 'notified', sent: sentCount, failed: failedCount };
  }

  private async officeFailed(data: Extract<MailJob, { kind: 'office-digest' }>, commandId: string, to: string, messageId: string, error: string, permanent: boolean): Promise<void> {
    await this.execute(() => this.deps.handler.execute(commands.recordOfficeNotification, {
      consultationId: data.consultationId, commandId, actor: MAIL_WORKER_ACTOR,
      input: { outcome: 'failed', to, messageId, error: cleanError(error), permanent, failedAt: this.clock().toISOString() },
    }));
    this.deps.metrics?.countMailFailed(data.kind, permanent);
  }

  private async record(commandId: string, job: StakeholderMailJob, sent: Sent): Promise<void> {
    const common = { stakeholderId: job.stakeholderId, contactId: job.contactId, messageId: sent.messageId, sentAt: sent.sentAt, ...(sent.transport === 'file' ? { transport: 'file' as const } : {}) };
    const input = (() => {
      switch (job.kind) {
        case 'invitation': return { kind: 'invitation' as const, ...common };
        case 'reminder': return { kind: 'reminder' as const, ...common, phase: job.phase, draftVersion: job.draftVersion, deadline: job.deadline };
        case 'new-draft': return { kind: 'notice' as const, ...common, notice: 'new-draft' as const, draftVersion: job.draftVersion };
        case 'endorsement-request': return { kind: 'notice' as const, ...common, notice: 'endorsement-request' as const, draftVersion: job.draftVersion };
        case 'acknowledgement': return { kind: 'notice' as const, ...common, notice: 'acknowledgement' as const };
        case 'outcome': return { kind: 'notice' as const, ...common, notice: 'outcome' as const };
        case 'answers-digest': return { kind: 'notice' as const, ...common, notice: 'answers-digest' as const };
      }
    })();
    await this.execute(() => this.deps.handler.execute(commands.recordMessageSent, { consultationId: job.consultationId, commandId, actor: MAIL_WORKER_ACTOR, input,
      // no more records than jobs at once can join: the window ends when they all have
      batchWindow: { ms: RECORD_BATCH_WINDOW_MS, upTo: this.deps.concurrency ?? DEFAULT_CONCURRENCY },
    }));
  }

  private async failed(job: StakeholderMailJob, messageId: string, error: string, permanent: boolean, log: Logger | undefined): Promise<MailJobOutcome> {
    const commandId = jobIdFor(job);
    log?.warn({ permanent }, permanent ? 'mail job: delivery failed for good; recorded' : 'mail job: delivery failed on the last attempt; recorded');
    await this.execute(() => this.deps.handler.execute(commands.recordDeliveryFailure, {
      consultationId: job.consultationId,
      commandId,
      actor: MAIL_WORKER_ACTOR,
      input: {
        stakeholderId: job.stakeholderId, contactId: job.contactId, messageId, messageKind: messageKindOf(job.kind),
        error: cleanError(error),
        permanent, failedAt: this.clock().toISOString(),
      },
    }));
    this.deps.metrics?.countMailFailed(job.kind, permanent);
    return { outcome: 'failed', messageId, error };
  }

  /** A record that another run of the same job made first (same command id, another time in it) is recorded all the same. */
  private async execute(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'COMMAND_ID_REUSED') return;
      throw error;
    }
  }
}

/** What a failure said, as a record keeps it: no control characters, at most 2,000 characters. */
function cleanError(error: string): string {
  return error.replace(/[^\t\n\u0020-\u007e\u00a0-\uffff]/g, ' ').trim().slice(0, 2_000) || 'delivery failed';
}

export interface MailWorkerOptions extends MailWorkerDeps {
  connection: Redis;
  prefix: string;
  /** how long a job's lock lasts without renewal: a worker that died gives its jobs back after it (BullMQ default 30 s) */
  lockDurationMs?: number;
  /** how often stalled jobs are looked for (BullMQ default 30 s) */
  stalledIntervalMs?: number;
}

/** The BullMQ worker on the mail queue; close() lets the jobs in flight finish. */
export function startMailWorker(options: MailWorkerOptions): Worker<MailJob, MailJobOutcome> {
  const processor = new MailJobProcessor(options);
  const worker = new Worker<MailJob, MailJobOutcome>(MAIL_QUEUE, (job: Job<MailJob, MailJobOutcome>) => processor.process(job), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
  });
  worker.on('error', (error) => options.logger?.debug({ err: { message: error.message } }, 'mail worker: Redis error'));
  worker.on('failed', (job, error) => {
    if (job && error instanceof UnrecoverableError) options.logger?.error({ jobId: job.id, err: { message: error.message } }, 'mail job failed without retries');
  });
  return worker;
}
