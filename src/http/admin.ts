// The admin listener for operators, apart from the API: a browser cannot send a bearer token and a
// scraper cannot renew one, hence a port of its own (ADMIN_PORT, on 127.0.0.1 unless ADMIN_HOST
// says otherwise) behind HTTP basic auth (ADMIN_PASSWORD; required in production, as AUTH_SECRET
// and SMTP_URL are). It serves:
// - GET /metrics: the Prometheus exposition of the process's Metrics (src/metrics.ts);
// - /queues: the BullMQ dashboard (bull-board) over the queues it is given (the mail queue);
// - GET /: a line per endpoint.
// The password is compared in constant time, as SHA-256 digests (equal lengths whatever was sent).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Queue } from 'bullmq';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Metrics } from '../metrics.ts';

export const QUEUES_PATH = '/queues';
const REALM = 'wps-consult admin';

/** Where the admin listener listens and how it is guarded, as the composition root resolved it. */
export interface AdminSettings {
  port: number;
  host: string;
  /** null: no auth (refused in production) */
  password: string | null;
}

/** The admin listener's settings, or null when ADMIN_PORT is off; throws in production without ADMIN_PASSWORD. */
export function resolveAdminListener(config: Pick<Config, 'ADMIN_PORT' | 'ADMIN_HOST' | 'ADMIN_PASSWORD' | 'NODE_ENV'>): AdminSettings | null {
  if (config.ADMIN_PORT === null) return null;
  if (!config.ADMIN_PASSWORD && config.NODE_ENV === 'production') {
    throw new Error('ADMIN_PASSWORD is required with ADMIN_PORT when NODE_ENV=production (at least 12 characters; e.g. `openssl rand -base64 24`), or set ADMIN_PORT=off');
  }
  return { port: config.ADMIN_PORT, host: config.ADMIN_HOST, password: config.ADMIN_PASSWORD ?? null };
}

export interface AdminServerOptions {
  metrics: Metrics;
  /** the BullMQ queues of the dashboard and of the queue gauges (the mail queue); default none */
  queues?: readonly Queue[];
  /** HTTP basic auth with this password (any user name); null or absent: none */
  password?: string | null;
  logger?: Logger;
}

/** The admin listener's Fastify instance, not listening yet. */
export async function buildAdminServer(options: AdminServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger.child({ component: 'admin' }) as FastifyBaseLogger } : {}),
    logController: new LogController({ disableRequestLogging: true }), // a scrape every few seconds would drown the log
  });
  const password = options.password ?? null;
  if (password !== null) {
    const expected = digest(password);
    // on the root instance, before any route or plugin: nothing here answers without the password
    app.addHook('onRequest', async (request, reply) => {
      if (!authorised(request, expected)) return refuse(reply);
    });
  }

  const queues = options.queues ?? [];
  options.metrics.watchQueues(queues);

  app.get('/', async (_request, reply) => {
    reply.type('text/plain; charset=utf-8');
    return `wps-consult admin\n  GET /metrics   Prometheus metrics\n  GET ${QUEUES_PATH}/   the queue dashboard (${queues.length === 0 ? 'no queue in this process' : queues.map((q) => q.name).join(', ')})\n`;
  });

  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await options.metrics.exposition();
    reply.type(contentType);
    return body;
  });

  // loaded here, not at the process's start: a process without an admin port never pays for them
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import('@bull-board/api'), import('@bull-board/api/bullMQAdapter'), import('@bull-board/fastify'),
  ]);
  const board = new FastifyAdapter();
  board.setBasePath(QUEUES_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'wps-consult queues' } },
  });
  await app.register(board.registerPlugin(), { prefix: QUEUES_PATH });
  return app;
}

/** Builds the admin server and listens where the settings say; resolves to it and its address. */
export async function startAdminListener(
  settings: AdminSettings,
  options: Omit<AdminServerOptions, 'password'>,
): Promise<{ app: FastifyInstance; address: string }> {
  const app = await buildAdminServer({ ...options, password: settings.password });
  const address = await app.listen({ port: settings.port, host: settings.host });
  return { app, address };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Basic credentials whose password is the expected one (the user name is not checked). */
function authorised(request: FastifyRequest, expected: Buffer): boolean {
  const header = request.headers.authorization;
  const m = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return false;
  const credentials = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  if (colon < 0) return false;
  return timingSafeEqual(digest(credentials.slice(colon + 1)), expected);
}

function refuse(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', `Basic realm="${REALM}", charset="UTF-8"`)
    .type('text/plain; charset=utf-8')
    .send('401 Unauthorized: this listener needs the admin password (HTTP basic auth, any user name)\n');
}
