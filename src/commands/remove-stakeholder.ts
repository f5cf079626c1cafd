import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole, requireStakeholder } from '../domain/rules.ts';
import { Id, Reason } from '../domain/schemas.ts';

export const removeStakeholder = defineCommand({
  name: 'RemoveStakeholder',
  schema: z.strictObject({ stakeholderId: Id, reason: Reason }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const x = requireStakeholder(state, input.stakeholderId);
    if (x.removed) return [];
    return [event('StakeholderRemoved', input)];
  },
});
