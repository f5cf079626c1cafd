// The mail side under test: the relay and the mail worker of src/workers on a real Redis
// (127.0.0.1:6379) under a BullMQ prefix of the test's own (obliterated at teardown), sending to a
// real smtp-server (smtp-sink.ts); what arrives read back with mailparser.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { simpleParser, type ParsedMail } from 'mailparser';
import { pino } from 'pino';
import type { Test } from 'tap';
import { stakeholderTokenKeys } from '../../src/auth/stakeholder-tokens.ts';
import type { CommandHandler } from '../../src/commands/handler.ts';
import type { DamageRegistry } from '../../src/audit/damage.ts';
import type { MailSettings } from '../../src/mail/compose.ts';
import { createMailer } from '../../src/mail/transport.ts';
import type { EventStore, RecordedEvent } from '../../src/store/port.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import type { ViewStore } from '../../src/views/view-store.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import { MAIL_QUEUE } from '../../src/workers/jobs.ts';
import { startMailSystem, type MailSystem, type MailSystemOptions } from '../../src/workers/mail-system.ts';
import { AUTH_SECRET } from './http.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './smtp-sink.ts';

export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export const MAIL_SETTINGS: MailSettings = {
  from: { name: 'Gender Office', address: 'consult@gov.example' },
  inboundDomain: 'in.consult.example',
  publicUrl: 'https://consult.example.org',
  keys: stakeholderTokenKeys(AUTH_SECRET),
};

/** A BullMQ prefix no other test uses; its queue is obliterated when the test ends. */
export function testPrefix(t: { teardown(fn: () => unknown): void }): string {
  const prefix = `test-${process.pid}-${randomUUID().slice(0, 8)}`;
  t.teardown(async () => {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const queue = new Queue(MAIL_QUEUE, { connection, prefix });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    // whatever else went under the prefix (BullMQ's meta and event keys)
    const keys = await connection.keys(`${prefix}:*`);
    if (keys.length > 0) await connection.del(...keys);
    await connection.quit();
  });
  return prefix;
}

export interface MailUnderTest {
  system: MailSystem;
  sink: SmtpSink;
  prefix: string;
  viewStore: ViewStore;
  /** the messages the sink took, parsed */
  messages(): Promise<ParsedMail[]>;
  /** the mail records (InvitationSent, NoticeSent, ReminderSent, DeliveryFailed) on a consultation's stream */
  records(consultationId: string): Promise<RecordedEvent[]>;
}

export const MAIL_RECORDS = ['InvitationSent', 'NoticeSent', 'ReminderSent', 'DeliveryFailed'];

export interface StartMailOptions extends Partial<Omit<MailSystemOptions, 'store' | 'handler' | 'damage' | 'logger'>> {
  store: EventStore;
  handler: CommandHandler;
  damage: DamageRegistry;
  sink?: SmtpSink;
  sinkOptions?: SmtpSinkOptions;
}

export async function startMail(t: Test, o: StartMailOptions): Promise<MailUnderTest> {
  const sink = o.sink ?? await startSmtpSink(t, o.sinkOptions);
  const prefix = o.prefix ?? testPrefix(t);
  const viewStore = o.viewStore ?? new MemoryViewStore();
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const mailer = createMailer({ kind: 'smtp', url: sink.url }, { logger, smtp: { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 5_000 } });
  const system = await startMailSystem({
    redisUrl: REDIS_URL,
    relay: true,
    worker: true,
    mail: { mailer, settings: MAIL_SETTINGS },
    reminderOffsetsMs: [],
    policy: { attempts: 4, backoffMs: 200 },
    ...o,
    prefix,
    viewStore,
    logger,
  });
  t.teardown(() => system.stop());
  return {
    system,
    sink,
    prefix,
    viewStore,
    messages: () => Promise.all(sink.received.map((r) => simpleParser(r.raw))),
    records: async (consultationId) => (await o.store.readStream(streamNameFor(consultationId))).filter((e) => MAIL_RECORDS.includes(e.type)),
  };
}

/** Waits until the predicate holds (polling), failing after `timeoutMs`. */
export async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Nothing more happens for `ms` (a bounded wait: "nothing was sent" is checked after it). */
export function quietFor(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
