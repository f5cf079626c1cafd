import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, isAfter, requireLatestDraft, requireOpen, requireRole } from '../domain/rules.ts';
import { Instant } from '../domain/schemas.ts';

/** Asks the endorsers to endorse the latest draft version by a deadline. One request is open at a time. */
export const requestEndorsement = defineCommand({
  name: 'RequestEndorsement',
  schema: z.strictObject({ draftVersion: z.number().int().positive(), deadline: Instant }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    requireLatestDraft(state, input.draftVersion);
    const open = state.endorsementRequest;
    if (open) {
      if (open.draftVersion === input.draftVersion && Date.parse(open.deadline) === Date.parse(input.deadline)) return [];
      throw new DomainError('ENDORSEMENT_REQUEST_OPEN', `a request for version ${open.draftVersion} is open; extend or cancel it`, { draftVersion: open.draftVersion });
    }
    if (!isAfter(input.deadline, ctx.now)) throw new DomainError('DEADLINE_IN_PAST');
    return [event('EndorsementRequested', input)];
  },
});
