// The comment-resolution matrix of a consultation: every comment with where it points, who made it,
// and how it was answered (the latest answer, with the earlier ones), or that it was retracted.
//
// The view's shape is its zod schema (CommentMatrixView); the routes serve its rows with CommentRow.
import { z } from 'zod';
import type { DomainEvent } from '../domain/events.ts';
import { Channel, Disposition } from '../domain/schemas.ts';
import { perConsultation, replaceAt, type EventContext, type PerConsultationView, type Projection } from './projection.ts';

/** A retracted comment is `retracted` whether or not it had been answered. */
export const CommentStatus = z.enum(['awaiting-answer', 'answered', 'retracted']);
export type CommentStatus = z.infer<typeof CommentStatus>;

export const Answer = z.object({ disposition: Disposition, response: z.string(), answeredAt: z.string() });
export type Answer = z.infer<typeof Answer>;

export const CommentRow = z.object({
  commentId: z.string(),
  draftVersion: z.number().int(),
  sectionKey: z.string().nullable().describe('null: the comment is on the whole draft'),
  /** the section's heading in that draft version; null for the whole draft (or a key the version lacks) */
  sectionHeading: z.string().nullable(),
  stakeholderId: z.string(),
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
  answeredAt: z.string().nullable(),
  earlierAnswers: z.array(Answer).describe('answers the latest one revised, oldest first'),
  retraction: z.object({ reason: z.string(), retractedAt: z.string() }).nullable(),
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
  /** section headings per draft version, to label comments; not meant for display */
  drafts: z.array(z.object({ version: z.number(), sections: z.array(z.object({ key: z.string(), heading: z.string() })) })),
  /** organisations by stakeholder, to label comments; not meant for display */
  organisations: z.array(z.object({ stakeholderId: z.string(), organisation: z.string() })),
});
export type CommentMatrixView = z.infer<typeof CommentMatrixView>;

export type CommentMatrixProjectionView = PerConsultationView<CommentMatrixView>;

export const commentMatrix: Projection<CommentMatrixProjectionView> = perConsultation<CommentMatrixView>({
  name: 'comment-matrix',
  version: 1,
  open(e) {
    return { consultationId: e.data.consultationId, comments: [], counts: countComments([]), drafts: [], organisations: [] };
  },
  apply: applyEvent,
});

export interface MatrixFilter {
  version?: number;
  /** a section key, or null for comments on the whole draft */
  sectionKey?: string | null;
  stakeholderId?: string;
  status?: CommentStatus;
}

/** The comments matching every given criterion, in submission order, with their counts. */
export function filterMatrix(view: CommentMatrixView, filter: MatrixFilter): { comments: CommentRow[]; counts: MatrixCounts } {
  const comments = view.comments.filter((c) =>
    (filter.version === undefined || c.draftVersion === filter.version)
    && (filter.sectionKey === undefined || c.sectionKey === filter.sectionKey)
    && (filter.stakeholderId === undefined || c.stakeholderId === filter.stakeholderId)
    && (filter.status === undefined || c.status === filter.status));
  return { comments, counts: countComments(comments) };
}

export function countComments(comments: readonly CommentRow[]): MatrixCounts {
  const counts = { total: 0, answered: 0, awaitingAnswer: 0, retracted: 0 };
  for (const c of comments) counts[countKey(c.status)]++;
  counts.total = counts.answered + counts.awaitingAnswer;
  return counts;
}

function countKey(status: CommentStatus): 'answered' | 'awaitingAnswer' | 'retracted' {
  return status === 'awaiting-answer' ? 'awaitingAnswer' : status;
}

/** The counts after one comment moved from one status to another (null: it is new). */
function moved(counts: MatrixCounts, from: CommentStatus | null, to: CommentStatus): MatrixCounts {
  if (from === to) return counts;
  const next = { ...counts };
  if (from !== null) next[countKey(from)]--;
  next[countKey(to)]++;
  next.total = next.answered + next.awaitingAnswer;
  return next;
}

function applyEvent(view: CommentMatrixView, e: DomainEvent, at: EventContext): CommentMatrixView {
  switch (e.type) {
    case 'DraftPublished':
      if (view.drafts.some((d) => d.version === e.data.version)) return view;
      return { ...view, drafts: [...view.drafts, { version: e.data.version, sections: e.data.sections.map(({ key, heading }) => ({ key, heading })) }] };
    case 'StakeholderInvited':
      if (view.organisations.some((o) => o.stakeholderId === e.data.stakeholderId)) return view;
      return { ...view, organisations: [...view.organisations, { stakeholderId: e.data.stakeholderId, organisation: e.data.organisation }] };
    case 'CommentSubmitted': {
      const c = e.data;
      if (view.comments.some((x) => x.commentId === c.commentId)) return view;
      const row: CommentRow = {
        commentId: c.commentId,
        draftVersion: c.draftVersion,
        sectionKey: c.sectionKey,
        sectionHeading: headingOf(view, c.draftVersion, c.sectionKey),
        stakeholderId: c.stakeholderId,
        organisation: view.organisations.find((o) => o.stakeholderId === c.stakeholderId)?.organisation ?? null,
        text: c.text,
        proposedText: c.proposedText ?? null,
        channel: c.channel,
        madeAt: c.madeAt,
        submittedAt: at.recordedAt,
        status: 'awaiting-answer',
        disposition: null,
        response: null,
        answeredAt: null,
        earlierAnswers: [],
        retraction: null,
      };
      return { ...view, comments: [...view.comments, row], counts: moved(view.counts, null, row.status) };
    }
    case 'CommentAnswered':
      return withComment(view, e.data.commentId, (c) => ({
        ...c,
        status: c.status === 'retracted' ? 'retracted' : 'answered',
        disposition: e.data.disposition,
        response: e.data.response,
        answeredAt: at.recordedAt,
        earlierAnswers: c.disposition !== null && c.response !== null && c.answeredAt !== null
          ? [...c.earlierAnswers, { disposition: c.disposition, response: c.response, answeredAt: c.answeredAt }]
          : c.earlierAnswers,
      }));
    case 'CommentRetracted':
      return withComment(view, e.data.commentId, (c) =>
        (c.retraction ? c : { ...c, status: 'retracted', retraction: { reason: e.data.reason, retractedAt: at.recordedAt } }));
    default:
      return view;
  }
}

function withComment(view: CommentMatrixView, commentId: string, f: (c: CommentRow) => CommentRow): CommentMatrixView {
  // from the end: recent comments are the ones answered and retracted most
  for (let index = view.comments.length - 1; index >= 0; index--) {
    const c = view.comments[index]!;
    if (c.commentId !== commentId) continue;
    const next = f(c);
    return next === c ? view : { ...view, comments: replaceAt(view.comments, index, next), counts: moved(view.counts, c.status, next.status) };
  }
  return view;
}

function headingOf(view: CommentMatrixView, version: number, key: string | null): string | null {
  if (key === null) return null;
  return view.drafts.find((d) => d.version === version)?.sections.find((s) => s.key === key)?.heading ?? null;
}
