import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { idFor } from '../domain/ids.ts';
import {
  commentDeadlineFor, isAfter, requireContact, requireDraft, requireLatestDraft, requireMadeInCommentPeriod, requireParticipant,
} from '../domain/rules.ts';
import { Channel, CommentText, COMMENT_MAX_LENGTH, Id, Instant, MultiLine, RECORDED_CHANNELS, SectionKey } from '../domain/schemas.ts';

/**
 * A comment on a draft version, on one section or (sectionKey omitted or null) on the whole draft.
 * A stakeholder's own comment (api, link, e-mail) is on the latest draft and counts at the time it is
 * handled. One the coordinator records from a meeting or a letter carries `madeAt` and names the
 * version it was made on (an earlier one too): it is judged by that version's comment period
 * (requireMadeInCommentPeriod), not by when it is recorded.
 */
export const submitComment = defineCommand({
  name: 'SubmitComment',
  schema: z.strictObject({
    stakeholderId: Id,
    contactId: Id.optional().describe('the contact person who wrote it (one of the stakeholder\'s contacts now); omitted: the organisation as a whole'),
    draftVersion: z.number().int().positive(),
    sectionKey: SectionKey.nullable().optional(),
    text: CommentText,
    proposedText: MultiLine(COMMENT_MAX_LENGTH).optional(),
    channel: Channel.default('api'),
    madeAt: Instant.optional(),
  }).refine((c) => c.madeAt === undefined || RECORDED_CHANNELS.includes(c.channel), {
    path: ['madeAt'],
    message: `madeAt is only for a comment recorded from a ${RECORDED_CHANNELS.join(' or ')}; a comment on channel api, link or email counts when it arrives`,
  }),
  decide(state, input, ctx) {
    const x = requireParticipant(state, ctx.actor, input.stakeholderId);
    if (input.contactId !== undefined) requireContact(x, input.contactId);
    const recorded = RECORDED_CHANNELS.includes(input.channel);
    let madeAt = ctx.now;
    if (recorded) {
      // otherwise a stakeholder could backdate its own comment past the deadline
      if (ctx.actor.role !== 'coordinator') throw new DomainError('RECORDED_CHANNEL_COORDINATOR_ONLY');
      if (!input.madeAt) throw new DomainError('MADE_AT_REQUIRED');
      if (isAfter(input.madeAt, ctx.now)) throw new DomainError('MADE_AT_IN_FUTURE');
      madeAt = input.madeAt;
    }
    const draft = recorded ? requireDraft(state, input.draftVersion) : requireLatestDraft(state, input.draftVersion);
    const sectionKey = input.sectionKey ?? null;
    if (sectionKey !== null && !draft.sectionKeys.includes(sectionKey)) {
      throw new DomainError('SECTION_NOT_FOUND', `draft version ${draft.version} has no section "${sectionKey}"`);
    }
    if (recorded) requireMadeInCommentPeriod(draft, x, madeAt);
    else {
      const deadline = commentDeadlineFor(state, x);
      if (isAfter(madeAt, deadline)) {
        throw new DomainError('COMMENT_DEADLINE_PASSED', `the comment deadline was ${deadline}`, { deadline });
      }
    }
    return [event('CommentSubmitted', {
      commentId: idFor(ctx.commandId, 'comment'),
      stakeholderId: x.id,
      ...(input.contactId !== undefined ? { contactId: input.contactId } : {}),
      draftVersion: draft.version,
      sectionKey,
      text: input.text,
      ...(input.proposedText ? { proposedText: input.proposedText } : {}),
      channel: input.channel,
      madeAt,
    })];
  },
});
