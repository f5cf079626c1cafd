// Composition root of the API process: config, logger, event store, command handler, projections,
// HTTP server, and the background check of every consultation's history.
import { DamageRegistry } from './audit/damage.ts';
import { HistoryVerifier } from './audit/verifier.ts';
import { issueToken } from './auth/tokens.ts';
import { resolveAuthSecret } from './auth/secret.ts';
import { CommandHandler } from './commands/handler.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { buildApp } from './http/app.ts';
import { createLogger } from './logger.ts';
import { projections } from './projections/index.ts';
import { ProjectionRunner } from './projections/runner.ts';
import { openEventStore } from './store/open-store.ts';

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
  const auth = resolveAuthSecret(config);
  const { store, kind, location } = await openEventStore(config, logger);
  logger.info({ dataDir: config.dataDir, store: kind, location }, `event store: ${kind} at ${location}`);

  const damage = new DamageRegistry({ logger }); // consultations whose history does not hold, found by any of the three below
  const handler = new CommandHandler({ store, logger, damage });
  const runner = new ProjectionRunner({ store, projections, logger, damage });
  await runner.start(); // views catch up in the background; /readyz says when they have
  const verifier = config.VERIFY_INTERVAL === null ? null : new HistoryVerifier({ store, damage, logger, intervalMs: config.VERIFY_INTERVAL });
  verifier?.start(); // a first pass soon, in the background, then every VERIFY_INTERVAL

  const app = await buildApp({ store, runner, handler, damage, logger, storeKind: kind, authSecret: auth.secret });
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address }, `listening on ${address}; API documentation at ${address}/docs`);

  if (auth.source === 'created') {
    // A ready-to-paste token for development, printed once (when the secret is created) on the
    // terminal, never into the JSON logs; `npx consult token` prints more.
    const token = await issueToken(auth.secret, { role: 'coordinator', subject: 'developer' });
    logger.info({ secretFile: auth.file }, 'no AUTH_SECRET: created a development secret in the data directory');
    process.stderr.write(`\ncoordinator token (development):\n  export TOKEN=${token}\n  curl -H "Authorization: Bearer $TOKEN" ${address}/consultations\n\n`);
  } else if (auth.source === 'data-dir') {
    logger.info({ secretFile: auth.file }, 'no AUTH_SECRET: using the development secret in the data directory; `npx consult token --role coordinator --subject NAME` prints a token');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await verifier?.stop();
    await runner.stop();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
