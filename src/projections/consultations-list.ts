// Every consultation at a glance: title, status, current draft and deadlines, and the counts a
// coordinator watches (who takes part, comments received and answered, endorsements).
//
// The view's shape is its zod schema (ConsultationListEntry); the routes serve its summary with
// ConsultationSummary.
import { z } from 'zod';
import type { DomainEvent } from '../domain/events.ts';
import { ConsultationStatus, Outcome } from '../domain/schemas.ts';
import { countsAsEndorsed, EndorsementDecision, InvitationResponse, isRequiredEndorser, isResponding } from '../domain/standing.ts';
import {
  later, perConsultation, replaceAt, updateLast, type EventContext, type PerConsultationView, type Projection,
} from './projection.ts';

export const ConsultationCounts = z.object({
  /** stakeholders invited and not removed (those that declined are counted: they were invited) */
  invited: z.number().int().describe('invited and not removed (declined ones included)'),
  /** see isResponding (src/domain/standing.ts) */
  responding: z.number().int().describe('not removed, not declined, and accepted, commented, reviewed or decided on an endorsement'),
  /** declined and not removed */
  declined: z.number().int(),
  removed: z.number().int(),
  commentsReceived: z.number().int().describe('not retracted'),
  /** comments not retracted that have an answer */
  commentsAnswered: z.number().int(),
  /** required endorsers that count as having endorsed the current draft version (countsAsEndorsed) */
  endorsementsReceived: z.number().int().describe('on the current draft version'),
  /** required endorsers: not removed (one that declined is still required: it counts as not endorsed) */
  endorsementsRequired: z.number().int().describe('endorsers not removed'),
});
export type ConsultationCounts = z.infer<typeof ConsultationCounts>;

export const ConsultationSummary = z.object({
  id: z.uuid(),
  title: z.string(),
  leadOrganisation: z.string(),
  status: ConsultationStatus,
  outcome: Outcome.nullable().describe('null while open'),
  finalDraftVersion: z.number().int().nullable(),
  currentDraftVersion: z.number().int().nullable().describe('the latest published draft; null before the first'),
  /** stakeholders' own extensions: see the stakeholders view */
  commentDeadline: z.string().nullable().describe('the current draft\'s comment deadline for everyone'),
  endorsementDeadline: z.string().nullable().describe('the open endorsement request\'s deadline; null when none is open'),
  counts: ConsultationCounts,
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  /** when the latest event of any known type on the consultation's stream was recorded */
  lastActivityAt: z.string(),
});
export type ConsultationSummary = z.infer<typeof ConsultationSummary>;

/** What the counts are computed from; not meant for display. */
export const ConsultationListBasis = z.object({
  endorsementRequestVersion: z.number().nullable(),
  stakeholders: z.array(z.object({
    id: z.string(),
    endorser: z.boolean(),
    removed: z.boolean(),
    response: InvitationResponse,
    liveComments: z.number(),
    reviewed: z.boolean(),
    /** the latest decision per draft version (keys are version numbers) */
    decisions: z.record(z.string(), EndorsementDecision),
  })),
  comments: z.array(z.object({ id: z.string(), stakeholderId: z.string(), retracted: z.boolean(), answered: z.boolean() })),
});
export type ConsultationListBasis = z.infer<typeof ConsultationListBasis>;

export const ConsultationListEntry = z.object({ summary: ConsultationSummary, basis: ConsultationListBasis });
export type ConsultationListEntry = z.infer<typeof ConsultationListEntry>;

export type ConsultationsListView = PerConsultationView<ConsultationListEntry>;

export const consultationsList: Projection<ConsultationsListView> = perConsultation<ConsultationListEntry>({
  name: 'consultations-list',
  version: 1,
  open(e, at) {
    return {
      summary: {
        id: e.data.consultationId,
        title: e.data.title,
        leadOrganisation: e.data.leadOrganisation,
        status: 'open',
        outcome: null,
        finalDraftVersion: null,
        currentDraftVersion: null,
        commentDeadline: null,
        endorsementDeadline: null,
        counts: {
          invited: 0, responding: 0, declined: 0, removed: 0,
          commentsReceived: 0, commentsAnswered: 0, endorsementsReceived: 0, endorsementsRequired: 0,
        },
        openedAt: at.recordedAt,
        closedAt: null,
        lastActivityAt: at.recordedAt,
      },
      basis: { endorsementRequestVersion: null, stakeholders: [], comments: [] },
    };
  },
  apply(entry, e, at) {
    const next = applyEvent(entry, e, at);
    const lastActivityAt = later(next.summary.lastActivityAt, at.recordedAt);
    return lastActivityAt === next.summary.lastActivityAt ? next : { ...next, summary: { ...next.summary, lastActivityAt } };
  },
});

/** The summaries, in the order the consultations were opened. */
export function listConsultations(view: ConsultationsListView): ConsultationSummary[] {
  return view.consultations.map((s) => s.view.summary);
}

type Stakeholder = ConsultationListBasis['stakeholders'][number];
type Comment = ConsultationListBasis['comments'][number];

function applyEvent(entry: ConsultationListEntry, e: DomainEvent, at: EventContext): ConsultationListEntry {
  const { summary, basis } = entry;
  switch (e.type) {
    case 'DraftPublished':
      if (summary.currentDraftVersion !== null && e.data.version <= summary.currentDraftVersion) return entry;
      return recount({ ...entry, summary: { ...summary, currentDraftVersion: e.data.version, commentDeadline: e.data.commentDeadline } });
    case 'StakeholderInvited':
      if (basis.stakeholders.some((x) => x.id === e.data.stakeholderId)) return entry;
      return recount({
        ...entry,
        basis: {
          ...basis,
          stakeholders: [...basis.stakeholders, {
            id: e.data.stakeholderId, endorser: e.data.endorser, removed: false, response: 'pending', liveComments: 0, reviewed: false, decisions: {},
          }],
        },
      });
    case 'InvitationAccepted':
      return withStakeholder(entry, e.data.stakeholderId, (x) => ({ ...x, response: 'accepted' }));
    case 'InvitationDeclined':
      return withStakeholder(entry, e.data.stakeholderId, (x) => ({ ...x, response: 'declined' }));
    case 'StakeholderRemoved':
      return withStakeholder(entry, e.data.stakeholderId, (x) => ({ ...x, removed: true }));
    case 'StakeholderReinstated':
      return withStakeholder(entry, e.data.stakeholderId, (x) => ({ ...x, removed: false, response: x.response === 'declined' ? 'pending' : x.response }));
    case 'ReviewCompleted':
      return withStakeholder(entry, e.data.stakeholderId, (x) => (x.reviewed ? x : { ...x, reviewed: true }));
    case 'DraftEndorsed':
    case 'EndorsementWithheld': {
      const decision = e.type === 'DraftEndorsed' ? 'endorsed' : 'withheld';
      const version = String(e.data.draftVersion);
      return withStakeholder(entry, e.data.stakeholderId, (x) =>
        (x.decisions[version] === decision ? x : { ...x, decisions: { ...x.decisions, [version]: decision } }));
    }
    case 'CommentSubmitted': {
      if (basis.comments.some((c) => c.id === e.data.commentId)) return entry;
      const comment: Comment = { id: e.data.commentId, stakeholderId: e.data.stakeholderId, retracted: false, answered: false };
      const withComment = {
        summary: { ...summary, counts: { ...summary.counts, commentsReceived: summary.counts.commentsReceived + 1 } },
        basis: { ...basis, comments: [...basis.comments, comment] },
      };
      return withStakeholder(withComment, e.data.stakeholderId, (x) => ({ ...x, liveComments: x.liveComments + 1 }));
    }
    case 'CommentAnswered': {
      const comment = findComment(basis, e.data.commentId);
      if (!comment || comment.retracted || comment.answered) return entry;
      return {
        summary: { ...summary, counts: { ...summary.counts, commentsAnswered: summary.counts.commentsAnswered + 1 } },
        basis: { ...basis, comments: updateLast(basis.comments, (c) => c.id === comment.id, (c) => ({ ...c, answered: true })) },
      };
    }
    case 'CommentRetracted': {
      const comment = findComment(basis, e.data.commentId);
      if (!comment || comment.retracted) return entry;
      const counts = {
        ...summary.counts,
        commentsReceived: summary.counts.commentsReceived - 1,
        commentsAnswered: summary.counts.commentsAnswered - (comment.answered ? 1 : 0),
      };
      const withRetraction = {
        summary: { ...summary, counts },
        basis: { ...basis, comments: updateLast(basis.comments, (c) => c.id === comment.id, (c) => ({ ...c, retracted: true })) },
      };
      return withStakeholder(withRetraction, comment.stakeholderId, (x) => ({ ...x, liveComments: x.liveComments - 1 }));
    }
    case 'EndorsementRequested':
      return {
        summary: { ...summary, endorsementDeadline: e.data.deadline },
        basis: { ...basis, endorsementRequestVersion: e.data.draftVersion },
      };
    case 'EndorsementRequestCancelled':
      if (basis.endorsementRequestVersion !== e.data.draftVersion) return entry;
      return { summary: { ...summary, endorsementDeadline: null }, basis: { ...basis, endorsementRequestVersion: null } };
    case 'DeadlineExtended':
      // an extension for one stakeholder changes nobody else's deadline
      if (e.data.stakeholderId !== undefined) return entry;
      if (e.data.phase === 'comments') {
        if (e.data.draftVersion !== summary.currentDraftVersion) return entry;
        return { ...entry, summary: { ...summary, commentDeadline: e.data.deadline } };
      }
      if (e.data.draftVersion !== basis.endorsementRequestVersion) return entry;
      return { ...entry, summary: { ...summary, endorsementDeadline: e.data.deadline } };
    case 'ConsultationClosed':
      return {
        ...entry,
        summary: { ...summary, status: 'closed', outcome: e.data.outcome, finalDraftVersion: e.data.finalDraftVersion, closedAt: at.recordedAt },
      };
    default:
      // ConsultationOpened again, contacts and messages: only the last activity time moves
      return entry;
  }
}

function findComment(basis: ConsultationListBasis, id: string): Comment | undefined {
  for (let i = basis.comments.length - 1; i >= 0; i--) if (basis.comments[i]!.id === id) return basis.comments[i];
  return undefined;
}

function withStakeholder(entry: ConsultationListEntry, id: string, f: (x: Stakeholder) => Stakeholder): ConsultationListEntry {
  const index = entry.basis.stakeholders.findIndex((x) => x.id === id);
  const x = entry.basis.stakeholders[index];
  if (!x) return entry;
  const next = f(x);
  if (next === x) return entry;
  return recount({ ...entry, basis: { ...entry.basis, stakeholders: replaceAt(entry.basis.stakeholders, index, next) } });
}

/** Recomputes the stakeholder and endorsement counts (a few dozen stakeholders: cheap) with the domain's rules (standing.ts). */
function recount(entry: ConsultationListEntry): ConsultationListEntry {
  const version = entry.summary.currentDraftVersion === null ? null : String(entry.summary.currentDraftVersion);
  let invited = 0, responding = 0, declined = 0, removed = 0, endorsementsReceived = 0, endorsementsRequired = 0;
  for (const x of entry.basis.stakeholders) {
    const facts = {
      endorser: x.endorser,
      removed: x.removed,
      declined: x.response === 'declined',
      accepted: x.response === 'accepted',
      commented: x.liveComments > 0,
      reviewed: x.reviewed,
      decided: Object.keys(x.decisions).length > 0,
      decision: version === null ? null : x.decisions[version] ?? null,
    };
    if (facts.removed) {
      removed++;
      continue;
    }
    invited++;
    if (facts.declined) declined++;
    if (isResponding(facts)) responding++;
    if (isRequiredEndorser(facts)) endorsementsRequired++;
    if (countsAsEndorsed(facts)) endorsementsReceived++;
  }
  return {
    ...entry,
    summary: {
      ...entry.summary,
      counts: { ...entry.summary.counts, invited, responding, declined, removed, endorsementsReceived, endorsementsRequired },
    },
  };
}
