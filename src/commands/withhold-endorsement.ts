import { z } from 'zod';
import { defineCommand } from './command.ts';
import { STAKEHOLDER_ACTS, requireContact, requireRole } from '../domain/rules.ts';
import { requireEndorserMayDecide } from './endorsement-guards.ts';
import { event } from '../domain/events.ts';
import { Id, Reason } from '../domain/schemas.ts';

/**
 * Withholding replaces the endorser's earlier decision on the version (an endorsement, or a
 * withholding with another reason: a new decision); the same withholding again is a no-op.
 */
export const withholdEndorsement = defineCommand({
  name: 'WithholdEndorsement',
  schema: z.strictObject({
    stakeholderId: Id,
    contactId: Id.optional().describe('the contact person who made the decision for the organisation (one of its contacts now); omitted: the organisation as a whole'),
    draftVersion: z.number().int().positive(),
    reason: Reason,
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, STAKEHOLDER_ACTS);
    const x = requireEndorserMayDecide(state, input, ctx);
    if (input.contactId !== undefined) requireContact(x, input.contactId);
    const earlier = x.decisions.get(input.draftVersion);
    if (earlier?.decision === 'withheld' && earlier.reason === input.reason) return [];
    return [event('EndorsementWithheld', input)];
  },
});
