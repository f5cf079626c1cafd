// The HTTP application. Until the REST API lands it serves liveness and readiness only.
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { EventStore } from '../store/port.ts';
import type { ProjectionRunner } from '../projections/runner.ts';

export interface AppDeps {
  store: EventStore;
  runner: ProjectionRunner;
  logger: Logger;
  storeKind: string;
}

export function buildApp(deps: AppDeps) {
  const app = Fastify({ loggerInstance: deps.logger, bodyLimit: 1_048_576 });

  const storeReachable = async (): Promise<boolean> => {
    try {
      await deps.store.ping();
      return true;
    } catch (error) {
      deps.logger.warn({ err: error }, 'event store unreachable');
      return false;
    }
  };

  // Liveness with details: whether the store answers, and for each projection whether its
  // subscription is live and how far behind the store's head it is (in the store's own unit:
  // events on SQLite, log bytes on EventStoreDB). A stalled subscription shows as growing `behind`.
  app.get('/healthz', async (_req, reply) => {
    const reachable = await storeReachable();
    const lag = reachable ? await deps.runner.lag().catch(() => null) : null;
    const body = {
      status: reachable ? 'ok' : 'unavailable',
      store: { kind: deps.storeKind, reachable },
      projections: deps.runner.status().map((s) => ({
        name: s.name,
        version: s.version,
        state: s.state,
        caughtUpOnce: s.caughtUpOnce,
        eventsApplied: s.eventsApplied,
        behind: lag?.find((l) => l.name === s.name)?.behind ?? null,
      })),
    };
    return reply.code(reachable ? 200 : 503).send(body);
  });

  // Readiness: the store answers and every projection has caught up at least once since start.
  app.get('/readyz', async (_req, reply) => {
    const reachable = await storeReachable();
    const ready = reachable && deps.runner.caughtUpOnce;
    return reply.code(ready ? 200 : 503).send({ ready, store: { reachable }, projectionsCaughtUp: deps.runner.caughtUpOnce });
  });

  return app;
}
