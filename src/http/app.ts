// The HTTP application: Fastify 5 with zod schemas (fastify-type-provider-zod), an OpenAPI
// document generated from those schemas with Swagger UI at /docs, pino request logs that never
// carry a query string whole.
//
// How it is built: the root instance holds what is the framework's own: its answers as
// problem+json (unknown route or method, bad URL, client errors, 503 while shutting down; see
// framework.ts), the request log serializer, the documentation. Beside it sit encapsulated
// plugins: the open health checks, the API (api.ts: bearer auth, the JSON error handler, JSON
// bodies), which holds one plugin per resource (routes/*.ts); under /r the reply page reached
// by a stakeholder's personal link (src/pages/plugin.ts: its own auth by the link's token, HTML
// error pages, strict headers, CSRF on its forms, a rate limit per link); and the inbound mail
// webhook (src/inbound/webhook.ts: its own secret, raw MIME bodies).
import Fastify, { type FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { DamageRegistry } from '../audit/damage.ts';
import { ephemeralSigningKey, type AuditSigningKey } from '../audit/signing-key.ts';
import { stakeholderTokenKeys } from '../auth/stakeholder-tokens.ts';
import type { CommandHandler } from '../commands/handler.ts';
import { ConfigSchema } from '../config/config.ts';
import type { MailSettings } from '../mail/compose.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import { inboundWebhook, type InboundWebhookOptions } from '../inbound/webhook.ts';
import type { EventStore } from '../store/port.ts';
import type { MailHealth } from '../workers/mail-system.ts';
import type { Metrics } from '../metrics.ts';
import { apiPlugin } from './api.ts';
import { PAGES_PREFIX, pagesPlugin } from '../pages/plugin.ts';
import type { App, HttpContext } from './context.ts';
import { answerNotFound, clientErrorHandler, frameworkErrors, problemErrorHandler, refuseWhileClosing } from './framework.ts';
import { swaggerOptions } from './openapi.ts';
import { requestLogFields } from './request-log.ts';
import { registerRequestMetrics } from './request-metrics.ts';
import type { AuthPolicy } from './auth.ts';
import { healthRoutes } from './routes/health.ts';
import { publicKeyRoute } from './routes/audit.ts';
import { StoreWrites } from './store-writes.ts';
import { TimeZones } from './local-times.ts';

export interface AppDeps {
  store: EventStore;
  runner: ProjectionRunner;
  handler: CommandHandler;
  /** the process's damaged consultations, shared with the handler and the runner */
  damage: DamageRegistry;
  logger: Logger;
  /** the time a view is read at (default: the wall clock); give the command handler's */
  clock?: () => Date;
  storeKind: string;
  /** the token-signing secret */
  authSecret: string;
  /** token lifetime bound and revocation list (defaults: 30 days, nothing revoked) */
  authPolicy?: AuthPolicy;
  readYourWritesMs?: number;
  /** largest accepted request body in bytes (default 1 MiB) */
  bodyLimit?: number;
  /** how often a probe write is tried while the store refuses writes (default 2 s) */
  storeProbeIntervalMs?: number;
  /** where clients reach the API (PUBLIC_URL): the OpenAPI document's server; default `/`, where the document is served from */
  publicUrl?: string;
  /** what /healthz shows of the mail side (Redis, the relay, the workers); none: the section is null */
  mailHealth?: () => Promise<MailHealth>;
  /** where each answer's duration is observed (http_request_duration_seconds); served by the admin listener */
  metrics?: Pick<Metrics, 'httpRequestDuration'>;
  /**
   * What the mail workers compose messages with, so that a preview shows what they send: give the
   * same settings. Default: MAIL_FROM's default, no INBOUND_DOMAIN, links under `publicUrl`
   * (else http://localhost), keys derived from `authSecret`.
   */
  mail?: MailSettings;
  /** the key heads are signed with (main resolves AUDIT_SIGNING_KEY); default: one made for this app alone */
  auditKey?: AuditSigningKey;
  /** the reply page's rate limit per link token (default 120 requests a minute) */
  pageRateLimit?: { max: number; timeWindowMs: number };
  /** DATA_DIR: attachments of replies by e-mail are downloaded from DATA_DIR/attachments (src/inbound/attachments.ts); none: no file is found */
  dataDir?: string;
  /** POST /inbound/mime (src/inbound/webhook.ts): given only with INBOUND_DOMAIN and INBOUND_WEBHOOK_SECRET; none: the route does not exist */
  inbound?: InboundWebhookOptions;
}

/** The longest path parameter the router accepts; a longer one is 414 URI_TOO_LONG (ids are 36-character UUIDs). */
export const MAX_PARAM_LENGTH = 100;

export async function buildApp(deps: AppDeps) {
  // request logs: method, route and allow-listed query parameters only (request-log.ts)
  const logger = deps.logger.child({}, { serializers: { req: requestLogFields } });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit ?? 1_048_576,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
    // replaced by refuseWhileClosing: a problem+json 503 with Retry-After
    return503OnClosing: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  if (deps.metrics) registerRequestMetrics(app, deps.metrics); // before the plugins: it sees every route

  const writes = new StoreWrites(deps.store, logger as FastifyBaseLogger, deps.storeProbeIntervalMs);
  app.addHook('onClose', async () => writes.close());

  // the fallbacks for anything no plugin answers: problem+json, like the API's own errors
  app.setErrorHandler(problemErrorHandler(writes));
  app.setNotFoundHandler(answerNotFound);
  refuseWhileClosing(app);

  // the document's head (servers, licence, contact, tags) and its schema transforms: openapi.ts
  await app.register(swagger, swaggerOptions(deps.publicUrl));
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const ctx: HttpContext = {
    store: deps.store, handler: deps.handler, runner: deps.runner, damage: deps.damage, writes, readYourWritesMs: deps.readYourWritesMs ?? 5000,
    timeZones: new TimeZones(deps.runner),
    dataDir: deps.dataDir ?? null,
    clock: deps.clock ?? (() => new Date()),
    mail: deps.mail ?? {
      from: ConfigSchema.shape.MAIL_FROM.parse(undefined),
      publicUrl: deps.publicUrl ?? 'http://localhost',
      keys: stakeholderTokenKeys(deps.authSecret),
    },
    auditKey: deps.auditKey ?? ephemeralSigningKey(),
  };
  await app.register(async (health: App) => healthRoutes(health, { ...ctx, storeKind: deps.storeKind, ...(deps.mailHealth ? { mailHealth: deps.mailHealth } : {}) }));
  await app.register(async (open: App) => publicKeyRoute(open, ctx));
  await app.register(apiPlugin, { ctx, authSecret: deps.authSecret, ...(deps.authPolicy ? { authPolicy: deps.authPolicy } : {}) });
  await app.register(pagesPlugin, { prefix: PAGES_PREFIX, ctx, authSecret: deps.authSecret, ...(deps.pageRateLimit ? { rateLimit: deps.pageRateLimit } : {}) });
  // mail forwarded by a provider: beside the API, authenticated with its own secret, raw MIME bodies
  if (deps.inbound) await app.register(inboundWebhook, deps.inbound);
  return app;
}
