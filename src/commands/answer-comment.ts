import { z } from 'zod';
import { defineCommand } from './command.ts';
import { requireLiveComment } from './comment-guards.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole } from '../domain/rules.ts';
import { Disposition, Id, MultiLine } from '../domain/schemas.ts';

/** The reasoned response to a comment. Answering again revises the answer; the same answer again is a no-op. */
export const answerComment = defineCommand({
  name: 'AnswerComment',
  schema: z.strictObject({
    commentId: Id,
    disposition: Disposition,
    response: MultiLine(10_000),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const c = requireLiveComment(state, input.commentId);
    if (c.answer?.disposition === input.disposition && c.answer.response === input.response) return [];
    return [event('CommentAnswered', input)];
  },
});
