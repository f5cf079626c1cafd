// ROLE=workers serves no API, but an orchestrator must still be able to probe it: a listener on
// PORT (HOST) with GET /healthz alone, the same liveness as the API's /healthz for what this
// process runs: whether the event store answers, and the mail section (Redis, the relay's state
// and lag, whether the worker runs). 200 while the store answers (Redis down included: the relay
// waits and catches up), 503 when it does not.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { EventStore } from '../store/port.ts';
import type { MailHealth as MailHealthFacts } from '../workers/mail-system.ts';
import { MailHealth } from './routes/health.ts';

export interface WorkersHealthOptions {
  store: Pick<EventStore, 'ping'>;
  storeKind: string;
  mailHealth: () => Promise<MailHealthFacts>;
  logger?: Logger;
}

const WorkersHealth = z.object({
  status: z.enum(['ok', 'unavailable']),
  role: z.literal('workers'),
  store: z.object({ kind: z.string(), reachable: z.boolean() }),
  mail: MailHealth,
});

/** The health listener of ROLE=workers, not listening yet. */
export async function buildWorkersHealthServer(options: WorkersHealthOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger.child({ component: 'health' }) as FastifyBaseLogger } : {}),
    logController: new LogController({ disableRequestLogging: true }), // a probe every few seconds would drown the log
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.get('/healthz', { schema: { response: { 200: WorkersHealth, 503: WorkersHealth } } }, async (_req, reply) => {
    let reachable = true;
    try {
      await options.store.ping();
    } catch (error) {
      reachable = false;
      options.logger?.warn({ err: error }, 'event store unreachable');
    }
    const mail = await options.mailHealth().catch(() => ({ redis: { reachable: false }, relay: null, worker: null }));
    return reply.code(reachable ? 200 : 503).send({ status: reachable ? 'ok' : 'unavailable', role: 'workers', store: { kind: options.storeKind, reachable }, mail });
  });
  return app;
}
