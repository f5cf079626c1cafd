// Liveness (with details) and readiness.
import { z } from 'zod';
import type { MailHealth as MailHealthFacts } from '../../workers/mail-system.ts';
import type { App, HttpContext } from '../context.ts';
import { DamageHealth } from '../damage-guard.ts';
import { INTERNAL_ERROR, problem, ProblemBody } from '../schemas.ts';

const ProjectionHealth = z.object({
  name: z.string(),
  version: z.number(),
  state: z.string().describe('catching-up, live, reconnecting, following (another API process writes the views), failed, stopped'),
  /** set when a reducer threw: the projection stopped before the batch holding the event named */
  failure: z.string().nullable(),
  generation: z.string().describe('where its documents live in the view store: name@version, .N after the Nth rebuild'),
  caughtUpOnce: z.boolean(),
  eventsApplied: z.number(),
  /** how far behind the store's head, in the store's unit (events on SQLite, log bytes on EventStoreDB); null: nothing applied yet */
  behind: z.number().nullable(),
});

const StoreHealth = z.object({
  kind: z.string(),
  reachable: z.boolean(),
  writable: z.boolean().describe('false after a write failed (disk full, I/O error), until a probe write succeeds; liveness stays 200'),
});

export const MailHealth = z.object({
  redis: z.object({ reachable: z.boolean().describe('false: Redis is down; commands are still taken (the events are the record) and mail waits') }),
  relay: z.object({
    state: z.string().describe('live, catching-up, following (another process runs the relay), failed, stopped'),
    failure: z.string().nullable(),
    position: z.string().nullable().describe('its checkpoint: the last event it queued the jobs of'),
    behind: z.number().nullable().describe('how far behind the head of the log, in the store\'s unit; grows while Redis is down'),
  }).nullable().describe('null: this process runs no relay (ROLE=api)'),
  worker: z.object({ running: z.boolean() }).nullable().describe('null: this process runs no mail worker (ROLE=api)'),
}).nullable().describe('the mail relay and workers; null when this process has no mail side');

export function healthRoutes(app: App, ctx: HttpContext & { storeKind: string; mailHealth?: () => Promise<MailHealthFacts> }): void {
  const storeReachable = async (): Promise<boolean> => {
    try {
      await ctx.store.ping();
      return true;
    } catch (error) {
      app.log.warn({ err: error }, 'event store unreachable');
      return false;
    }
  };

  // A stalled subscription shows as a `behind` that keeps growing while `state` says live.
  app.get('/healthz', {
    schema: {
      operationId: 'getHealth',
      security: [], // open: no token needed
      tags: ['health'],
      summary: 'Liveness, with the store and each projection\'s state and lag',
      response: {
        200: z.object({ status: z.literal('ok'), store: StoreHealth, projections: z.array(ProjectionHealth), damaged: z.array(DamageHealth), mail: MailHealth }),
        ...HEALTH_ERRORS,
        503: unavailable('the event store is unreachable', z.object({
          status: z.literal('unavailable'), store: StoreHealth, projections: z.array(ProjectionHealth), damaged: z.array(DamageHealth), mail: MailHealth,
        })),
      },
    },
  }, async (_req, reply) => {
    const reachable = await storeReachable();
    const lag = reachable ? await ctx.runner.lag().catch(() => null) : null;
    const projections = ctx.runner.status().map((s) => ({
      name: s.name,
      version: s.version,
      state: s.state,
      failure: s.failure,
      caughtUpOnce: s.caughtUpOnce,
      eventsApplied: s.eventsApplied,
      generation: s.generation,
      behind: lag?.find((l) => l.name === s.name)?.behind ?? null,
    }));
    const store = { kind: ctx.storeKind, reachable, writable: ctx.writes.writable };
    const damaged = ctx.damage.list(); // the consultations refused with HISTORY_DAMAGED; the service is live for the rest
    // Redis down does not make the service unavailable: commands are still taken, mail waits
    const mail = ctx.mailHealth ? await ctx.mailHealth().catch(() => ({ redis: { reachable: false }, relay: null, worker: null })) : null;
    return reachable
      ? reply.code(200).send({ status: 'ok' as const, store, projections, damaged, mail })
      : reply.code(503).send({ status: 'unavailable' as const, store, projections, damaged, mail });
  });

  app.get('/readyz', {
    schema: {
      operationId: 'getReadiness',
      security: [], // open: no token needed
      tags: ['health'],
      summary: 'Readiness: the store answers and takes writes, and every projection caught up at least once since start (and none failed)',
      response: { 200: ReadyBody, ...HEALTH_ERRORS, 503: unavailable('not ready: see the body for what is missing', ReadyBody) },
    },
  }, async (_req, reply) => {
    const reachable = await storeReachable();
    const writable = ctx.writes.writable;
    const ready = reachable && writable && ctx.runner.caughtUpOnce && ctx.runner.status().every((s) => s.failure === null);
    return reply.code(ready ? 200 : 503).send({ ready, store: { reachable, writable }, projectionsCaughtUp: ctx.runner.caughtUpOnce });
  });
}

const ReadyBody = z.object({ ready: z.boolean(), store: z.object({ reachable: z.boolean(), writable: z.boolean() }), projectionsCaughtUp: z.boolean() });

/**
 * The errors the health checks answer as problem+json: what the HTTP parser refuses before any
 * route runs, a fault of the server, and (with the check's own body otherwise) 503 while draining.
 */
const HEALTH_ERRORS = {
  400: problem('BAD_REQUEST: the HTTP parser could not read the request (bad header bytes, say)'),
  500: INTERNAL_ERROR,
} as const;

/** 503 with the check's own body, or SHUTTING_DOWN as problem+json while the server drains. */
function unavailable<S extends z.ZodType>(description: string, body: S) {
  return {
    description: `${description}; or, as problem+json, SHUTTING_DOWN while the server drains`,
    content: { 'application/json': { schema: body }, 'application/problem+json': { schema: ProblemBody } },
  } as const;
}
