// Composition root of the process: config, logger, event store, command handler, projections,
// HTTP server, the background check of every consultation's history, the mail relay and workers
// (by ROLE: all of them, the API only, or the relay and workers only), inbound mail (the SMTP
// listener where the workers run, the webhook with the API); and the stop sequence on SIGTERM/SIGINT.
import { fileURLToPath } from 'node:url';
import { DamageRegistry } from './audit/damage.ts';
import { HistoryVerifier } from './audit/verifier.ts';
import { RevokedTokens, revokedTokensFile } from './auth/revocations.ts';
import { mintToken } from './auth/tokens.ts';
import { resolveAuthSecret } from './auth/secret.ts';
import { resolveAuditSigningKey } from './audit/signing-key.ts';
import { stakeholderTokenKeys } from './auth/stakeholder-tokens.ts';
import { tokenCommandHint } from './cli/token-hint.ts';
import { CommandHandler } from './commands/handler.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { formatDuration } from './config/duration.ts';
import { resolveAdminListener, startAdminListener } from './http/admin.ts';
import { buildWorkersHealthServer } from './http/workers-health.ts';
import { buildApp } from './http/app.ts';
import { InboundMailbox } from './inbound/mailbox.ts';
import { startInboundListener, type InboundListener } from './inbound/smtp-listener.ts';
import { createLogger } from './logger.ts';
import { createMailer, describeMailTransport, resolveMailTransport } from './mail/transport.ts';
import { Metrics } from './metrics.ts';
import { projections } from './projections/index.ts';
import { ProjectionRunner } from './projections/runner.ts';
import { openEventStore } from './store/open-store.ts';
import { applyRecordedErasures } from './privacy/erasure.ts';
import { personalKeysOf } from './privacy/personal-store.ts';
import type { EventStore } from './store/port.ts';
import { openViewStore } from './views/open-view-store.ts';
import type { ViewStore } from './views/view-store.ts';
import { startMailSystem, type MailSystem } from './workers/mail-system.ts';

/** How long the stop sequence may take before the process exits with 1 anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
/**
 * Signals this soon after the first count as the same one: Ctrl-C under `npm start` reaches node
 * twice, from the terminal and forwarded by npm. A signal later than that forces the exit.
 */
const SAME_SIGNAL_MS = 1_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);

  // What is open so far: a signal during the start closes that much.
  let store: EventStore | undefined;
  let runner: ProjectionRunner | undefined;
  let viewStore: ViewStore | undefined;
  let mail: MailSystem | undefined;
  let verifier: HistoryVerifier | null = null;
  /** the API, or with ROLE=workers the health listener */
  let app: Pick<Awaited<ReturnType<typeof buildApp>>, 'close' | 'server'> | undefined;
  let admin: Awaited<ReturnType<typeof startAdminListener>>['app'] | undefined;
  let inboundListener: InboundListener | undefined;
  let stoppingSince: number | undefined;
  const stop = async (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < SAME_SIGNAL_MS) return;
      logger.warn({ signal }, 'second signal while shutting down: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down: answering the requests in flight, then closing the store');
    setTimeout(() => {
      logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, `shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS / 1000} s: exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    // server.close() closes the connections idle at that moment; one whose request is still in
    // flight would stay open as keep-alive after its answer (and hold the close for Fastify's
    // 72 s keep-alive timeout), so idle connections are closed again until the close completes
    const reaper = setInterval(() => app?.server.closeIdleConnections(), 100);
    try {
      if (app) {
        await app.close(); // stops listening, answers the requests in flight
        logger.info('HTTP server closed: the requests in flight were answered');
      }
      clearInterval(reaper);
      await inboundListener?.close(); // no new mail; the messages in flight are recorded and answered first
      await admin?.close();
      await mail?.stop(); // the relay's batch committed or dropped, the mail jobs in flight finished
      await verifier?.stop();
      await runner?.stop();
      await viewStore?.close();
      await store?.close();
      logger.info({ signal }, 'stopped: requests answered, store closed');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));

  const auth = resolveAuthSecret(config);
  const auditKey = resolveAuditSigningKey(config); // production refuses to start without AUDIT_SIGNING_KEY
  logger.info({ source: auditKey.source, ...(auditKey.file ? { file: auditKey.file } : {}) }, auditKey.source === 'AUDIT_SIGNING_KEY'
    ? 'audit: heads are signed with the key of AUDIT_SIGNING_KEY'
    : `audit: heads are signed with the development key in ${auditKey.file} (set AUDIT_SIGNING_KEY in production; back it up)`);
  const role = config.ROLE;
  const serves = role !== 'workers';
  const sends = role !== 'api';
  // production refuses to start without SMTP_URL where mail is sent
  const mailTransport = sends ? resolveMailTransport(config) : null;
  if (mailTransport) {
    logger.info(describeMailTransport(mailTransport), mailTransport.kind === 'smtp'
      ? 'e-mail: through the SMTP server of SMTP_URL'
      : `e-mail: no SMTP_URL, messages are written to ${mailTransport.dir}, not sent`);
  }
  const adminSettings = resolveAdminListener(config); // production refuses an admin port without ADMIN_PASSWORD
  const metrics = new Metrics(); // served by the admin listener
  logger.info({ role }, role === 'all' ? 'ROLE=all: the API, the mail relay and the mail workers' : role === 'api' ? 'ROLE=api: the HTTP API only' : 'ROLE=workers: the mail relay and the mail workers, no API (/healthz only)');
  // the server commits on a worker thread: an fsync no longer holds up the requests in flight
  const opened = await openEventStore(config, logger, { writerThread: true });
  store = opened.store;
  logger.info({ dataDir: config.dataDir, store: opened.kind, location: opened.location }, `event store: ${opened.kind} at ${opened.location}`);
  const personalKeys = personalKeysOf(store);
  if (personalKeys) {
    // the events are the record of erasures, not the key store: after a restore of an older
    // key-store backup, the keys they say were destroyed are destroyed again before anything reads
    const reapplied = await applyRecordedErasures(store, personalKeys);
    logger.info({ keyStore: opened.keyStore, erasures: reapplied.erasures, keysDestroyedAgain: reapplied.keys }, 'personal data: sealed with the keys of the key store');
  }

  const damage = new DamageRegistry({ logger }); // consultations whose history does not hold, found by any of the three below
  const clock = () => new Date(); // one clock: the time of commands and of the views' reads
  const handler = new CommandHandler({ store, logger, damage, clock, metrics });
  viewStore = await openViewStore({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.dataDir,
    schema: config.DATABASE_SCHEMA,
    writerThread: true, // SQLite only: the views' commits and fsyncs off the API's event loop
    onError: (error) => logger.warn({ err: error }, 'view store: a background connection failed'),
  });
  logger.info(config.DATABASE_URL
    ? { viewStore: 'postgres', schema: config.DATABASE_SCHEMA ?? 'public' }
    : { viewStore: 'sqlite', file: `${config.dataDir}/views.sqlite` }, 'view store opened');
  verifier = config.VERIFY_INTERVAL === null ? null : new HistoryVerifier({ store, damage, logger, intervalMs: config.VERIFY_INTERVAL });
  verifier?.start(); // a first pass soon, in the background, then every VERIFY_INTERVAL

  // the relay and the mail workers (or, for the API alone, only a watch on Redis for /healthz):
  // while Redis is down the API goes on, and the relay catches up from its checkpoint when it returns
  const redis = new URL(config.REDIS_URL);
  logger.info({ redis: `${redis.protocol}//${redis.hostname}:${redis.port || '6379'}`, queuePrefix: config.QUEUE_PREFIX }, 'mail queue: Redis');
  const publicUrl = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  if (sends && !config.PUBLIC_URL) logger.warn({ publicUrl }, 'no PUBLIC_URL: the links in e-mail point at this machine');
  // the workers and the API's previews compose messages with the same settings
  const mailSettings = { from: config.MAIL_FROM, inboundDomain: config.INBOUND_DOMAIN, publicUrl, keys: stakeholderTokenKeys(auth.secret) };
  mail = await startMailSystem({
    store, handler, viewStore, damage, logger,
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    relay: sends,
    worker: sends,
    ...(mailTransport ? {
      mail: {
        mailer: createMailer(mailTransport, { logger }),
        settings: mailSettings,
      },
    } : {}),
    reminderOffsetsMs: config.REMINDER_OFFSETS,
    // as many jobs at once as the pool has connections: each message in flight has one (the outbox keeps the worker's default)
    ...(mailTransport?.kind === 'smtp' ? { concurrency: config.SMTP_POOL_SIZE } : {}),
    metrics,
  });
  if (adminSettings) {
    const started = await startAdminListener(adminSettings, { metrics, queues: mail.queue ? [mail.queue] : [], logger });
    admin = started.app;
    logger.info({ admin: started.address, auth: adminSettings.password ? 'basic' : 'none' }, `admin listener on ${started.address}: ${started.address}/metrics, ${started.address}/queues`);
  }
  // inbound mail: replies and delivery reports for reply+<token>@ and bounces+<token>@INBOUND_DOMAIN
  const inbound = config.INBOUND_DOMAIN ? new InboundMailbox({
    handler, clock, logger: logger.child({ component: 'inbound-mail' }),
    settings: {
      domain: config.INBOUND_DOMAIN, keys: mailSettings.keys, dataDir: config.dataDir,
      maxBytes: config.INBOUND_MAX_BYTES, maxAttachmentBytes: config.INBOUND_MAX_ATTACHMENT_BYTES, authservId: config.INBOUND_AUTHSERV_ID,
    },
  }) : null;
  if (!inbound && config.INBOUND_WEBHOOK_SECRET) logger.warn('INBOUND_WEBHOOK_SECRET without INBOUND_DOMAIN: no inbound mail is taken');
  // the SMTP listener runs where the workers run (one process per host binds the port); the webhook with the API
  if (inbound && sends && config.INBOUND_SMTP_PORT !== null) {
    inboundListener = await startInboundListener({ mailbox: inbound, port: config.INBOUND_SMTP_PORT, host: config.INBOUND_SMTP_HOST ?? config.HOST, logger: logger.child({ component: 'inbound-smtp' }) });
    logger.info({ inboundSmtp: inboundListener.address, domain: config.INBOUND_DOMAIN, maxBytes: config.INBOUND_MAX_BYTES }, `inbound SMTP listener on ${inboundListener.address.host}:${inboundListener.address.port}`);
  }
  if (!serves) {
    // no API, but /healthz for the orchestrator's probes, on PORT
    const health = await buildWorkersHealthServer({ store, storeKind: opened.kind, mailHealth: () => mail!.health(), logger });
    app = health;
    const address = await health.listen({ port: config.PORT, host: config.HOST });
    logger.info({ address }, `workers started: the relay follows the log, the senders take jobs; health at ${address}/healthz`);
    return;
  }

  runner = new ProjectionRunner({
    store, projections, logger, damage, viewStore,
    progress: (p) => logger.info(p, 'views catching up'),
  });

  const revoked = new RevokedTokens(revokedTokensFile(config.dataDir));
  logger.info({ tokenMaxLifetime: formatDuration(config.TOKEN_MAX_LIFETIME), revokedTokens: revoked.file }, 'bearer tokens: lifetime bounded, revocation list re-read when it changes');
  const api = await buildApp({
    store, runner, handler, damage, logger, clock, storeKind: opened.kind, authSecret: auth.secret, dataDir: config.dataDir,
    authPolicy: { maxLifetimeSeconds: config.TOKEN_MAX_LIFETIME, revoked },
    publicUrl: config.PUBLIC_URL, metrics, mail: mailSettings, auditKey,
    mailHealth: () => mail!.health(),
    ...(inbound && config.INBOUND_WEBHOOK_SECRET ? { inbound: { mailbox: inbound, secret: config.INBOUND_WEBHOOK_SECRET } } : {}),
  });
  app = api;
  const address = await api.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address }, `listening on ${address}; API documentation at ${address}/docs`);
  await runner.start(); // the views catch up from their checkpoint in the background; /healthz answers meanwhile, /readyz once they have

  if (auth.source !== 'AUTH_SECRET') {
    // Development secret: a command that prints a token, which works exactly as printed (it names
    // this server's DATA_DIR when needed), on the terminal and in the log.
    const tokenCommand = tokenCommandHint({
      dataDir: config.dataDir,
      tokenMaxLifetimeSeconds: config.TOKEN_MAX_LIFETIME,
      cwd: process.cwd(),
      repoRoot: fileURLToPath(new URL('..', import.meta.url)),
    });
    logger.info({ secretFile: auth.file, tokenCommand }, auth.source === 'created'
      ? 'no AUTH_SECRET: created a development secret in the data directory'
      : 'no AUTH_SECRET: using the development secret in the data directory');
    if (auth.source === 'created') {
      // A ready-to-paste token, printed once (when the secret is created) on the terminal, never
      // into the JSON logs.
      const issued = await mintToken(auth.secret, { role: 'coordinator', subject: 'developer' }, { lifetimeSeconds: config.TOKEN_MAX_LIFETIME });
      process.stderr.write(`\ncoordinator token (development; id ${issued.jti}, expires ${issued.expiresAt.toISOString()}):\n  export TOKEN=${issued.token}\n  curl -H "Authorization: Bearer $TOKEN" ${address}/consultations\n`);
    }
    process.stderr.write(`\na token for this server (development secret):\n  ${tokenCommand}\n\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
