import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event, type DomainEvent } from '../domain/events.ts';
import { COORDINATOR_ONLY, isAfter, requireOpen, requireRole } from '../domain/rules.ts';
import { Instant, MultiLine, Section } from '../domain/schemas.ts';

/** Publishes the next numbered draft. An open endorsement request is cancelled: only a new request asks again. */
export const publishDraft = defineCommand({
  name: 'PublishDraft',
  schema: z.strictObject({
    sections: z.array(Section).min(1).max(500),
    commentDeadline: Instant,
    note: MultiLine(2_000).optional(),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const keys = new Set<string>();
    for (const s of input.sections) {
      if (keys.has(s.key)) throw new DomainError('DUPLICATE_SECTION_KEY', `section key "${s.key}" appears twice`);
      keys.add(s.key);
    }
    if (!isAfter(input.commentDeadline, ctx.now)) throw new DomainError('DEADLINE_IN_PAST');
    const version = state.latestVersion + 1;
    const events: DomainEvent[] = [event('DraftPublished', { version, ...input })];
    if (state.endorsementRequest) {
      events.push(event('EndorsementRequestCancelled', { draftVersion: state.endorsementRequest.draftVersion, reason: 'superseded' }));
    }
    return events;
  },
});
