// Replies by e-mail held for the coordinator (InboundReplyHeld), with what was decided of each
// (InboundReplyAccepted, InboundReplyDiscarded); and the attachments this consultation's comments
// and held replies reference, for the download route.
//
// Documents:
// - the head (per consultation): the counts by status, the sequence number of the last held reply,
//   small whatever the number of stakeholders;
// - "organisations": one document per stakeholder, its organisation (OrganisationLabels), to label
//   held replies when read;
// - "held": one document per held reply ("<consultation>/<held id>", ordered by when it was held)
//   holding the mail as kept (sender, subject, blocks, attachments, the authentication verdict),
//   every reason it was held and the decision; the sender address is personal data: only
//   coordinators read this view;
// - "attachments": one document per file referenced ("<consultation>/<sha256>"), the first
//   reference's filename and content type, so a download is allowed only for what this
//   consultation references.
// Holding or deciding one reply reads and writes that reply's document and the head.
import { z } from 'zod';
import type { DomainEvent, EventOf } from '../domain/events.ts';
import { StoredAttachment, StoredHeldReason, StoredReplyBlock } from '../domain/events.ts';
import {
  collection, docKey, labelOrganisation, OrganisationLabels, perConsultation, readable, readOrganisations, type DocReader, type Docs, type EventContext,
} from './projection.ts';
import { ERASED } from '../domain/erased.ts';

export const HeldReplyStatus = z.enum(['pending', 'accepted', 'discarded']);
export type HeldReplyStatus = z.infer<typeof HeldReplyStatus>;

export const Attachment = StoredAttachment.describe('a file that came with the mail: GET /consultations/:id/attachments/:sha256 downloads it');

const DecidedBy = z.object({ role: z.string(), id: z.string() }).nullable();

export const HeldReplyDecision = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending') }),
  z.object({
    status: z.literal('accepted'),
    decidedAt: z.string(),
    decidedBy: DecidedBy,
    sectionKey: z.string().nullable().optional().describe('the section the coordinator named for the whole reply (null: the whole draft); absent: each block as it named its section'),
    commentIds: z.array(z.string()).describe('the comments it became (see the comment matrix)'),
  }),
  z.object({ status: z.literal('discarded'), decidedAt: z.string(), decidedBy: DecidedBy, reason: z.string() }),
]);
export type HeldReplyDecision = z.infer<typeof HeldReplyDecision>;

export const HeldReply = z.object({
  heldId: z.string(),
  stakeholderId: z.string(),
  /** null when the stakeholder is not known to this view */
  organisation: z.string().nullable(),
  contactId: z.string().describe('the contact person the reply address names'),
  messageId: z.string(),
  from: z.string().describe('the sender as received (personal data)'),
  subject: z.string().nullable(),
  receivedAt: z.string().describe('when the mail was received: an accepted reply\'s comments are made then'),
  heldAt: z.string().describe('when it was recorded as held'),
  draftVersion: z.number().int().nullable().describe('the draft current when it was received (null: none yet)'),
  reasons: z.array(StoredHeldReason.extend({
    code: z.string().describe('SENDER_NOT_ALLOWED, CONTACT_UNKNOWN, AFTER_DEADLINE, OLDER_DRAFT, NO_DRAFT, UNKNOWN_SECTION, EMPTY, TOO_LONG, CONSULTATION_CLOSED or STAKEHOLDER_INACTIVE'),
  })).describe('every reason it was held; `block` (0-based) names the block a reason is about'),
  blocks: z.array(StoredReplyBlock).describe('the text of the mail, per "Section …" block (section null: before any, the whole draft); `truncated`: cut when kept'),
  attachments: z.array(Attachment),
  authentication: z.object({ authservId: z.string(), verdict: z.string() }).nullable()
    .describe('the Authentication-Results verdict of the receiving system (INBOUND_AUTHSERV_ID); null: none'),
  status: HeldReplyStatus,
  decision: HeldReplyDecision.describe('what the coordinator decided: `{ status: "pending" }` until then'),
});
export type HeldReply = z.infer<typeof HeldReply>;

export const HeldReplyCounts = z.object({ pending: z.number().int(), accepted: z.number().int(), discarded: z.number().int() });

export const HeldRepliesView = z.object({
  consultationId: z.string(),
  heldReplies: z.array(HeldReply).describe('in the order they were held'),
  counts: HeldReplyCounts,
});
export type HeldRepliesView = z.infer<typeof HeldRepliesView>;

/** A held reply's own facts, as stored: without the organisation (labelled when read). */
const HeldFacts = HeldReply.omit({ organisation: true });
type HeldFacts = z.infer<typeof HeldFacts>;

// strict: an older version's head that still held the organisations is not served as this one's
// (without labels) while this version builds: VIEWS_REBUILDING instead
const HeldHead = z.strictObject({
  counts: HeldReplyCounts,
  lastSequence: z.number().int(),
});
type HeldHead = z.infer<typeof HeldHead>;

const Held = collection('held', HeldFacts);
const NAME = 'held-replies';
const Attachments = collection('attachments', StoredAttachment);

export const heldReplies = perConsultation<HeldHead, HeldRepliesView>({
  name: NAME,
  version: 2,
  head: HeldHead,
  collections: [Held, Attachments, OrganisationLabels],
  open: () => ({ counts: { pending: 0, accepted: 0, discarded: 0 }, lastSequence: 0 }),
  apply: applyEvent,
}, async (head, reader, consultationId) => {
  const label = labeller(await readOrganisations(reader, consultationId, NAME));
  const held = (await reader.list(Held, `${consultationId}/`)).map((d) => label(readable(reader, Held, d, NAME)!));
  return { consultationId, heldReplies: held, counts: { ...head.counts } };
});

/** The held replies with this status (all without one), with the counts of every status. */
export function filterHeldReplies(view: HeldRepliesView, status?: HeldReplyStatus): HeldRepliesView {
  return status === undefined ? view : { ...view, heldReplies: view.heldReplies.filter((h) => h.status === status) };
}

/**
 * An attachment this consultation's comments or held replies reference (the first reference's
 * filename and type), or null: not one of this consultation's (or the view does not know it).
 */
export async function readAttachment(reader: DocReader, consultationId: string, sha256: string): Promise<z.infer<typeof StoredAttachment> | null> {
  return readable(reader, Attachments, await reader.get(Attachments, docKey(consultationId, sha256)), NAME);
}

function labeller(names: ReadonlyMap<string, string>): (h: HeldFacts) => HeldReply {
  return (h) => ({ ...h, organisation: names.get(h.stakeholderId) ?? null });
}

async function referenceAttachments(docs: Docs, consultationId: string, attachments: readonly z.infer<typeof StoredAttachment>[] | undefined): Promise<void> {
  for (const a of attachments ?? []) {
    const key = docKey(consultationId, a.sha256);
    if (!await docs.get(Attachments, key)) docs.put(Attachments, key, { sha256: a.sha256, filename: a.filename, contentType: a.contentType, size: a.size });
  }
}

async function decide(
  head: HeldHead, docs: Docs, at: EventContext, heldId: string, decision: HeldReplyDecision,
): Promise<void> {
  const key = docKey(at.consultationId, heldId);
  const h = await docs.get(Held, key);
  if (!h || h.status !== 'pending' || decision.status === 'pending') return; // decided once: the first decision stands
  h.status = decision.status;
  h.decision = decision;
  head.counts.pending--;
  head.counts[decision.status]++;
  docs.put(Held, key, h);
}

function heldFacts(e: EventOf<'InboundReplyHeld'>['data'], at: EventContext): HeldFacts {
  return {
    heldId: e.heldId, stakeholderId: e.stakeholderId, contactId: e.contactId, messageId: e.messageId, from: e.from, subject: e.subject ?? null,
    receivedAt: e.receivedAt, heldAt: at.recordedAt, draftVersion: e.draftVersion, reasons: e.reasons, blocks: e.blocks, attachments: e.attachments,
    authentication: e.authentication ?? null, status: 'pending', decision: { status: 'pending' },
  };
}

async function applyEvent(head: HeldHead, e: DomainEvent, at: EventContext, docs: Docs): Promise<void> {
  switch (e.type) {
    case 'StakeholderInvited':
    case 'StakeholderDetailsChanged':
      return labelOrganisation(docs, at.consultationId, e);
    case 'InboundReplyHeld': {
      const key = docKey(at.consultationId, e.data.heldId);
      if (await docs.get(Held, key)) return;
      head.lastSequence++;
      head.counts.pending++;
      docs.put(Held, key, heldFacts(e.data, at), head.lastSequence);
      await referenceAttachments(docs, at.consultationId, e.data.attachments);
      return;
    }
    case 'InboundReplyAccepted':
      return decide(head, docs, at, e.data.heldId, {
        status: 'accepted', decidedAt: at.recordedAt, decidedBy: at.actor,
        ...(e.data.sectionKey !== undefined ? { sectionKey: e.data.sectionKey } : {}), commentIds: e.data.commentIds,
      });
    case 'InboundReplyDiscarded':
      return decide(head, docs, at, e.data.heldId, { status: 'discarded', decidedAt: at.recordedAt, decidedBy: at.actor, reason: e.data.reason });
    case 'CommentSubmitted':
      return referenceAttachments(docs, at.consultationId, e.data.attachments);
    case 'PersonalDataErased':
      for (const heldId of e.data.heldReplies) {
        const key = docKey(at.consultationId, heldId);
        const h = await docs.get(Held, key);
        if (h) docs.put(Held, key, { ...h, from: ERASED });
      }
      return;
    default:
      return;
  }
}
