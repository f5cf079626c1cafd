import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { requireActingFor, requireOpen, requireRole, requireStakeholder, STAKEHOLDER_ACTS } from '../domain/rules.ts';
import { Id, Reason } from '../domain/schemas.ts';

/** Accept or decline. Declining after accepting is allowed; accepting after declining needs a reinstatement. */
export const respondToInvitation = defineCommand({
  name: 'RespondToInvitation',
  schema: z.strictObject({
    stakeholderId: Id,
    response: z.enum(['accept', 'decline']),
    reason: Reason.optional(),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, STAKEHOLDER_ACTS);
    requireOpen(state);
    requireActingFor(ctx.actor, input.stakeholderId);
    const x = requireStakeholder(state, input.stakeholderId);
    if (x.removed) throw new DomainError('STAKEHOLDER_REMOVED', `${x.organisation} was removed from the consultation`);
    if (input.response === 'accept') {
      if (x.response === 'accepted') return [];
      if (x.response === 'declined') throw new DomainError('STAKEHOLDER_DECLINED', `${x.organisation} declined; reinstate it first`);
      return [event('InvitationAccepted', { stakeholderId: x.id })];
    }
    if (x.response === 'declined') return [];
    return [event('InvitationDeclined', { stakeholderId: x.id, ...(input.reason ? { reason: input.reason } : {}) })];
  },
});
