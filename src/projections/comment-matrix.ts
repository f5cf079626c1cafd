// The comment-resolution matrix of a consultation: every comment with its reference (C-1, C-2, …),
// where it points, who made it, and how it was answered (the latest answer, with the earlier ones;
// each with who answered and when), or that it was retracted.
//
// Documents:
// - the head (per consultation): the counts, kept as comments come and change; the sequence number
//   of the last comment; the section headings of each draft version, to label comments when read
//   (a few versions: small, whatever the number of comments or stakeholders);
// - "organisations": one document per stakeholder, its organisation (OrganisationLabels), to label
//   comments when read;
// - one document per comment ("<consultation>/<comment id>", ordered by its sequence number, so a
//   listing comes back in submission order, and is read a page at a time) holding the comment's own
//   facts, its reference among them (commentRef of its sequence number, as the domain's state numbers it).
// Submitting a comment writes its document and the head; answering or retracting one reads and
// writes that one document and the head. Nothing scans or copies the consultation's comments.
//
// Derived fields are computed when read: a row's status (from its answer and retraction), its
// section heading (from the head) and its organisation (from "organisations").
//
// The view's shape is its zod schema (CommentMatrixView); the routes serve its rows with CommentRow.
import { z } from 'zod';
import { StoredAttachment, type DomainEvent } from '../domain/events.ts';
import { commentRef } from '../domain/rules.ts';
import { Channel, Disposition } from '../domain/schemas.ts';
import { pageFrom, pageOf, type Page, type PageRequest } from './paging.ts';
import {
  collection, docKey, labelOrganisation, OrganisationLabels, perConsultation, readable, readOrganisation, readOrganisations, type DocReader, type Docs,
  type EventContext,
} from './projection.ts';

/** A retracted comment is `retracted` whether or not it had been answered. */
export const CommentStatus = z.enum(['awaiting-answer', 'answered', 'retracted']);
export type CommentStatus = z.infer<typeof CommentStatus>;

/** Who answered: the actor of the command (event metadata); null when the metadata names none. */
export const AnsweredBy = z.object({ role: z.string(), id: z.string() }).nullable();
export type AnsweredBy = z.infer<typeof AnsweredBy>;

export const Answer = z.object({ disposition: Disposition, response: z.string(), answeredAt: z.string(), answeredBy: AnsweredBy });
export type Answer = z.infer<typeof Answer>;

export const CommentRow = z.object({
  commentId: z.string(),
  ref: z.string().describe('the reference people quote: C-1, C-2, … in the order submitted on this consultation'),
  draftVersion: z.number().int(),
  sectionKey: z.string().nullable().describe('null: the comment is on the whole draft'),
  /** the section's heading in that draft version; null for the whole draft (or a key the version lacks) */
  sectionHeading: z.string().nullable(),
  stakeholderId: z.string(),
  contactId: z.string().nullable().describe('the contact person who wrote it (personal link or reply address); null: the organisation as a whole'),
  /** null when the stakeholder is not known to this view */
  organisation: z.string().nullable(),
  text: z.string(),
  proposedText: z.string().nullable(),
  channel: Channel,
  madeAt: z.string().describe('when it was made; for a meeting or letter, earlier than it was recorded'),
  submittedAt: z.string().describe('when it was recorded'),
  status: CommentStatus,
  disposition: Disposition.nullable().describe('of the latest answer'),
  response: z.string().nullable(),
  answeredAt: z.string().nullable().describe('when the latest answer was recorded'),
  answeredBy: AnsweredBy.describe('who gave the latest answer (the actor: role and id); null when unanswered'),
  earlierAnswers: z.array(Answer).describe('answers the latest one revised, oldest first'),
  retraction: z.object({ reason: z.string(), retractedAt: z.string() }).nullable(),
  attachments: z.array(StoredAttachment.describe('a file that came with it (a reply by e-mail): GET /consultations/:id/attachments/:sha256 downloads it'))
    .describe('files that came with it, by content hash, filename, type and size ([] for most comments)'),
  heldReplyId: z.string().nullable().describe('the held reply by e-mail a coordinator accepted as this comment; null otherwise'),
  heldReason: z.array(z.string()).nullable().describe('the reasons that reply was held (SENDER_NOT_ALLOWED, AFTER_DEADLINE, …); null otherwise'),
});
export type CommentRow = z.infer<typeof CommentRow>;

/** Retracted comments are not counted in `total`, `answered` or `awaitingAnswer`; `retracted` says how many there are. */
export const MatrixCounts = z.object({
  total: z.number().int(),
  answered: z.number().int(),
  awaitingAnswer: z.number().int(),
  retracted: z.number().int(),
});
export type MatrixCounts = z.infer<typeof MatrixCounts>;

export const CommentMatrixView = z.object({
  consultationId: z.string(),
  comments: z.array(CommentRow).describe('in submission order'),
  counts: MatrixCounts,
});
export type CommentMatrixView = z.infer<typeof CommentMatrixView>;

/** A comment's own facts, as stored: a row without what is derived when read (status, heading, organisation). */
const CommentFacts = CommentRow.omit({ sectionHeading: true, organisation: true, status: true });
type CommentFacts = z.infer<typeof CommentFacts>;

// strict: an older version's head that still held the organisations is not served as this one's
// (without labels) while this version builds: VIEWS_REBUILDING instead
const MatrixHead = z.strictObject({
  counts: MatrixCounts,
  /** the sequence number of the last comment submitted (a comment document's order) */
  lastSequence: z.number().int(),
  /** section headings per draft version, to label comments */
  drafts: z.array(z.object({ version: z.number().int(), sections: z.array(z.object({ key: z.string(), heading: z.string() })) })),
});
type MatrixHead = z.infer<typeof MatrixHead>;

const Comments = collection('comments', CommentFacts);

export const commentMatrix = perConsultation<MatrixHead, CommentMatrixView>({
  name: 'comment-matrix',
  version: 7,
  head: MatrixHead,
  collections: [Comments, OrganisationLabels],
  open: () => ({ counts: countComments([]), lastSequence: 0, drafts: [] }),
  apply: applyEvent,
}, async (head, reader, consultationId) => {
  const label = servedBy(reader, head, await readOrganisations(reader, consultationId, commentMatrix.name));
  const comments = (await reader.list(Comments, `${consultationId}/`)).map(label);
  return { consultationId, comments, counts: { ...head.counts } };
});

/**
 * One comment's row, reading only its document and the consultation's head. null: the view does
 * not know the consultation; `comment` null: the consultation has no such comment.
 */
export async function readComment(
  reader: DocReader, consultationId: string, commentId: string,
): Promise<{ comment: CommentRow | null; lastRevision: number; stale: boolean } | null> {
  const head = await commentMatrix.head(reader, consultationId);
  if (!head) return null;
  const facts = readable(reader, Comments, await reader.get(Comments, docKey(consultationId, commentId)), commentMatrix.name);
  if (!facts) return { comment: null, lastRevision: head.lastRevision, stale: reader.stale };
  const organisation = await readOrganisation(reader, consultationId, facts.stakeholderId, commentMatrix.name);
  const organisations = new Map(organisation === null ? [] : [[facts.stakeholderId, organisation]]);
  return { comment: labeller(head.view, organisations)(facts), lastRevision: head.lastRevision, stale: reader.stale };
}

export interface MatrixFilter {
  version?: number;
  /** a section key, or null for comments on the whole draft */
  sectionKey?: string | null;
  stakeholderId?: string;
  status?: CommentStatus;
}

/** The comments matching every given criterion, in submission order, with their counts (without criteria: the view's own). */
export function filterMatrix(view: CommentMatrixView, filter: MatrixFilter): { comments: CommentRow[]; counts: MatrixCounts } {
  if (isUnfiltered(filter)) return { comments: view.comments, counts: view.counts };
  const comments = view.comments.filter(matching(filter));
  return { comments, counts: countComments(comments) };
}

function isUnfiltered(filter: MatrixFilter): boolean {
  return filter.version === undefined && filter.sectionKey === undefined && filter.stakeholderId === undefined && filter.status === undefined;
}

function matching(filter: MatrixFilter): (c: CommentRow) => boolean {
  return (c) => (filter.version === undefined || c.draftVersion === filter.version)
    && (filter.sectionKey === undefined || c.sectionKey === filter.sectionKey)
    && (filter.stakeholderId === undefined || c.stakeholderId === filter.stakeholderId)
    && (filter.status === undefined || c.status === filter.status);
}

/**
 * One page of the matrix: the comments matching the filter after `page.after`, in submission order,
 * with the counts of every matching comment (all pages). Unfiltered, it reads the page's documents
 * and the head's counts only; filtered, every comment document (the counts need them all).
 * null: the view does not know the consultation.
 */
export async function readMatrixPage(
  reader: DocReader, consultationId: string, filter: MatrixFilter, page: PageRequest,
): Promise<(Page<CommentRow> & { counts: MatrixCounts; lastRevision: number; stale: boolean }) | null> {
  const head = await commentMatrix.head(reader, consultationId);
  if (!head) return null;
  const label = servedBy(reader, head.view, await readOrganisations(reader, consultationId, commentMatrix.name));
  const prefix = `${consultationId}/`;
  const slot = { lastRevision: head.lastRevision, stale: reader.stale };
  if (isUnfiltered(filter)) return { ...(await pageOf(reader, Comments, prefix, page, label)), counts: { ...head.view.counts }, ...slot };
  const keep = matching(filter);
  const placed = (await reader.listPage(Comments, prefix))
    .map((d) => ({ place: { order: d.order, key: d.key }, row: label(d.doc) }))
    .filter((p) => keep(p.row));
  return { ...pageFrom(placed, page), counts: countComments(placed.map((p) => p.row)), ...slot };
}

export function countComments(comments: readonly Pick<CommentRow, 'status'>[]): MatrixCounts {
  const counts = { total: 0, answered: 0, awaitingAnswer: 0, retracted: 0 };
  for (const c of comments) counts[countKey(c.status)]++;
  counts.total = counts.answered + counts.awaitingAnswer;
  return counts;
}

/** A comment's status from its facts: a retraction wins over an answer. */
function statusOf(c: Pick<CommentFacts, 'retraction' | 'disposition'>): CommentStatus {
  if (c.retraction !== null) return 'retracted';
  return c.disposition !== null ? 'answered' : 'awaiting-answer';
}

function countKey(status: CommentStatus): 'answered' | 'awaitingAnswer' | 'retracted' {
  return status === 'awaiting-answer' ? 'awaitingAnswer' : status;
}

/** Moves one comment in the counts from one status to another (null: it is new). */
function move(counts: MatrixCounts, from: CommentStatus | null, to: CommentStatus): void {
  if (from === to) return;
  if (from !== null) counts[countKey(from)]--;
  counts[countKey(to)]++;
  counts.total = counts.answered + counts.awaitingAnswer;
}

async function applyEvent(head: MatrixHead, e: DomainEvent, at: EventContext, docs: Docs): Promise<void> {
  switch (e.type) {
    case 'DraftPublished':
      if (head.drafts.some((d) => d.version === e.data.version)) return;
      head.drafts.push({ version: e.data.version, sections: e.data.sections.map(({ key, heading }) => ({ key, heading })) });
      return;
    case 'StakeholderInvited':
    case 'StakeholderDetailsChanged':
      return labelOrganisation(docs, at.consultationId, e);
    case 'CommentSubmitted': {
      const c = e.data;
      const key = docKey(at.consultationId, c.commentId);
      if (await docs.get(Comments, key)) return;
      head.lastSequence++;
      const facts: CommentFacts = {
        commentId: c.commentId,
        ref: commentRef(head.lastSequence),
        draftVersion: c.draftVersion,
        sectionKey: c.sectionKey,
        stakeholderId: c.stakeholderId,
        contactId: c.contactId ?? null,
        text: c.text,
        proposedText: c.proposedText ?? null,
        channel: c.channel,
        madeAt: c.madeAt,
        submittedAt: at.recordedAt,
        disposition: null,
        response: null,
        answeredAt: null,
        answeredBy: null,
        earlierAnswers: [],
        retraction: null,
        attachments: c.attachments ?? [],
        heldReplyId: c.heldReplyId ?? null,
        heldReason: c.heldReason ?? null,
      };
      docs.put(Comments, key, facts, head.lastSequence);
      move(head.counts, null, statusOf(facts));
      return;
    }
    case 'CommentAnswered': {
      const key = docKey(at.consultationId, e.data.commentId);
      const c = await docs.get(Comments, key);
      if (!c) return;
      const before = statusOf(c);
      if (c.disposition !== null && c.response !== null && c.answeredAt !== null) {
        c.earlierAnswers.push({ disposition: c.disposition, response: c.response, answeredAt: c.answeredAt, answeredBy: c.answeredBy });
      }
      c.disposition = e.data.disposition;
      c.response = e.data.response;
      c.answeredAt = at.recordedAt;
      c.answeredBy = at.actor;
      docs.put(Comments, key, c);
      move(head.counts, before, statusOf(c));
      return;
    }
    case 'CommentRetracted': {
      const key = docKey(at.consultationId, e.data.commentId);
      const c = await docs.get(Comments, key);
      if (!c || c.retraction) return; // the first retraction stands
      const before = statusOf(c);
      c.retraction = { reason: e.data.reason, retractedAt: at.recordedAt };
      docs.put(Comments, key, c);
      move(head.counts, before, statusOf(c));
      return;
    }
    default:
      return;
  }
}

/** Rows as served from this reader: on a stale one (an older version's documents), a document this version cannot read is VIEWS_REBUILDING. */
function servedBy(reader: DocReader, head: MatrixHead, organisations: ReadonlyMap<string, string>): (c: CommentFacts) => CommentRow {
  const label = labeller(head, organisations);
  return (c) => label(readable(reader, Comments, c, commentMatrix.name)!);
}

/** Turns a comment's facts into its row, with the derived fields, labelled from the head and the organisations (by stakeholder id). */
function labeller(head: MatrixHead, organisations: ReadonlyMap<string, string>): (c: CommentFacts) => CommentRow {
  const headings = new Map<number, Map<string, string>>();
  for (const d of head.drafts) {
    const byKey = new Map<string, string>();
    for (const s of d.sections) if (!byKey.has(s.key)) byKey.set(s.key, s.heading); // the first of a key, as a lookup finds it
    headings.set(d.version, byKey);
  }
  return (c) => ({
    commentId: c.commentId,
    ref: c.ref,
    draftVersion: c.draftVersion,
    sectionKey: c.sectionKey,
    sectionHeading: c.sectionKey === null ? null : headings.get(c.draftVersion)?.get(c.sectionKey) ?? null,
    stakeholderId: c.stakeholderId,
    contactId: c.contactId,
    organisation: organisations.get(c.stakeholderId) ?? null,
    text: c.text,
    proposedText: c.proposedText,
    channel: c.channel,
    madeAt: c.madeAt,
    submittedAt: c.submittedAt,
    status: statusOf(c),
    disposition: c.disposition,
    response: c.response,
    answeredAt: c.answeredAt,
    answeredBy: c.answeredBy,
    earlierAnswers: c.earlierAnswers,
    retraction: c.retraction,
    attachments: c.attachments,
    heldReplyId: c.heldReplyId,
    heldReason: c.heldReason,
  });
}
