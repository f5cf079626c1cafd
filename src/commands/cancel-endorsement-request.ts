import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole } from '../domain/rules.ts';
import { Reason } from '../domain/schemas.ts';

/** Cancels the open request for a version; when none is open for it, there is nothing to do. */
export const cancelEndorsementRequest = defineCommand({
  name: 'CancelEndorsementRequest',
  schema: z.strictObject({ draftVersion: z.number().int().positive(), reason: Reason.default('cancelled by the coordinator') }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    if (!state.drafts.has(input.draftVersion)) throw new DomainError('DRAFT_NOT_FOUND', `no draft version ${input.draftVersion}`);
    if (state.endorsementRequest?.draftVersion !== input.draftVersion) return [];
    return [event('EndorsementRequestCancelled', input)];
  },
});
