import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { commentDeadlineFor, COORDINATOR_ONLY, endorsementDeadlineFor, isAfter, latestDraft, requireOpen, requireRole, requireStakeholder } from '../domain/rules.ts';
import { Id, Instant, Phase, Reason } from '../domain/schemas.ts';

/**
 * Moves the comment or endorsement deadline later, for everyone or for one stakeholder (the
 * endorsement deadline only for an endorser: NOT_AN_ENDORSER otherwise).
 */
export const extendDeadline = defineCommand({
  name: 'ExtendDeadline',
  schema: z.strictObject({ phase: Phase, deadline: Instant, reason: Reason, stakeholderId: Id.optional() }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const x = input.stakeholderId === undefined ? undefined : requireStakeholder(state, input.stakeholderId);
    let draftVersion: number;
    let current: string;
    if (input.phase === 'comments') {
      draftVersion = latestDraft(state).version;
      current = commentDeadlineFor(state, x);
    } else {
      if (x && !x.endorser) throw new DomainError('NOT_AN_ENDORSER', `${x.organisation} was not invited as an endorser: it has no endorsement deadline`);
      current = endorsementDeadlineFor(state, x);
      draftVersion = state.endorsementRequest!.draftVersion;
    }
    if (!isAfter(input.deadline, current)) {
      throw new DomainError('DEADLINE_NOT_LATER', `the new deadline must be after ${current}`, { currentDeadline: current });
    }
    return [event('DeadlineExtended', {
      phase: input.phase,
      draftVersion,
      deadline: input.deadline,
      previousDeadline: current,
      reason: input.reason,
      ...(x ? { stakeholderId: x.id } : {}),
    })];
  },
});
