// Settings come from environment variables, validated once at start (composition root only).
import path from 'node:path';
import { z } from 'zod';
import { Duration, DurationList, Interval } from './duration.ts';

/** `Name <address>` or `address`: the From of every e-mail sent. */
const Mailbox = z.string().trim().transform((text, ctx): { name: string; address: string } => {
  const m = /^(?:"?([^"<>\u0000-\u001f]*?)"?\s*<([^\s<>@]+@[^\s<>@]+)>|([^\s<>@"]+@[^\s<>@"]+))$/.exec(text);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'an address, or a name and an address: "Gender Office <consult@gov.example>"' });
    return z.NEVER;
  }
  return { name: (m[1] ?? '').trim(), address: m[2] ?? m[3]! };
});

const Port = z.coerce.number().int().min(0).max(65_535);
/** A port, or `off`: no listener (the default unless given). */
const PortOrOff = (fallback: string) => z.string().trim().default(fallback).transform((text, ctx): number | null => {
  if (text === 'off') return null;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65_535)) {
    ctx.addIssue({ code: 'custom', message: 'a port number (0 to 65535; 0 picks a free one), or off' });
    return z.NEVER;
  }
  return port;
});
const OptionalPort = PortOrOff('off');
/** A size in bytes: a whole number, or with KB, MB (1024-based) */
const Bytes = (fallback: string) => z.string().trim().default(fallback).transform((text, ctx): number => {
  const m = /^(\d{1,12})\s*(B|KB|MB)?$/i.exec(text);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'a size in bytes: 26214400, 25MB, 512KB' });
    return z.NEVER;
  }
  return Number(m[1]) * { B: 1, KB: 1024, MB: 1024 * 1024 }[(m[2] ?? 'B').toUpperCase() as 'B' | 'KB' | 'MB'];
});

const Url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: Port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** FULL (default): an acknowledged append survives power loss. NORMAL: faster, may lose the last appends on power loss. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /** what this process runs: all (the API, the mail relay and the mail workers), api (the HTTP API only), workers (the relay and the senders only) */
  ROLE: z.enum(['all', 'api', 'workers']).default('all'),
  REDIS_URL: Url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** the start of every Redis key of the mail queue (BullMQ's prefix): deployments sharing one Redis each take their own */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, ".", "_" and "-" (no ":")').default('consult'),
  AUTH_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** the Ed25519 key (PKCS#8 PEM) consultation heads are signed with; outside production one is created in DATA_DIR (src/audit/signing-key.ts) */
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  /** the longest a bearer token may live (exp - iat), in seconds once parsed: "8h", "30d" (default) */
  TOKEN_MAX_LIFETIME: Duration.prefault('30d'),
  PUBLIC_URL: Url(['http:', 'https:']).optional(),
  /** the outgoing mail server; unset: each message is written to DATA_DIR/outbox (required when NODE_ENV=production: src/mail/transport.ts) */
  SMTP_URL: Url(['smtp:', 'smtps:']).optional(),
  /** the SMTP connections kept open to SMTP_URL's server and reused, message after message (nodemailer's pool): also how many messages the mail worker sends at once; 1: one at a time, over one connection */
  SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(50).default(4),
  /** the messages one pooled connection carries before it is closed and another opened (servers often cap them per session) */
  SMTP_POOL_MAX_MESSAGES: z.coerce.number().int().min(1).max(100_000).default(100),
  /** the From of every e-mail */
  MAIL_FROM: Mailbox.prefault('WPS consultation <consultation@localhost>'),
  /** the domain of the reply+<token>@ and bounces+<token>@ addresses; unset: no Reply-To, bounces go to MAIL_FROM */
  INBOUND_DOMAIN: z.string().regex(/^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, 'a domain name such as reply.consult.example.org').optional(),
  /** the inbound SMTP listener for replies and bounces (src/inbound/smtp-listener.ts); null (`off`): none. It runs with INBOUND_DOMAIN only, where the workers run (ROLE all or workers) */
  INBOUND_SMTP_PORT: PortOrOff('2525'),
  /** its interface (default: HOST) */
  INBOUND_SMTP_HOST: z.string().min(1).optional(),
  /** the largest inbound message, by SMTP or by the webhook (POST /inbound/mime), in bytes */
  INBOUND_MAX_BYTES: Bytes('25MB'),
  /** the largest attachment of an inbound message that is stored */
  INBOUND_MAX_ATTACHMENT_BYTES: Bytes('10MB'),
  /** the secret of POST /inbound/mime (an HMAC-SHA256 of the body, or a bearer secret); unset: the route is off (404) */
  INBOUND_WEBHOOK_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** the authserv-id of the receiving mail system whose Authentication-Results are recorded; unset: none are */
  INBOUND_AUTHSERV_ID: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/, 'a host name such as mx.consult.example.org').optional(),
  /** esdb:// or esdb+discover:// (KurrentDB speaks the same protocol under these schemes) */
  // a cluster lists several hosts (esdb://a:2113,b:2113,c:2113), which is no WHATWG URL: check the scheme only
  EVENTSTORE_URL: z.string().regex(/^esdb(\+discover)?:\/\/[^\s]+$/, 'a connection string starting with esdb:// or esdb+discover://').optional(),
  /** postgres:// or postgresql://: the views live in PostgreSQL, shared by every API process; unset: DATA_DIR/views.sqlite */
  DATABASE_URL: Url(['postgres:', 'postgresql:']).optional(),
  /** the PostgreSQL schema holding the views (default public) */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier').optional(),
  /** how often every consultation's hash chain is checked in the background, in ms; null (`off`): never */
  VERIFY_INTERVAL: Interval('24h'),
  /** how long before each deadline the reminders go out, in milliseconds, longest first (a consultation may override them) */
  REMINDER_OFFSETS: DurationList('7d,2d,1d'),
  /** the admin listener (queue dashboard, /metrics): its port; null (`off`, the default): none (src/http/admin.ts) */
  ADMIN_PORT: OptionalPort,
  /** the admin listener's interface: this machine only unless told otherwise */
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  /** HTTP basic auth on the admin listener; required with ADMIN_PORT when NODE_ENV=production */
  ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').optional(),
});

const SECRETS = new Set(['AUTH_SECRET', 'ADMIN_PASSWORD', 'AUDIT_SIGNING_KEY', 'INBOUND_WEBHOOK_SECRET']);

export type Config = z.infer<typeof ConfigSchema> & { dataDir: string };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the settings; throws ConfigError naming every bad variable. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const raw = Object.fromEntries(
    Object.keys(ConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      // secrets are never echoed: AUTH_SECRET, ADMIN_PASSWORD, AUDIT_SIGNING_KEY and INBOUND_WEBHOOK_SECRET not at all, a URL without its user name and password
      const value = SECRETS.has(name) ? '(hidden)' : JSON.stringify(raw[name]?.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/i, '$1'));
      return `${name}=${value}: ${i.message}`;
    }));
  }
  return { ...parsed.data, dataDir: path.resolve(cwd, parsed.data.DATA_DIR) };
}
