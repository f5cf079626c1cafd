import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole, requireStakeholder } from '../domain/rules.ts';
import { Id, Reason } from '../domain/schemas.ts';

/** Brings back a removed stakeholder, or one that declined (its invitation is pending again). */
export const reinstateStakeholder = defineCommand({
  name: 'ReinstateStakeholder',
  schema: z.strictObject({ stakeholderId: Id, reason: Reason.optional() }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const x = requireStakeholder(state, input.stakeholderId);
    if (!x.removed && x.response !== 'declined') return [];
    return [event('StakeholderReinstated', { stakeholderId: x.id, ...(input.reason ? { reason: input.reason } : {}) })];
  },
});
