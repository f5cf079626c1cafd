import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event, type EventOf } from '../domain/events.ts';
import { idFor } from '../domain/ids.ts';
import {
  HELD_BLOCK_MAX_CHARS, HELD_TEXT_MAX_CHARS, answeredVersion, mailLine, mailText, resolveSection, senderAllowed,
} from '../domain/replies.ts';
import { commentDeadlineFor, isAfter, requireExists, requireRole, requireStakeholder } from '../domain/rules.ts';
import { AttachmentRef, COMMENT_MAX_LENGTH, Id, Instant, type HeldReasonCode } from '../domain/schemas.ts';

export { emailReplyCommandId } from '../domain/ids.ts';

export const ReplyBlock = z.strictObject({
  section: z.string().max(200).nullable()
    .describe('as written after "Section"/"Secțiunea"/"Artikel" ("3", "s2"): a section key of the current draft first, then a 1-based position; null: the whole draft'),
  text: z.string().describe('not length-limited here: an empty or over-long block makes the reply held, never refused'),
});

export const ReplyAuthentication = z.strictObject({ authservId: z.string().max(255), verdict: z.string().max(2000) });

type HeldReason = EventOf<'InboundReplyHeld'>['data']['reasons'][number];

/**
 * A reply by e-mail, as the inbound listener or webhook parsed it (system actor only; its command
 * id is emailReplyCommandId(messageId), so a mail delivered twice records once). When it counts it
 * becomes one comment per block on the current draft (channel email, made when it was received, by
 * the contact its reply address names, with the mail's attachments). Otherwise it is held, never
 * dropped: ONE InboundReplyHeld with every reason, for the coordinator to accept or discard. It is
 * refused only for an unknown consultation or stakeholder, a wrong actor or a bad input shape.
 */
export const recordEmailReply = defineCommand({
  name: 'RecordEmailReply',
  schema: z.strictObject({
    stakeholderId: Id,
    contactId: Id.describe('the contact person the reply address names'),
    messageId: z.string().min(1).max(998).describe('the mail\'s Message-ID (a hash of the raw message when it has none)'),
    receivedAt: Instant.describe('when the listener or webhook received it: the deadline is judged at this time'),
    from: z.string().max(998).describe('the sender address as received (personal data)'),
    subject: z.string().max(998).optional(),
    references: z.array(z.string().max(998)).max(100).default([]).describe('the In-Reply-To and References Message-IDs'),
    blocks: z.array(ReplyBlock).max(100),
    attachments: z.array(AttachmentRef).max(20).default([]),
    authentication: ReplyAuthentication.optional().describe('only when from the receiving system named in INBOUND_AUTHSERV_ID'),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, ['system']);
    requireExists(state);
    const x = requireStakeholder(state, input.stakeholderId);
    const reasons: HeldReason[] = [];
    const hold = (code: HeldReasonCode, message: string, block?: number) => {
      reasons.push({ code, message, ...(block !== undefined ? { block } : {}) });
    };

    if (state.status === 'closed') hold('CONSULTATION_CLOSED', 'the consultation was closed');
    if (x.removed) hold('STAKEHOLDER_INACTIVE', `${x.organisation} was removed from the consultation`);
    else if (x.response === 'declined') hold('STAKEHOLDER_INACTIVE', `${x.organisation} declined the invitation`);
    const contact = x.contacts.find((c) => c.contactId === input.contactId);
    if (!contact) hold('CONTACT_UNKNOWN', `the reply address names a contact ${x.organisation} no longer has`);
    if (!senderAllowed(x, input.from)) {
      hold('SENDER_NOT_ALLOWED', `the sender is neither a contact address of ${x.organisation} nor in a domain listed for it`);
    }

    const draft = state.drafts.get(state.latestVersion);
    if (!draft) hold('NO_DRAFT', 'no draft has been published');
    else {
      const deadline = commentDeadlineFor(state, x);
      if (isAfter(input.receivedAt, deadline)) hold('AFTER_DEADLINE', `received at ${input.receivedAt}, after the comment deadline ${deadline}`);
      const answered = answeredVersion(state, input.references);
      if (answered !== null && answered < draft.version) {
        hold('OLDER_DRAFT', `it answers a message about draft version ${answered}; the current one is ${draft.version}`);
      } else if (answered === null && isAfter(draft.publishedAt, input.receivedAt)) {
        hold('OLDER_DRAFT', `received at ${input.receivedAt}, before draft version ${draft.version} was published`);
      }
    }

    const texts = input.blocks.map((b) => mailText(b.text));
    const sections = input.blocks.map((b, i) => {
      const key = draft ? resolveSection(draft, b.section) : null;
      if (draft && key === undefined) hold('UNKNOWN_SECTION', `draft version ${draft.version} has no section "${mailLine(b.section ?? '')}"`, i);
      return key ?? null;
    });
    texts.forEach((t, i) => {
      if (t === '') hold('EMPTY', 'the block has no text', i);
      else if (t.length > COMMENT_MAX_LENGTH) hold('TOO_LONG', `the block has ${t.length} characters; a comment has at most ${COMMENT_MAX_LENGTH}`, i);
    });
    if (input.blocks.length === 0 && input.attachments.length === 0) hold('EMPTY', 'the reply has no new text above the quoted message and no attachment');

    if (reasons.length > 0 || !draft || !contact) {
      return [event('InboundReplyHeld', {
        heldId: idFor(ctx.commandId, 'held-reply'),
        stakeholderId: x.id,
        contactId: input.contactId,
        messageId: mailLine(input.messageId),
        draftVersion: draft?.version ?? null,
        from: mailLine(input.from),
        ...(input.subject !== undefined ? { subject: mailLine(input.subject) } : {}),
        receivedAt: input.receivedAt,
        blocks: keptBlocks(input.blocks.map((b, i) => ({ section: b.section === null ? null : mailLine(b.section), text: texts[i]! }))),
        attachments: input.attachments,
        ...(input.authentication ? { authentication: { authservId: mailLine(input.authentication.authservId), verdict: mailLine(input.authentication.verdict) } } : {}),
        reasons,
      })];
    }

    const attachments = input.attachments.length > 0 ? { attachments: input.attachments } : {};
    // attachments only (nothing new above the quote): one comment on the whole draft that carries them
    const comments = input.blocks.length > 0 ? input.blocks.map((_, i) => ({ sectionKey: sections[i]!, text: texts[i]! })) : [{ sectionKey: null, text: '' }];
    return comments.map((c, i) => event('CommentSubmitted', {
      commentId: idFor(ctx.commandId, `comment-${i}`),
      stakeholderId: x.id,
      contactId: contact.contactId,
      draftVersion: draft.version,
      sectionKey: c.sectionKey,
      text: c.text,
      channel: 'email',
      madeAt: input.receivedAt,
      ...attachments,
    }));
  },
});

/** The blocks as a held reply stores them: each cut at HELD_BLOCK_MAX_CHARS, all together at HELD_TEXT_MAX_CHARS (marked truncated). */
function keptBlocks(blocks: { section: string | null; text: string }[]): { section: string | null; text: string; truncated?: boolean }[] {
  let budget = HELD_TEXT_MAX_CHARS;
  return blocks.map((b) => {
    const keep = Math.max(0, Math.min(HELD_BLOCK_MAX_CHARS, budget));
    budget -= Math.min(keep, b.text.length);
    if (b.text.length <= keep) return b;
    // never cut a surrogate pair in two
    const cut = /[\uD800-\uDBFF]/.test(b.text.charAt(keep - 1)) ? keep - 1 : keep;
    return { section: b.section, text: b.text.slice(0, cut), truncated: true };
  });
}
