// Composition root of the API process: config, logger, event store, command handler, projections,
// HTTP server.
import { RevokedTokens, revokedTokensFile } from './auth/revocations.ts';
import { mintToken } from './auth/tokens.ts';
import { resolveAuthSecret } from './auth/secret.ts';
import { CommandHandler } from './commands/handler.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { formatDuration } from './config/duration.ts';
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

  const handler = new CommandHandler({ store, logger });
  const runner = new ProjectionRunner({ store, projections, logger });
  await runner.start(); // views catch up in the background; /readyz says when they have

  const revoked = new RevokedTokens(revokedTokensFile(config.dataDir));
  logger.info({ tokenMaxLifetime: formatDuration(config.TOKEN_MAX_LIFETIME), revokedTokens: revoked.file }, 'bearer tokens: lifetime bounded, revocation list re-read when it changes');
  const app = await buildApp({
    store, runner, handler, logger, storeKind: kind, authSecret: auth.secret,
    authPolicy: { maxLifetimeSeconds: config.TOKEN_MAX_LIFETIME, revoked },
  });
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address }, `listening on ${address}; API documentation at ${address}/docs`);

  if (auth.source === 'created') {
    // A ready-to-paste token for development, printed once (when the secret is created) on the
    // terminal, never into the JSON logs; `npx consult token` prints more.
    const { token } = await mintToken(auth.secret, { role: 'coordinator', subject: 'developer' }, { lifetimeSeconds: config.TOKEN_MAX_LIFETIME });
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
