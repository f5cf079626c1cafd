// `fan-out`: 10,000 reminders falling due at once (100 consultations x 100 stakeholders, one contact
// each; --quick: 4 x 10) through the relay, BullMQ (real Redis, a fresh prefix) and the mail worker
// with the production mailer (src/mail/transport.ts, pooled as SMTP_POOL_SIZE=CONCURRENCY runs it)
// to a local smtp-server sink, against a baseline measured in the same run to the same sink: the same messages, composed beforehand, sent with nodemailer alone (pooled, the
// same concurrency). Issue 11's target: at least 0.5x the baseline's messages/s, no message twice,
// none missing (counted by Message-ID at the sink, and as ReminderSent records on the streams).
//
// The store is written first (SQLite, synchronous=FULL), with no relay running; the relay then
// starts at the head, and one ConfigureReminders per consultation, with an offset that puts every
// reminder at the same instant T0 a moment later, makes the relay queue them all. The pipeline's
// time runs from T0 (the first job due) to the last ReminderSent recorded.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { DamageRegistry } from '../src/audit/damage.ts';
import { stakeholderTokenKeys } from '../src/auth/stakeholder-tokens.ts';
import { CommandHandler } from '../src/commands/handler.ts';
import { commands } from '../src/commands/index.ts';
import { streamNameFor } from '../src/domain/stream-name.ts';
import { composeMessage, type MailSettings } from '../src/mail/compose.ts';
import { messageIdFor, type OutgoingMail } from '../src/mail/message.ts';
import { createMailer } from '../src/mail/transport.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { SqliteViewStore } from '../src/views/sqlite-view-store.ts';
import { jobIdFor, MAIL_QUEUE, type MailJob } from '../src/workers/jobs.ts';
import { startMailSystem } from '../src/workers/mail-system.ts';
import type { MailJobOutcome } from '../src/workers/mail-worker.ts';
import { inTempDir, target, type BenchOptions, type Log } from './common.ts';

const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const COORDINATOR = { role: 'coordinator', id: 'bench' } as const;
/** jobs at once in the mail worker, and connections (and messages in flight) of the baseline (BENCH_FANOUT_CONCURRENCY, default 8) */
const CONCURRENCY = Number(process.env['BENCH_FANOUT_CONCURRENCY'] ?? 8);
const SETTINGS: MailSettings = {
  from: { name: 'Gender Office', address: 'consult@gov.example' },
  inboundDomain: 'in.consult.example',
  publicUrl: 'https://consult.example.org',
  keys: stakeholderTokenKeys('bench-secret-0123456789abcdef0123456789'),
};
const DOMAIN = 'gov.example';
const PROFILE = { title: 'National Action Plan 1325, fourth edition', leadOrganisation: 'Gender Office', languages: ['en'], timeZone: 'Europe/Amsterdam' };

/** An SMTP listener on 127.0.0.1 that counts what it accepts by Message-ID. */
async function startSink(): Promise<{ url: string; seen: Map<string, number>; accepted(): number; close(): Promise<void> }> {
  const seen = new Map<string, number>();
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true, hideSTARTTLS: true, disableReverseLookup: true, logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '(none)';
        seen.set(id, (seen.get(id) ?? 0) + 1);
        accepted++;
        callback();
      });
    },
  });
  server.on('error', () => undefined); // a client dropping mid-DATA must not end the run
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, seen, accepted: () => accepted, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** How the sink's counts compare with the Message-IDs expected: each once. */
function tally(seen: ReadonlyMap<string, number>, expected: ReadonlySet<string>): { duplicates: number; missing: number; unexpected: number } {
  let duplicates = 0;
  let unexpected = 0;
  for (const [id, n] of seen) {
    if (!expected.has(id)) unexpected += n;
    else duplicates += n - 1;
  }
  let missing = 0;
  for (const id of expected) if (!seen.has(id)) missing++;
  return { duplicates, missing, unexpected };
}

async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

export async function run(log: Log, options: BenchOptions) {
  const consultationCount = options.quick ? 4 : 100;
  const perConsultation = options.quick ? 10 : 100;
  const total = consultationCount * perConsultation;
  return inTempDir('bench-fanout-', async (dir) => {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
    const damage = new DamageRegistry();
    const handler = new CommandHandler({ store, damage });
    const viewStore = new SqliteViewStore({ file: join(dir, 'views.sqlite'), synchronous: 'NORMAL' });
    const sink = await startSink();
    const prefix = `bench-fanout-${process.pid}-${randomUUID().slice(0, 8)}`;
    const logger = pino({ level: 'silent' });
    let system: Awaited<ReturnType<typeof startMailSystem>> | null = null;
    try {
      // the consultations, written before the relay first runs (so it e-mails none of it)
      const deadline = new Date(Math.ceil((Date.now() + 3_600_000) / 1000) * 1000).toISOString();
      log(`${consultationCount} consultations x ${perConsultation} stakeholders, comments due ${deadline}`);
      const setupStarted = performance.now();
      const ids = Array.from({ length: consultationCount }, () => randomUUID());
      const jobs: Array<Extract<MailJob, { kind: 'reminder' }>> = [];
      await Promise.all(ids.map(async (consultationId, c) => {
        const exec = (command: Parameters<CommandHandler['execute']>[0], input: unknown) => handler.execute(command, { consultationId, commandId: randomUUID(), actor: COORDINATOR, input });
        await exec(commands.openConsultation, { title: PROFILE.title, leadOrganisation: PROFILE.leadOrganisation, languages: PROFILE.languages, timeZone: PROFILE.timeZone });
        await exec(commands.publishDraft, { sections: [{ key: 's1', heading: 'Participation', text: 'Women take part in every peace negotiation.' }], commentDeadline: deadline });
        for (let s = 0; s < perConsultation; s++) {
          await exec(commands.inviteStakeholder, { organisation: `Organisation ${c}-${s}`, kind: 'civil-society', contacts: [{ name: `Focal point ${s}`, email: `focal.${c}.${s}@example.org` }], language: 'en' });
        }
      }));
      log(`written in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

      // the baseline: the same reminders (their facts as the worker finds them), composed first, sent with nodemailer alone
      const mails: OutgoingMail[] = [];
      const now = new Date();
      for (const consultationId of ids) {
        const state = await handler.load(consultationId);
        for (const x of state.stakeholders.values()) {
          const contact = x.contacts[0]!;
          const job: (typeof jobs)[number] = { kind: 'reminder', consultationId, stakeholderId: x.id, contactId: contact.contactId, phase: 'comments', draftVersion: 1, deadline, offsetMs: 1000 };
          jobs.push(job);
          const { mail } = await composeMessage(SETTINGS, {
            jobId: `baseline-${jobIdFor(job)}`, subject: { consultationId, stakeholderId: x.id, contactId: contact.contactId },
            consultation: PROFILE, stakeholder: { organisation: x.organisation, language: x.language }, contact: { name: contact.name, email: contact.email },
            facts: { kind: 'reminder', phase: 'comments', draftVersion: 1, deadline }, date: now,
          });
          mails.push(mail);
        }
      }
      log(`baseline: ${mails.length} messages with nodemailer alone, pooled, ${CONCURRENCY} at once`);
      const transport = nodemailer.createTransport({ url: sink.url, pool: true, maxConnections: CONCURRENCY });
      const baselineStarted = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < mails.length) await transport.sendMail(mails[next++]!);
      }));
      const baselineSeconds = (performance.now() - baselineStarted) / 1000;
      transport.close();
      const baselineCheck = tally(sink.seen, new Set(mails.map((m) => m.messageId)));
      const baselinePerSecond = Math.round(mails.length / baselineSeconds);
      log(`baseline: ${baselinePerSecond} messages/s (${baselineSeconds.toFixed(2)} s)`);
      sink.seen.clear();

      // the pipeline: relay + BullMQ + mail worker, from the head of the log
      let sent = 0;
      let other = 0;
      let lastRecorded = 0;
      let allRecorded: () => void = () => undefined;
      const done = new Promise<void>((resolve) => { allRecorded = resolve; });
      system = await startMailSystem({
        store, handler, viewStore, damage, logger, redisUrl: REDIS_URL, prefix, relay: true, worker: true,
        mail: { mailer: createMailer({ kind: 'smtp', url: sink.url, pool: { maxConnections: CONCURRENCY, maxMessages: 100 } }, { logger }), settings: SETTINGS },
        reminderOffsetsMs: [], concurrency: CONCURRENCY,
      });
      system.worker!.on('completed', (_job, result: MailJobOutcome) => {
        if (result.outcome !== 'sent') { other++; return; }
        sent++;
        if (sent === total) { lastRecorded = performance.now(); allRecorded(); }
      });
      await system.relayRunner!.caughtUp();
      // every reminder at T0, a whole second at least a second and a half from now
      const t0 = Math.ceil((Date.now() + 1_500) / 1000) * 1000;
      const offset = `${(Date.parse(deadline) - t0) / 1000}s`;
      const configured = Date.now();
      await Promise.all(ids.map((consultationId) => handler.execute(commands.configureReminders, { consultationId, commandId: randomUUID(), actor: COORDINATOR, input: { offsets: [offset] } })));
      log(`pipeline: ${total} reminders due at ${new Date(t0).toISOString()} (configured ${t0 - configured} ms before)`);
      const offsetMs = Date.parse(deadline) - t0;
      const expected = new Set(jobs.map((j) => messageIdFor(jobIdFor({ ...j, offsetMs }), DOMAIN)));
      await withTimeout('every reminder recorded', options.quick ? 60_000 : 600_000, done);
      const seconds = (performance.timeOrigin + lastRecorded - t0) / 1000;
      const perSecond = Math.round(total / seconds);
      await system.stop();
      system = null;

      const atSink = tally(sink.seen, expected);
      let records = 0;
      const recordedIds = new Map<string, number>();
      for (const consultationId of ids) {
        for (const e of await store.readStream(streamNameFor(consultationId))) {
          if (e.type !== 'ReminderSent') continue;
          records++;
          const id = String(e.data['messageId']);
          recordedIds.set(id, (recordedIds.get(id) ?? 0) + 1);
        }
      }
      const recorded = tally(recordedIds, expected);
      const ratio = Number((perSecond / baselinePerSecond).toFixed(2));
      const duplicates = atSink.duplicates + atSink.unexpected + recorded.duplicates + recorded.unexpected;
      const missing = atSink.missing + recorded.missing;
      log(`pipeline: ${perSecond} messages/s (${seconds.toFixed(2)} s from T0 to the last record): ${ratio}x the baseline; ${duplicates} duplicates, ${missing} missing`);
      return {
        messages: total, concurrency: CONCURRENCY,
        baseline: { messagesPerSecond: baselinePerSecond, seconds: Number(baselineSeconds.toFixed(2)), ...baselineCheck },
        pipeline: {
          messagesPerSecond: perSecond, seconds: Number(seconds.toFixed(2)), sinkAccepted: [...sink.seen.values()].reduce((a, b) => a + b, 0),
          reminderSentRecords: records, jobsNotSent: other, atSink, recorded,
        },
        ratio, duplicates, missing,
        ...target('pipeline >= 0.5x the baseline\'s messages/s, 0 duplicates, 0 missing', ratio >= 0.5 && duplicates === 0 && missing === 0),
      };
    } finally {
      await system?.stop();
      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const queue = new Queue(MAIL_QUEUE, { connection, prefix });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      const keys = await connection.keys(`${prefix}:*`);
      if (keys.length > 0) await connection.del(...keys);
      await connection.quit();
      await sink.close();
      await viewStore.close();
      await store.close();
    }
  });
}
