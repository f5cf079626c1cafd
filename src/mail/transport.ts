// How e-mail leaves: SMTP_URL selects a real SMTP server; without it every message is written to
// the file outbox, DATA_DIR/outbox/<message id>.eml, its path logged, and the result says
// `transport: "file"` so that nobody records it as mail that left. Production refuses to start
// without SMTP_URL (as without AUTH_SECRET). Built once, in the composition root.
//
// SMTP goes through nodemailer's pool: a few connections (SMTP_POOL_SIZE) kept open and reused,
// each carrying up to SMTP_POOL_MAX_MESSAGES messages, so a fan-out to every contact of sixty
// stakeholders does not open and greet a connection per message. Each message is still its own
// transaction (MAIL FROM, RCPT TO, DATA) with its own envelope; a refused one (4xx, 5xx) leaves
// its connection to the next after a RSET. close() ends the idle connections at once and each busy
// one when its message is done.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { OutgoingMail } from './message.ts';

/** nodemailer's pool: connections at most, and messages per connection before it is replaced */
export interface SmtpPool {
  maxConnections: number;
  maxMessages: number;
}

/** SMTP_POOL_SIZE and SMTP_POOL_MAX_MESSAGES' defaults (src/config/config.ts), for a choice that names none. */
export const DEFAULT_SMTP_POOL: SmtpPool = { maxConnections: 4, maxMessages: 100 };

export type MailTransportChoice = { kind: 'smtp'; url: string; pool?: SmtpPool } | { kind: 'file'; dir: string };

/** Where mail goes with these settings; throws in production without SMTP_URL. */
export function resolveMailTransport(config: Pick<Config, 'SMTP_URL' | 'SMTP_POOL_SIZE' | 'SMTP_POOL_MAX_MESSAGES' | 'NODE_ENV' | 'dataDir'>): MailTransportChoice {
  if (config.SMTP_URL) return { kind: 'smtp', url: config.SMTP_URL, pool: { maxConnections: config.SMTP_POOL_SIZE, maxMessages: config.SMTP_POOL_MAX_MESSAGES } };
  if (config.NODE_ENV === 'production') {
    throw new Error('SMTP_URL is required when NODE_ENV=production (e.g. smtps://user:password@mail.example.org:465); without it e-mail would only be written to files');
  }
  return { kind: 'file', dir: path.join(config.dataDir, 'outbox') };
}

/** Where a choice sends mail, for the start-up log: the SMTP host and port (never the password), or the outbox directory. */
export function describeMailTransport(choice: MailTransportChoice): Record<string, string> {
  if (choice.kind === 'file') return { mail: 'file', outbox: choice.dir };
  const url = new URL(choice.url);
  const pool = choice.pool ?? DEFAULT_SMTP_POOL;
  return {
    mail: 'smtp', smtp: `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'smtps:' ? '465' : '587')}`,
    pool: `${pool.maxConnections} connections, ${pool.maxMessages} messages each`,
  };
}

export interface SendResult {
  transport: 'smtp' | 'file';
  messageId: string;
  /** recipients the server took (the file outbox: every one) */
  accepted: string[];
  rejected: string[];
  /** the server's last answer, or where the file was written */
  response: string;
  /** the .eml file (file outbox only) */
  path?: string;
}

export interface Mailer {
  readonly transport: 'smtp' | 'file';
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

export interface MailerOptions {
  logger: Logger;
  /** nodemailer SMTP options on top of the pool's (timeouts, TLS); the URL's query parameters win over both */
  smtp?: Record<string, unknown>;
}

function addresses(list: unknown): string[] {
  return Array.isArray(list) ? list.map((a) => (typeof a === 'string' ? a : String((a as { address?: unknown }).address ?? ''))) : [];
}

export function createMailer(choice: MailTransportChoice, options: MailerOptions): Mailer {
  return choice.kind === 'smtp' ? smtpMailer(choice.url, choice.pool ?? DEFAULT_SMTP_POOL, options) : fileMailer(choice.dir, options.logger);
}

function smtpMailer(url: string, pool: SmtpPool, options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport({ url, pool: true, maxConnections: pool.maxConnections, maxMessages: pool.maxMessages, ...options.smtp });
  return {
    transport: 'smtp',
    async send(mail) {
      const info = await transport.sendMail(mail);
      return { transport: 'smtp', messageId: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected), response: String(info.response ?? '') };
    },
    close: () => transport.close(),
  };
}

/** The outbox file's name: the Message-ID's characters that are safe in a file name. */
export function outboxFileName(messageId: string): string {
  return `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_')}.eml`;
}

function fileMailer(dir: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    transport: 'file',
    async send(mail) {
      const info = await transport.sendMail(mail);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, outboxFileName(info.messageId));
      // written beside, then renamed: a reader never sees half a message; the same job overwrites its own file
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, info.message as Buffer, { mode: 0o600 });
      await rename(partial, file);
      logger.info({ transport: 'file', path: file, messageId: info.messageId }, `e-mail written to the outbox, not sent: ${file}`);
      return { transport: 'file', messageId: info.messageId, accepted: [...mail.envelope.to], rejected: [], response: `written to ${file}`, path: file };
    },
    close: () => transport.close(),
  };
}

export interface DeliveryFailure {
  /** true: the server refused for good (5xx) or the address is invalid; do not retry */
  permanent: boolean;
  /** the SMTP reply code, when there was one */
  responseCode?: number;
  /** for DeliveryFailed: what the server said, or what went wrong */
  error: string;
}

/**
 * What a failed send means: permanent (a 5xx reply, an invalid address) or transient (a 4xx reply,
 * no connection, a timeout: retry with backoff). nodemailer marks its SMTP errors `permanent`
 * itself; the reply code decides where it does not.
 */
export function classifyFailure(error: unknown): DeliveryFailure {
  const e = (error ?? {}) as { responseCode?: unknown; response?: unknown; message?: unknown; permanent?: unknown };
  const message = String(e.response ?? e.message ?? error).slice(0, 2_000);
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const permanent = typeof e.permanent === 'boolean' ? e.permanent : code !== undefined && code >= 500 && code < 600;
  return { permanent, ...(code !== undefined ? { responseCode: code } : {}), error: message };
}
