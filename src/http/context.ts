// What every route module gets from the composition root.
import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CommandHandler } from '../commands/handler.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import type { EventStore } from '../store/port.ts';

export interface HttpContext {
  store: EventStore;
  handler: CommandHandler;
  runner: ProjectionRunner;
  /** how long a command's response waits for the views to reflect it (default 5 s) */
  readYourWritesMs: number;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;
