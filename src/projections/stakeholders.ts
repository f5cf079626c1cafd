// Per consultation, one row per stakeholder: who it is, where its invitation stands, what it has
// sent in, what it was reminded of, and what the coordinator still awaits from it.
//
// The view's shape is its zod schema (StakeholdersView); the routes serve it with that schema.
import { z } from 'zod';
import type { DomainEvent } from '../domain/events.ts';
import { StoredContact } from '../domain/events.ts';
import { ownDeadlineOverride } from '../domain/rules.ts';
import { ConsultationStatus, MessageKind, Phase, StakeholderKind } from '../domain/schemas.ts';
import {
  Awaiting, awaitingFrom, EndorsementDecision, EndorsementStatus, endorsementStatus, InvitationResponse, InvitationStatus, invitationStatus,
  type CurrentDraftFacts,
} from '../domain/standing.ts';
import {
  isLater, later, mapShared, perConsultation, replaceAt, type EventContext, type PerConsultationView, type Projection,
} from './projection.ts';

export const Reminder = z.object({
  messageId: z.string(),
  phase: Phase,
  draftVersion: z.number(),
  /** the deadline it reminded of */
  deadline: z.string(),
  sentAt: z.string(),
});
export type Reminder = z.infer<typeof Reminder>;

export const DeliveryFailure = z.object({
  messageId: z.string(),
  messageKind: MessageKind,
  error: z.string(),
  permanent: z.boolean(),
  failedAt: z.string(),
});
export type DeliveryFailure = z.infer<typeof DeliveryFailure>;

export const OwnExtension = z.object({ draftVersion: z.number().int(), deadline: z.string(), reason: z.string() });
export type OwnExtension = z.infer<typeof OwnExtension>;

export const StakeholderRow = z.object({
  id: z.string(),
  organisation: z.string(),
  kind: StakeholderKind,
  contacts: z.array(StoredContact).describe('the first is the primary contact'),
  language: z.string(),
  endorser: z.boolean(),
  /** see invitationStatus (src/domain/standing.ts) */
  invitationStatus: InvitationStatus.describe('removed > declined > accepted > delivery-failed > e-mailed > invited'),
  /** its answer to the invitation; a reinstatement after a decline makes it pending again */
  response: InvitationResponse,
  declineReason: z.string().nullable(),
  /** null unless it is removed now */
  removal: z.object({ reason: z.string(), removedAt: z.string() }).nullable(),
  /** `sentAt` of the first InvitationSent */
  invitationSentAt: z.string().nullable(),
  /** the latest `sentAt` of any message recorded as sent to it */
  lastMessageSentAt: z.string().nullable(),
  /** the latest delivery failure (by `failedAt`), kept after a later message succeeded; see invitationStatus */
  lastDeliveryFailure: DeliveryFailure.nullable(),
  /** its latest own extension per phase, whichever version it was granted on */
  extensions: z.object({ comments: OwnExtension.nullable(), endorsement: OwnExtension.nullable() }),
  /**
   * The deadline that applies to it where its own extension does (ownDeadlineOverride): for the
   * current draft version (comments) or the open endorsement request (endorsement). null:
   * everyone's deadline applies.
   */
  ownDeadlines: z.object({ comments: z.string().nullable(), endorsement: z.string().nullable() }),
  /** comments not retracted, per draft version (keys are version numbers; versions with none are absent) */
  commentsByVersion: z.record(z.string(), z.number()),
  reviewedVersions: z.array(z.number()),
  /** it completed its review of the current draft version */
  reviewCompleted: z.boolean(),
  reminders: z.array(Reminder),
  /** its latest decision per draft version (keys are version numbers) */
  decisions: z.record(z.string(), EndorsementDecision),
  endorsement: EndorsementStatus,
  /** when the latest event concerning it was recorded (its own acts, the coordinator's acts on it or its comments, messages to it) */
  lastActivityAt: z.string(),
  /** when its latest own act was recorded: accepting, declining, commenting, completing a review, endorsing, withholding */
  lastResponseAt: z.string().nullable(),
  /** see awaitingFrom (src/domain/standing.ts) */
  awaiting: z.array(Awaiting).describe('what the coordinator still awaits from it; [] when nothing'),
});
export type StakeholderRow = z.infer<typeof StakeholderRow>;

export const StakeholdersView = z.object({
  consultationId: z.string(),
  status: ConsultationStatus,
  currentDraftVersion: z.number().nullable(),
  /** the current draft's comment deadline for everyone */
  commentDeadline: z.string().nullable(),
  /** the open endorsement request, with everyone's deadline */
  endorsementRequest: z.object({ draftVersion: z.number(), deadline: z.string() }).nullable(),
  stakeholders: z.array(StakeholderRow).describe('in invitation order'),
  /** which stakeholder made which comment, to apply answers and retractions; not meant for display */
  commentIndex: z.array(z.object({ commentId: z.string(), stakeholderId: z.string(), draftVersion: z.number(), retracted: z.boolean() })),
});
export type StakeholdersView = z.infer<typeof StakeholdersView>;

export type StakeholdersProjectionView = PerConsultationView<StakeholdersView>;

export const stakeholders: Projection<StakeholdersProjectionView> = perConsultation<StakeholdersView>({
  name: 'stakeholders',
  version: 1,
  open(e) {
    return {
      consultationId: e.data.consultationId,
      status: 'open',
      currentDraftVersion: null,
      commentDeadline: null,
      endorsementRequest: null,
      stakeholders: [],
      commentIndex: [],
    };
  },
  apply: applyEvent,
});

/** The stakeholders from whom something is awaited. */
export function awaitingAnswer(view: StakeholdersView): StakeholderRow[] {
  return view.stakeholders.filter((x) => x.awaiting.length > 0);
}

function applyEvent(view: StakeholdersView, e: DomainEvent, at: EventContext): StakeholdersView {
  const touch = (x: StakeholderRow): StakeholderRow => ({ ...x, lastActivityAt: later(x.lastActivityAt, at.recordedAt) });
  const own = (x: StakeholderRow): StakeholderRow => ({
    ...touch(x), lastResponseAt: x.lastResponseAt === null ? at.recordedAt : later(x.lastResponseAt, at.recordedAt),
  });
  switch (e.type) {
    case 'DraftPublished':
      if (view.currentDraftVersion !== null && e.data.version <= view.currentDraftVersion) return view;
      return rederive({ ...view, currentDraftVersion: e.data.version, commentDeadline: e.data.commentDeadline });
    case 'EndorsementRequested':
      return rederive({ ...view, endorsementRequest: { draftVersion: e.data.draftVersion, deadline: e.data.deadline } });
    case 'EndorsementRequestCancelled':
      if (view.endorsementRequest?.draftVersion !== e.data.draftVersion) return view;
      return rederive({ ...view, endorsementRequest: null });
    case 'ConsultationClosed':
      return rederive({ ...view, status: 'closed' });
    case 'DeadlineExtended': {
      const { phase, draftVersion, deadline, reason, stakeholderId } = e.data;
      if (stakeholderId !== undefined) {
        return withRow(view, stakeholderId, (x) => ({ ...touch(x), extensions: { ...x.extensions, [phase]: { draftVersion, deadline, reason } } }));
      }
      if (phase === 'comments') {
        return draftVersion === view.currentDraftVersion ? rederive({ ...view, commentDeadline: deadline }) : view;
      }
      if (view.endorsementRequest?.draftVersion !== draftVersion) return view;
      return rederive({ ...view, endorsementRequest: { draftVersion, deadline } });
    }
    case 'StakeholderInvited': {
      if (view.stakeholders.some((x) => x.id === e.data.stakeholderId)) return view;
      const row: StakeholderRow = {
        id: e.data.stakeholderId,
        organisation: e.data.organisation,
        kind: e.data.kind,
        contacts: e.data.contacts,
        language: e.data.language,
        endorser: e.data.endorser,
        invitationStatus: 'invited',
        response: 'pending',
        declineReason: null,
        removal: null,
        invitationSentAt: null,
        lastMessageSentAt: null,
        lastDeliveryFailure: null,
        extensions: { comments: null, endorsement: null },
        ownDeadlines: { comments: null, endorsement: null },
        commentsByVersion: {},
        reviewedVersions: [],
        reviewCompleted: false,
        reminders: [],
        decisions: {},
        endorsement: 'not-requested',
        lastActivityAt: at.recordedAt,
        lastResponseAt: null,
        awaiting: [],
      };
      return { ...view, stakeholders: [...view.stakeholders, derive(row, view)] };
    }
    case 'StakeholderContactsChanged':
      return withRow(view, e.data.stakeholderId, (x) => ({ ...touch(x), contacts: e.data.contacts }));
    case 'InvitationAccepted':
      return withRow(view, e.data.stakeholderId, (x) => ({ ...own(x), response: 'accepted', declineReason: null }));
    case 'InvitationDeclined':
      return withRow(view, e.data.stakeholderId, (x) => ({ ...own(x), response: 'declined', declineReason: e.data.reason ?? null }));
    case 'StakeholderRemoved':
      return withRow(view, e.data.stakeholderId, (x) => ({ ...touch(x), removal: { reason: e.data.reason, removedAt: at.recordedAt } }));
    case 'StakeholderReinstated':
      return withRow(view, e.data.stakeholderId, (x) => ({
        ...touch(x),
        removal: null,
        ...(x.response === 'declined' ? { response: 'pending' as const, declineReason: null } : {}),
      }));
    case 'CommentSubmitted': {
      const { commentId, stakeholderId, draftVersion } = e.data;
      if (view.commentIndex.some((c) => c.commentId === commentId)) return view;
      const indexed = { ...view, commentIndex: [...view.commentIndex, { commentId, stakeholderId, draftVersion, retracted: false }] };
      return withRow(indexed, stakeholderId, (x) => ({ ...own(x), commentsByVersion: addCount(x.commentsByVersion, draftVersion, 1) }));
    }
    case 'CommentRetracted': {
      const index = lastIndexOf(view.commentIndex, (c) => c.commentId === e.data.commentId);
      const ref = view.commentIndex[index];
      if (!ref || ref.retracted) return view;
      const indexed = { ...view, commentIndex: replaceAt(view.commentIndex, index, { ...ref, retracted: true }) };
      return withRow(indexed, ref.stakeholderId, (x) => ({ ...touch(x), commentsByVersion: addCount(x.commentsByVersion, ref.draftVersion, -1) }));
    }
    case 'CommentAnswered': {
      const ref = view.commentIndex[lastIndexOf(view.commentIndex, (c) => c.commentId === e.data.commentId)];
      return ref ? withRow(view, ref.stakeholderId, touch) : view;
    }
    case 'ReviewCompleted':
      return withRow(view, e.data.stakeholderId, (x) => ({
        ...own(x),
        reviewedVersions: x.reviewedVersions.includes(e.data.draftVersion) ? x.reviewedVersions : [...x.reviewedVersions, e.data.draftVersion],
      }));
    case 'DraftEndorsed':
    case 'EndorsementWithheld': {
      const decision = e.type === 'DraftEndorsed' ? 'endorsed' : 'withheld';
      return withRow(view, e.data.stakeholderId, (x) => ({ ...own(x), decisions: { ...x.decisions, [String(e.data.draftVersion)]: decision } }));
    }
    case 'InvitationSent':
      return withRow(view, e.data.stakeholderId, (x) => ({ ...sent(touch(x), e.data.sentAt), invitationSentAt: x.invitationSentAt ?? e.data.sentAt }));
    case 'NoticeSent':
      return withRow(view, e.data.stakeholderId, (x) => sent(touch(x), e.data.sentAt));
    case 'ReminderSent': {
      const { messageId, phase, draftVersion, deadline, sentAt } = e.data;
      return withRow(view, e.data.stakeholderId, (x) => ({
        ...sent(touch(x), sentAt),
        reminders: x.reminders.some((r) => r.messageId === messageId) ? x.reminders : [...x.reminders, { messageId, phase, draftVersion, deadline, sentAt }],
      }));
    }
    case 'DeliveryFailed': {
      const { messageId, messageKind, error, permanent, failedAt } = e.data;
      return withRow(view, e.data.stakeholderId, (x) => ({
        ...touch(x),
        lastDeliveryFailure: x.lastDeliveryFailure && isLater(x.lastDeliveryFailure.failedAt, failedAt)
          ? x.lastDeliveryFailure
          : { messageId, messageKind, error, permanent, failedAt },
      }));
    }
    default:
      return view;
  }
}

function sent(x: StakeholderRow, sentAt: string): StakeholderRow {
  return { ...x, lastMessageSentAt: x.lastMessageSentAt === null ? sentAt : later(x.lastMessageSentAt, sentAt) };
}

function addCount(counts: Record<string, number>, version: number, delta: number): Record<string, number> {
  const key = String(version);
  const n = (counts[key] ?? 0) + delta;
  const { [key]: _, ...rest } = counts;
  return n > 0 ? { ...rest, [key]: n } : rest;
}

function lastIndexOf<X>(items: readonly X[], match: (x: X) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (match(items[i]!)) return i;
  return -1;
}

/** Applies `f` to one stakeholder's facts and derives its row again; unknown stakeholders change nothing. */
function withRow(view: StakeholdersView, id: string, f: (x: StakeholderRow) => StakeholderRow): StakeholdersView {
  const index = view.stakeholders.findIndex((x) => x.id === id);
  const x = view.stakeholders[index];
  if (!x) return view;
  return { ...view, stakeholders: replaceAt(view.stakeholders, index, derive(f(x), view)) };
}

/** After a change to the consultation (draft, request, deadline, closing), every row is derived again. */
function rederive(view: StakeholdersView): StakeholdersView {
  const rows = mapShared(view.stakeholders, (x) => derive(x, view));
  return rows === view.stakeholders ? view : { ...view, stakeholders: rows };
}

type Derived = Pick<StakeholderRow, 'invitationStatus' | 'ownDeadlines' | 'reviewCompleted' | 'endorsement' | 'awaiting'>;

/** Recomputes the derived fields of a row; returns the row itself when none changes. */
function derive(x: StakeholderRow, v: StakeholdersView): StakeholderRow {
  const d = derived(x, v);
  const same = d.invitationStatus === x.invitationStatus
    && d.ownDeadlines.comments === x.ownDeadlines.comments
    && d.ownDeadlines.endorsement === x.ownDeadlines.endorsement
    && d.reviewCompleted === x.reviewCompleted
    && d.endorsement === x.endorsement
    && d.awaiting.join() === x.awaiting.join();
  return same ? x : { ...x, ...d };
}

/** The derived fields, by the domain's rules (standing.ts, rules.ts) over the row's facts. */
function derived(x: StakeholderRow, v: StakeholdersView): Derived {
  const current = v.currentDraftVersion;
  const request = v.endorsementRequest;
  const onCurrent: CurrentDraftFacts | null = current === null ? null : {
    commented: x.commentsByVersion[String(current)] !== undefined,
    reviewed: x.reviewedVersions.includes(current),
    decision: x.decisions[String(current)] ?? null,
    endorsementRequested: request !== null && request.draftVersion === current,
  };
  const facts = {
    endorser: x.endorser,
    removed: x.removal !== null,
    declined: x.response === 'declined',
    accepted: x.response === 'accepted',
    commented: Object.keys(x.commentsByVersion).length > 0,
    reviewed: x.reviewedVersions.length > 0,
    decided: Object.keys(x.decisions).length > 0,
  };
  return {
    invitationStatus: invitationStatus({
      removed: facts.removed,
      response: x.response,
      invitationSent: x.invitationSentAt !== null,
      lastSentAt: x.lastMessageSentAt,
      lastFailedAt: x.lastDeliveryFailure?.failedAt ?? null,
    }),
    ownDeadlines: {
      comments: current === null || v.commentDeadline === null ? null : ownDeadlineOverride(v.commentDeadline, x.extensions.comments, current),
      endorsement: request === null ? null : ownDeadlineOverride(request.deadline, x.extensions.endorsement, request.draftVersion),
    },
    reviewCompleted: onCurrent?.reviewed ?? false,
    endorsement: endorsementStatus(x, onCurrent),
    awaiting: awaitingFrom(v.status === 'open', facts, onCurrent),
  };
}
