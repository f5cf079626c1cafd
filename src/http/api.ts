// The REST API as one encapsulated Fastify plugin: bearer-token access, the JSON (problem+json)
// error handler, JSON bodies only, conditional GET and a log line per request that names its
// consultation, for the resource plugins registered inside it and for nothing else. A plugin
// registered beside it (pages reached by a signed link, say) brings its own auth and error pages.
import { registerAuth, type AuthPolicy } from './auth.ts';
import type { App, HttpContext } from './context.ts';
import { registerDamageGuard } from './damage-guard.ts';
import { NoQuery, URI_TOO_LONG } from './schemas.ts';
import { problemErrorHandler } from './framework.ts';
import { auditRoutes, exportRoutes } from './routes/audit.ts';
import { commentRoutes } from './routes/comments.ts';
import { consultationRoutes } from './routes/consultations.ts';
import { draftRoutes } from './routes/drafts.ts';
import { endorsementRoutes } from './routes/endorsements.ts';
import { heldReplyRoutes } from './routes/held-replies.ts';
import { messageRoutes } from './routes/messages.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { stakeholderRoutes } from './routes/stakeholders.ts';
import { registerLocalTimes } from './local-times.ts';
import { matchesIfNoneMatch } from './views.ts';

export interface ApiOptions {
  ctx: HttpContext;
  /** the token-signing secret */
  authSecret: string;
  /** token lifetime and revocation */
  authPolicy?: AuthPolicy;
}

export async function apiPlugin(api: App, { ctx, authSecret, authPolicy }: ApiOptions): Promise<void> {
  api.setErrorHandler(problemErrorHandler(ctx.writes));
  registerAuth(api, authSecret, authPolicy);
  // after auth: a caller without a token learns nothing about damage
  registerDamageGuard(api, ctx.damage);

  // JSON only: Fastify's text/plain parser would hand a JSON route a string ("expected object"),
  // where the answer is 415. The CSV import adds text/csv in its own context.
  api.removeContentTypeParser(['text/plain']);

  // Conditional GET: a representation whose ETag the client already holds is answered 304.
  api.addHook('onSend', async (request, reply, payload) => {
    const etag = reply.getHeader('etag');
    if ((request.method === 'GET' || request.method === 'HEAD') && reply.statusCode === 200 && typeof etag === 'string' && matchesIfNoneMatch(request, etag)) {
      reply.code(304);
      return '';
    }
    return payload;
  });

  // One child logger per request that names its consultation.
  api.addHook('preHandler', async (request, reply) => {
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') {
      const log = request.log.child({ consultationId: id });
      request.log = log;
      reply.log = log; // "request completed" is logged through the reply's logger
    }
  });

  // Query strings are strict like bodies: a route that declares none takes none, so a mistyped
  // `?verison=2` is a 400 naming it instead of silently answering for the latest version.
  api.addHook('onRoute', (route) => {
    if (route.schema?.querystring === undefined) route.schema = { ...route.schema, querystring: NoQuery };
    // A path parameter over the router's limit is answered 414 (framework.ts): documented on every
    // route that has one, beside the errors the route lists itself.
    if (route.url.includes(':') && route.schema.response !== undefined) {
      route.schema = { ...route.schema, response: { ...route.schema.response as Record<string, unknown>, 414: URI_TOO_LONG } };
    }
  });

  // every time a consultation's views show, also in its own time zone (after the hook above, which documents 414)
  registerLocalTimes(api, ctx.timeZones);

  const resources = { ctx };
  await api.register(consultationRoutes, resources);
  await api.register(draftRoutes, resources);
  await api.register(stakeholderRoutes, resources);
  await api.register(messageRoutes, resources);
  await api.register(commentRoutes, resources);
  await api.register(endorsementRoutes, resources);
  await api.register(auditRoutes, resources);
  await api.register(exportRoutes, resources);
  await api.register(heldReplyRoutes, resources);
  await api.register(privacyRoutes, resources);
}
