// What every route module gets from the composition root.
import type { FastifyInstance, FastifyBaseLogger, RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DamageRegistry } from '../audit/damage.ts';
import type { CommandHandler } from '../commands/handler.ts';
import type { ProjectionRunner } from '../projections/runner.ts';
import type { EventStore } from '../store/port.ts';

export interface HttpContext {
  store: EventStore;
  handler: CommandHandler;
  runner: ProjectionRunner;
  /** the process's damaged consultations (refused by the damage guard, listed by /healthz) */
  damage: DamageRegistry;
  /** how long a command's response waits for the views to reflect it (default 5 s) */
  readYourWritesMs: number;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;
