// Composition root of the API process: config, logger, event store, HTTP server.
import { ConfigError, loadConfig } from './config/config.ts';
import { buildApp } from './http/app.ts';
import { createLogger } from './logger.ts';
import { projections } from './projections/index.ts';
import { ProjectionRunner } from './projections/runner.ts';
import { openEventStore } from './store/open-store.ts';

async function main(): Promise<void> {
  let config;
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
  const { store, kind, location } = await openEventStore(config, logger);
  logger.info({ dataDir: config.dataDir, store: kind, location }, `event store: ${kind} at ${location}`);

  const runner = new ProjectionRunner({ store, projections, logger });
  await runner.start(); // views catch up in the background; /readyz says when they have

  const app = buildApp({ store, runner, logger, storeKind: kind });
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address }, `listening on ${address}`);

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
