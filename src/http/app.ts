// The HTTP application: Fastify 5 with zod schemas (fastify-type-provider-zod), an OpenAPI
// document generated from those schemas with Swagger UI at /docs, problem+json errors, bearer
// tokens, pino request logs.
import Fastify, { type FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { CommandHandler } from '../commands/handler.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import type { EventStore } from '../store/port.ts';
import { registerAuth, type AuthPolicy } from './auth.ts';
import type { HttpContext } from './context.ts';
import { problemFor, sendProblem } from './problem.ts';
import { consultationRoutes } from './routes/consultations.ts';
import { draftRoutes } from './routes/drafts.ts';
import { commentRoutes } from './routes/comments.ts';
import { endorsementRoutes } from './routes/endorsements.ts';
import { stakeholderRoutes } from './routes/stakeholders.ts';
import { healthRoutes } from './routes/health.ts';
import { matchesIfNoneMatch } from './views.ts';

export interface AppDeps {
  store: EventStore;
  runner: ProjectionRunner;
  handler: CommandHandler;
  logger: Logger;
  storeKind: string;
  /** the token-signing secret */
  authSecret: string;
  /** token lifetime bound and revocation list (defaults: 30 days, nothing revoked) */
  authPolicy?: AuthPolicy;
  readYourWritesMs?: number;
  /** largest accepted request body in bytes (default 1 MiB) */
  bodyLimit?: number;
}

export async function buildApp(deps: AppDeps) {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, bodyLimit: deps.bodyLimit ?? 1_048_576 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => {
    const problem = problemFor(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, { status: 404, code: 'ROUTE_NOT_FOUND', title: `no route ${request.method} ${request.url.split('?')[0]}`, instance: request.url }));

  // Conditional GET: a representation whose ETag the client already holds is answered 304.
  app.addHook('onSend', async (request, reply, payload) => {
    const etag = reply.getHeader('etag');
    if ((request.method === 'GET' || request.method === 'HEAD') && reply.statusCode === 200 && typeof etag === 'string' && matchesIfNoneMatch(request, etag)) {
      reply.code(304);
      return '';
    }
    return payload;
  });

  // One child logger per request that names its consultation.
  app.addHook('preHandler', async (request, reply) => {
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') {
      const log = request.log.child({ consultationId: id });
      request.log = log;
      reply.log = log; // "request completed" is logged through the reply's logger
    }
  });

  // CSV bodies (stakeholder import) arrive as text
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  await app.register(swagger, {
    openapi: {
      info: { title: 'WPS National Action Plan consultations', version: '1', description: 'Coordinator and auditor API. Every command is an event on the consultation\'s stream.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerAuth(app, deps.authSecret, deps.authPolicy);

  const ctx: HttpContext = { store: deps.store, handler: deps.handler, runner: deps.runner, readYourWritesMs: deps.readYourWritesMs ?? 5000 };
  healthRoutes(app, { ...ctx, storeKind: deps.storeKind });
  consultationRoutes(app, ctx);
  draftRoutes(app, ctx);
  stakeholderRoutes(app, ctx);
  commentRoutes(app, ctx);
  endorsementRoutes(app, ctx);
  return app;
}
