// The shape every command file exports: its zod input schema and a pure decide.
import type { z } from 'zod';
import type { ReadonlyState } from '../domain/consultation.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { Actor } from '../domain/schemas.ts';

/** What arrives with every command besides its input: no clock or id generator inside decide. */
export interface CommandContext {
  consultationId: string;
  commandId: string;
  actor: Actor;
  /** the time the command is handled, ISO-8601 */
  now: string;
}

export interface CommandDefinition<S extends z.ZodType = z.ZodType> {
  /** imperative name, e.g. InviteStakeholder */
  name: string;
  schema: S;
  /** Returns the events the command produces; [] when it is satisfied already; throws DomainError when forbidden. */
  decide(state: ReadonlyState, input: z.output<S>, ctx: CommandContext): DomainEvent[];
}

export function defineCommand<S extends z.ZodType>(def: CommandDefinition<S>): CommandDefinition<S> {
  return def;
}
