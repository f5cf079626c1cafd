// The HTTP application. Until the REST API lands it serves the liveness check only.
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { EventStore } from '../store/port.ts';

export interface AppDeps {
  store: EventStore;
  logger: Logger;
  /** where the product keeps its data, reported by /healthz */
  dataDir: string;
  storeKind: string;
}

export function buildApp(deps: AppDeps) {
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: 1_048_576 });

  app.get('/healthz', async (_req, reply) => {
    try {
      await deps.store.ping();
      return { status: 'ok', store: { kind: deps.storeKind, reachable: true } };
    } catch (error) {
      deps.logger.warn({ err: error }, 'event store unreachable');
      return reply.code(503).send({ status: 'unavailable', store: { kind: deps.storeKind, reachable: false } });
    }
  });

  return app;
}
