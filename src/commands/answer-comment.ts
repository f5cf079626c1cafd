import { z } from 'zod';
import { defineCommand } from './command.ts';
import { requireLiveComment } from './comment-guards.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole } from '../domain/rules.ts';
import { Disposition } from '../domain/schemas.ts';

/** The reasoned response to a comment. Answering again revises the answer; the same answer again is a no-op. */
export const answerComment = defineCommand({
  name: 'AnswerComment',
  schema: z.object({
    commentId: z.string().min(1),
    disposition: Disposition,
    response: z.string().trim().min(1, 'must not be empty').max(10_000),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const c = requireLiveComment(state, input.commentId);
    if (c.answer?.disposition === input.disposition && c.answer.response === input.response) return [];
    return [event('CommentAnswered', input)];
  },
});
