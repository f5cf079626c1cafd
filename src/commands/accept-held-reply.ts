import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event, type DomainEvent } from '../domain/events.ts';
import { idFor } from '../domain/ids.ts';
import { requireHeldReply, resolveSection } from '../domain/replies.ts';
import { COORDINATOR_ONLY, latestDraft, requireOpen, requireRole, requireStakeholder } from '../domain/rules.ts';
import { COMMENT_MAX_LENGTH, Id, SectionKey } from '../domain/schemas.ts';

/**
 * The coordinator lets a held reply by e-mail count: its comments on the current draft (channel
 * email, made when it was received, with its attachments and the reasons it was held), past the
 * deadline too, because the coordinator decided it. `sectionKey` names one section (null: the
 * whole draft) for the whole reply, its blocks' texts joined; omitted, each block becomes a comment
 * on the section it names where that resolves, else on the whole draft. Accepting again the same
 * way is a no-op; a held reply decided already cannot be decided otherwise (HELD_REPLY_DECIDED).
 */
export const acceptHeldReply = defineCommand({
  name: 'AcceptHeldReply',
  schema: z.strictObject({
    heldId: Id,
    sectionKey: SectionKey.nullable().optional()
      .describe('the section of the current draft the whole reply is about (null: the whole draft); omitted: each block as it names its section'),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const h = requireHeldReply(state, input.heldId);
    if (h.status === 'accepted' && h.acceptedSection === input.sectionKey) return [];
    if (h.status !== 'pending') {
      throw new DomainError('HELD_REPLY_DECIDED', `the held reply was ${h.status} already`, { heldId: h.id, status: h.status });
    }
    const x = requireStakeholder(state, h.stakeholderId);
    const draft = latestDraft(state);
    if (input.sectionKey != null && !draft.sectionKeys.includes(input.sectionKey)) {
      throw new DomainError('SECTION_NOT_FOUND', `draft version ${draft.version} has no section "${input.sectionKey}"`);
    }
    if (h.blocks.some((b) => b.truncated)) {
      throw new DomainError('HELD_REPLY_TEXT_INVALID', 'the reply was too long to be kept whole', { heldId: h.id });
    }
    const blocks = h.blocks.filter((b) => b.text !== '');
    const comments: { sectionKey: string | null; text: string }[] = input.sectionKey !== undefined
      ? [{ sectionKey: input.sectionKey, text: blocks.map((b) => b.text).join('\n\n') }]
      : blocks.map((b) => ({ sectionKey: resolveSection(draft, b.section) ?? null, text: b.text }));
    if (comments.length === 0 || comments.every((c) => c.text === '')) {
      if (h.attachments.length === 0) throw new DomainError('HELD_REPLY_TEXT_INVALID', 'the reply has no text and no attachment', { heldId: h.id });
      comments.splice(0, comments.length, { sectionKey: input.sectionKey ?? null, text: '' });
    }
    const tooLong = comments.find((c) => c.text.length > COMMENT_MAX_LENGTH);
    if (tooLong) {
      throw new DomainError('HELD_REPLY_TEXT_INVALID', `a comment would have ${tooLong.text.length} characters; at most ${COMMENT_MAX_LENGTH}`, { heldId: h.id });
    }
    // the contact its reply address named, while it is still one of the stakeholder's
    const contactId = x.contacts.some((c) => c.contactId === h.contactId) ? { contactId: h.contactId } : {};
    const ids = comments.map((_, i) => idFor(ctx.commandId, `comment-${i}`));
    const events: DomainEvent[] = [event('InboundReplyAccepted', {
      heldId: h.id, ...(input.sectionKey !== undefined ? { sectionKey: input.sectionKey } : {}), commentIds: ids,
    })];
    comments.forEach((c, i) => events.push(event('CommentSubmitted', {
      commentId: ids[i]!,
      stakeholderId: x.id,
      ...contactId,
      draftVersion: draft.version,
      sectionKey: c.sectionKey,
      text: c.text,
      channel: 'email',
      madeAt: h.receivedAt,
      ...(h.attachments.length > 0 ? { attachments: h.attachments.map((a) => ({ ...a })) } : {}),
      heldReplyId: h.id,
      heldReason: [...h.reasons],
    })));
    return events;
  },
});
