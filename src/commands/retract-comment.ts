import { z } from 'zod';
import { defineCommand } from './command.ts';
import { requireLiveComment } from './comment-guards.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole } from '../domain/rules.ts';
import { Id, Reason } from '../domain/schemas.ts';

/** The coordinator withdraws a comment, e.g. one entered on the wrong stakeholder; it stays in the history. */
export const retractComment = defineCommand({
  name: 'RetractComment',
  schema: z.strictObject({ commentId: Id, reason: Reason }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    requireLiveComment(state, input.commentId);
    return [event('CommentRetracted', input)];
  },
});
