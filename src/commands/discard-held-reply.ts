import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { requireHeldReply } from '../domain/replies.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole } from '../domain/rules.ts';
import { Id, Reason } from '../domain/schemas.ts';

/**
 * The coordinator decides a held reply by e-mail does not count (spam, a duplicate, not the
 * organisation's), with a reason. Discarding again is a no-op (the first reason stands); an
 * accepted one cannot be discarded (HELD_REPLY_DECIDED).
 */
export const discardHeldReply = defineCommand({
  name: 'DiscardHeldReply',
  schema: z.strictObject({ heldId: Id, reason: Reason }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const h = requireHeldReply(state, input.heldId);
    if (h.status === 'discarded') return [];
    if (h.status === 'accepted') throw new DomainError('HELD_REPLY_DECIDED', 'the held reply was accepted already', { heldId: h.id, status: h.status });
    return [event('InboundReplyDiscarded', { heldId: h.id, reason: input.reason })];
  },
});
