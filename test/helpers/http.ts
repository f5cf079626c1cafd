// An API under test: the real app on a real SQLite store (or any store), with the real handler
// and projection runner, driven through app.inject().
import { pino } from 'pino';
import { DamageRegistry } from '../../src/audit/damage.ts';
import { buildApp } from '../../src/http/app.ts';
import type { Metrics } from '../../src/metrics.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { projections, type Projection } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { issueToken } from '../../src/auth/tokens.ts';
import type { InboundWebhookOptions } from '../../src/inbound/webhook.ts';
import type { MailSettings } from '../../src/mail/compose.ts';
import type { EventStore } from '../../src/store/port.ts';
import type { ViewStore } from '../../src/views/view-store.ts';
import { tempStore } from './temp-store.ts';
import { MemoryKeyStore, type KeyStore } from '../../src/privacy/key-store.ts';
import { PersonalDataStore } from '../../src/privacy/personal-store.ts';

export const AUTH_SECRET = 'test-secret-0123456789abcdef0123456789';

type Teardown = { teardown(fn: () => unknown): void };

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS';
  url: string;
  body?: unknown;
  /** a raw payload (e.g. CSV text, or its bytes in another charset) instead of a JSON body */
  payload?: string | Buffer;
  headers?: Record<string, string>;
  /** 'coordinator' (default), 'auditor', or null for no token */
  as?: 'coordinator' | 'auditor' | null;
}

export interface ApiOptions {
  /** read and written through a key store of personal data (PersonalDataStore) unless it is one already */
  store?: EventStore;
  /** the key store, when `store` is not a PersonalDataStore (default: in memory) */
  keys?: KeyStore;
  bodyLimit?: number;
  clock?: () => Date;
  storeProbeIntervalMs?: number;
  publicUrl?: string;
  /** default: in memory */
  viewStore?: ViewStore;
  /** default: every projection */
  projections?: readonly Projection[];
  /** wait until the views caught up before answering (default true) */
  caughtUp?: boolean;
  /** counts commands and observes request durations there */
  metrics?: Metrics;
  /** what messages are composed with (previews); default: the app's */
  mail?: MailSettings;
  /** the reply page's rate limit per link */
  pageRateLimit?: { max: number; timeWindowMs: number };
  /** DATA_DIR (attachments are downloaded from DATA_DIR/attachments); default: none */
  dataDir?: string;
  /** POST /inbound/mime, on the API's own handler */
  inbound?: (handler: CommandHandler) => InboundWebhookOptions;
}

export async function startApi(t: Teardown, options: ApiOptions = {}) {
  // every API under test seals personal data as production does (a key store in memory)
  const given = options.store ?? tempStore(t).store;
  const store = given instanceof PersonalDataStore ? given : new PersonalDataStore(given, options.keys ?? new MemoryKeyStore());
  const damage = new DamageRegistry();
  const handler = new CommandHandler({ store, damage, ...(options.clock ? { clock: options.clock } : {}), ...(options.metrics ? { metrics: options.metrics } : {}) });
  const runner = new ProjectionRunner({ store, projections: options.projections ?? projections, damage, ...(options.viewStore ? { viewStore: options.viewStore } : {}) });
  await runner.start();
  const logger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
  const app = await buildApp({
    store, runner, handler, damage, logger, storeKind: 'test', authSecret: AUTH_SECRET,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.storeProbeIntervalMs ? { storeProbeIntervalMs: options.storeProbeIntervalMs } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.mail ? { mail: options.mail } : {}),
    ...(options.pageRateLimit ? { pageRateLimit: options.pageRateLimit } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.inbound ? { inbound: options.inbound(handler) } : {}),
  });
  t.teardown(async () => {
    await app.close();
    await runner.stop();
  });
  if (options.caughtUp !== false) await runner.caughtUp();
  const tokens = {
    coordinator: await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'Gender Office coordinator' }),
    auditor: await issueToken(AUTH_SECRET, { role: 'auditor', subject: 'Court of Audit' }),
  };
  const call = async (c: Call) => {
    const as = c.as === undefined ? 'coordinator' : c.as;
    const headers: Record<string, string> = { ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}), ...c.headers };
    const response = await app.inject({
      method: c.method ?? (c.body === undefined && c.payload === undefined ? 'GET' : 'POST'),
      url: c.url,
      headers,
      ...(c.payload !== undefined ? { payload: c.payload } : c.body !== undefined ? { payload: JSON.stringify(c.body), headers: { 'content-type': 'application/json', ...headers } } : {}),
    });
    return response;
  };
  return { app, store, handler, runner, damage, tokens, call };
}

export const OPEN_BODY = {
  title: 'Third National Action Plan on Women, Peace and Security',
  summary: 'Consultation on the draft plan 2027-2031',
  leadOrganisation: 'Ministry of Defence, Gender Office',
  languages: ['en', 'ro'],
  timeZone: 'Europe/Bucharest',
};

export const DRAFT_BODY = {
  sections: [
    { key: 's1', heading: 'Participation', text: 'Women participate meaningfully in peace processes.' },
    { key: 's2', heading: 'Protection', text: 'Protection from gender-based violence in conflict.' },
  ],
  commentDeadline: '2099-06-30T17:00:00+03:00',
};

type Api = Awaited<ReturnType<typeof startApi>>;

/** Opens a consultation with a first draft through the API; returns its id. */
export async function openConsultation(api: Api): Promise<string> {
  const opened = await api.call({ url: '/consultations', body: OPEN_BODY });
  if (opened.statusCode !== 201) throw new Error(`open failed: ${opened.body}`);
  const id = (opened.json() as { id: string }).id;
  const draft = await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY });
  if (draft.statusCode !== 201) throw new Error(`draft failed: ${draft.body}`);
  return id;
}

/** Invites through POST /consultations/:id/stakeholders; returns the new stakeholder's id. */
export async function inviteThroughApi(api: Api, id: string, body: unknown): Promise<string> {
  const res = await api.call({ url: `/consultations/${id}/stakeholders`, body });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { stakeholderId: string }).stakeholderId;
}

/**
 * The contactIds of a stakeholder's contacts with these addresses (whatever their case), in that
 * order, as its view lists them: a contact's id comes from the command that created it, so a test
 * reads it rather than derives it from the address.
 */
export async function contactIdsThroughApi<E extends string[]>(api: Api, id: string, sid: string, ...emails: E): Promise<{ [K in keyof E]: string }> {
  const res = await api.call({ url: `/consultations/${id}/stakeholders/${sid}` });
  if (res.statusCode !== 200) throw new Error(`stakeholder view: ${res.statusCode} ${res.body}`);
  const contacts = (res.json() as { contacts: { contactId: string; email: string }[] }).contacts;
  return emails.map((email) => {
    const found = contacts.find((c) => c.email.toLowerCase() === email.toLowerCase());
    if (!found) throw new Error(`${email} is no contact of ${sid}`);
    return found.contactId;
  }) as { [K in keyof E]: string };
}

/** How many events the consultation's stream holds, as an auditor reads them. */
export async function eventCount(api: Api, id: string): Promise<number> {
  return ((await api.call({ url: `/consultations/${id}/events?limit=1000` })).json() as { events: unknown[] }).events.length;
}

/**
 * A served view without what src/http/local-times.ts adds to every view (each `…Local` twin and
 * `timeZone`), for tests about something else; test/http/local-times.test.ts checks those.
 */
export function withoutLocalTimes<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutLocalTimes(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value)
    .filter(([key]) => key !== 'timeZone' && !key.endsWith('Local'))
    .map(([key, v]) => [key, withoutLocalTimes(v)])) as T;
}
