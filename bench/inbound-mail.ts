// Benchmark of replies by e-mail (run on its own: node --import tsx/esm bench/inbound-mail.ts
// [--quick]): replies a second through a real SMTP conversation (nodemailer, 4 connections) to the
// inbound listener, which parses, cuts and records each one (SQLite, synchronous=FULL) before its
// 250, against a baseline measured in the same run: the same messages to a bare smtp-server that
// only reads them. Also the parse and cut alone (mailparser, the pre-pass, email-reply-parser) on
// the nine real-shaped fixtures of test/inbound/fixtures.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { replyAddress, stakeholderTokenKeys } from '../src/auth/stakeholder-tokens.ts';
import { CommandHandler } from '../src/commands/handler.ts';
import { commands } from '../src/commands/index.ts';
import { InboundMailbox } from '../src/inbound/mailbox.ts';
import { parseMail } from '../src/inbound/parse.ts';
import { messageText, newText } from '../src/inbound/reply-text.ts';
import { startInboundListener } from '../src/inbound/smtp-listener.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { inTempDir, latencySummary, type BenchOptions, type Log } from './common.ts';

const COORDINATOR = { role: 'coordinator', id: 'bench' } as const;
const DOMAIN = 'in.bench.example';
const EMAIL = 'focal.point@cso.example';
const CONNECTIONS = 4;

function reply(to: string, n: number): string {
  return [`From: Focal Point <${EMAIL}>`, `To: <${to}>`, 'Subject: Re: Invitation', `Message-ID: <bench-${n}-${randomUUID()}@cso.example>`, 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8', '', `Section 1: comment ${n} on the participation pillar.`, '', `On Tue, 2 Mar 2027 at 10:15, WPS <${to}> wrote:`,
    '> -- Please write your reply above this line --', '> Dear Focal Point,', ''].join('\r\n');
}

/** Sends `count` replies over CONNECTIONS pooled connections; replies a second and per-message latency. */
async function send(port: number, to: string, count: number): Promise<{ perSecond: number; latencyMs: ReturnType<typeof latencySummary> }> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
  const samples: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (next < count) {
      const n = next++;
      const t0 = performance.now();
      await transport.sendMail({ envelope: { from: EMAIL, to: [to] }, raw: reply(to, n) });
      samples.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  return { perSecond: Math.round(count / seconds), latencyMs: latencySummary(samples) };
}

export async function run(log: Log, options: BenchOptions) {
  const count = options.quick ? 40 : 1000;
  return inTempDir('bench-inbound-', async (dir) => {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite') });
    const handler = new CommandHandler({ store });
    const consultationId = randomUUID();
    const exec = (command: Parameters<CommandHandler['execute']>[0], input: unknown) => handler.execute(command, { consultationId, commandId: randomUUID(), actor: COORDINATOR, input });
    await exec(commands.openConsultation, { title: 'Bench', leadOrganisation: 'Gender Office', languages: ['en'], timeZone: 'UTC' });
    await exec(commands.publishDraft, { sections: [{ key: 's1', heading: 'Participation', text: '...' }], commentDeadline: '2099-01-01T00:00:00Z' });
    const invited = await exec(commands.inviteStakeholder, { organisation: 'CSO', kind: 'civil-society', contacts: [{ name: 'Focal Point', email: EMAIL }], language: 'en' });
    const stakeholderId = invited.events[0]!.data['stakeholderId'] as string;
    const contactId = (await handler.load(consultationId)).stakeholders.get(stakeholderId)!.contacts[0]!.contactId;
    const keys = stakeholderTokenKeys('bench-secret-0123456789abcdef0123456789');
    const to = replyAddress(keys, 'reply', { consultationId, stakeholderId, contactId }, DOMAIN);

    const bare = new SMTPServer({ authOptional: true, hideSTARTTLS: true, disableReverseLookup: true, logger: false, onData(stream, _s, cb) { stream.on('end', () => cb()); stream.resume(); } });
    bare.on('error', () => undefined);
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', () => resolve()));
    const mailbox = new InboundMailbox({ handler, settings: { domain: DOMAIN, keys, dataDir: dir, maxBytes: 25 * 1024 * 1024, maxAttachmentBytes: 10 * 1024 * 1024 } });
    const listener = await startInboundListener({ mailbox, port: 0, host: '127.0.0.1' });
    try {
      log(`baseline: ${count} messages to a bare smtp-server that only reads them`);
      const baseline = await send((bare.server.address() as AddressInfo).port, to, count);
      log(`inbound: ${count} replies parsed, cut and recorded before each 250`);
      const inbound = await send(listener.address.port, to, count);
      const recorded = (await handler.load(consultationId)).comments.size;

      const fixtures = fileURLToPath(new URL('../test/inbound/fixtures/', import.meta.url));
      const raws = readdirSync(fixtures).filter((f) => !f.startsWith('bounce')).map((f) => readFileSync(join(fixtures, f)));
      const rounds = options.quick ? 5 : 100;
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) for (const raw of raws) newText(messageText(await parseMail(raw)));
      const parsePerSecond = Math.round((rounds * raws.length) / ((performance.now() - t0) / 1000));

      const result = { messages: count, recorded, connections: CONNECTIONS, baseline, inbound, ratio: Number((inbound.perSecond / baseline.perSecond).toFixed(2)), parsePerSecond };
      log(`bare ${baseline.perSecond}/s, inbound ${inbound.perSecond}/s (p50 ${inbound.latencyMs.p50} ms, p99 ${inbound.latencyMs.p99} ms), parse and cut alone ${parsePerSecond}/s`);
      return result;
    } finally {
      await listener.close();
      await new Promise<void>((resolve) => bare.close(() => resolve()));
      await store.close();
    }
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await run((line) => process.stderr.write(`${line}\n`), { quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
