// The API's request durations for /metrics: one observation per answer, labelled with the route's
// pattern (`/consultations/:id/stakeholders/:sid`), never the URL: ids in a label would make a
// series per consultation. A request no route matched (404, a bad URL) is `unmatched`, whatever
// its path. Registered on the root instance, so it sees every plugin's routes.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.ts';

export const UNMATCHED_ROUTE = 'unmatched';

export function registerRequestMetrics(app: FastifyInstance, metrics: Pick<Metrics, 'httpRequestDuration'>): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? undefined : request.routeOptions.url;
    metrics.httpRequestDuration.observe(
      { method: request.method, route: route ?? UNMATCHED_ROUTE, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
