// Per consultation, one row per stakeholder: who it is, where its invitation stands, what it has
// sent in, what it was reminded of, and what the coordinator still awaits from it.
import type { DomainEvent, EventOf } from '../domain/events.ts';
import {
  isLater, later, mapShared, perConsultation, replaceAt, type EventContext, type PerConsultationView, type Projection,
} from './projection.ts';

type Invited = EventOf<'StakeholderInvited'>['data'];
export type Phase = EventOf<'DeadlineExtended'>['data']['phase'];

/**
 * Where the invitation stands. When several apply, the first of these wins:
 * removed > declined > accepted > delivery-failed > e-mailed > invited.
 * - delivery-failed: the latest delivery failure recorded for it is later (by `failedAt`) than
 *   every message recorded as sent to it (by `sentAt`): the last message to it failed and nothing
 *   has been sent since;
 * - e-mailed: an InvitationSent was recorded;
 * - invited: neither.
 */
export type InvitationStatus = 'invited' | 'e-mailed' | 'accepted' | 'declined' | 'removed' | 'delivery-failed';

/** On the current (latest) draft version. */
export type EndorsementStatus = 'not-an-endorser' | 'not-requested' | 'pending' | 'endorsed' | 'withheld';

/**
 * What the coordinator still awaits from an active stakeholder (not removed, not declined) of an
 * open consultation; always [] otherwise.
 * - response: it has not answered the invitation and has not engaged in any other way (a comment
 *   not retracted, a completed review, an endorsement decision);
 * - comments: on the current draft version it has no comment (not retracted), has not completed its
 *   review, and has not endorsed or withheld (a decision on a version says it is done with it).
 *   Views read no clock: compare with the deadline to tell "late" from "not yet";
 * - endorsement: it is an endorser and its endorsement of the current draft is pending.
 */
export type Awaiting = 'response' | 'comments' | 'endorsement';

export interface Reminder {
  messageId: string;
  phase: Phase;
  draftVersion: number;
  /** the deadline it reminded of */
  deadline: string;
  sentAt: string;
}

export interface DeliveryFailure {
  messageId: string;
  messageKind: EventOf<'DeliveryFailed'>['data']['messageKind'];
  error: string;
  permanent: boolean;
  failedAt: string;
}

export interface OwnExtension {
  draftVersion: number;
  deadline: string;
  reason: string;
}

export interface StakeholderRow {
  id: string;
  organisation: string;
  kind: Invited['kind'];
  /** the first is the primary contact */
  contacts: Invited['contacts'];
  language: string;
  endorser: boolean;
  invitationStatus: InvitationStatus;
  /** its answer to the invitation; a reinstatement after a decline makes it pending again */
  response: 'pending' | 'accepted' | 'declined';
  declineReason: string | null;
  /** null unless it is removed now */
  removal: { reason: string; removedAt: string } | null;
  /** `sentAt` of the first InvitationSent */
  invitationSentAt: string | null;
  /** the latest `sentAt` of any message recorded as sent to it */
  lastMessageSentAt: string | null;
  /** the latest delivery failure (by `failedAt`), kept after a later message succeeded; see invitationStatus */
  lastDeliveryFailure: DeliveryFailure | null;
  /** its latest own extension per phase, whichever version it was granted on */
  extensions: { comments: OwnExtension | null; endorsement: OwnExtension | null };
  /**
   * The deadline that applies to it where its own extension does: for the current draft version
   * (comments) or the open endorsement request (endorsement), and later than everyone's deadline.
   * null: everyone's deadline applies.
   */
  ownDeadlines: { comments: string | null; endorsement: string | null };
  /** comments not retracted, per draft version (keys are version numbers; versions with none are absent) */
  commentsByVersion: Record<string, number>;
  reviewedVersions: number[];
  /** it completed its review of the current draft version */
  reviewCompleted: boolean;
  reminders: Reminder[];
  /** its latest decision per draft version (keys are version numbers) */
  decisions: Record<string, 'endorsed' | 'withheld'>;
  endorsement: EndorsementStatus;
  /** when the latest event concerning it was recorded (its own acts, the coordinator's acts on it or its comments, messages to it) */
  lastActivityAt: string;
  /** when its latest own act was recorded: accepting, declining, commenting, completing a review, endorsing, withholding */
  lastResponseAt: string | null;
  awaiting: Awaiting[];
}

export interface StakeholdersView {
  consultationId: string;
  status: 'open' | 'closed';
  currentDraftVersion: number | null;
  /** the current draft's comment deadline for everyone */
  commentDeadline: string | null;
  /** the open endorsement request, with everyone's deadline */
  endorsementRequest: { draftVersion: number; deadline: string } | null;
  /** in invitation order */
  stakeholders: StakeholderRow[];
  /** which stakeholder made which comment, to apply answers and retractions; not meant for display */
  commentIndex: Array<{ commentId: string; stakeholderId: string; draftVersion: number; retracted: boolean }>;
}

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

function derived(x: StakeholderRow, v: StakeholdersView): Derived {
  const current = v.currentDraftVersion;
  const request = v.endorsementRequest;

  const failure = x.lastDeliveryFailure;
  const invitationStatus: InvitationStatus = x.removal ? 'removed'
    : x.response === 'declined' ? 'declined'
    : x.response === 'accepted' ? 'accepted'
    : failure && (x.lastMessageSentAt === null || isLater(failure.failedAt, x.lastMessageSentAt)) ? 'delivery-failed'
    : x.invitationSentAt !== null ? 'e-mailed'
    : 'invited';

  const ownComments = x.extensions.comments;
  const ownEndorsement = x.extensions.endorsement;
  const ownDeadlines = {
    comments: ownComments && ownComments.draftVersion === current && v.commentDeadline !== null && isLater(ownComments.deadline, v.commentDeadline)
      ? ownComments.deadline : null,
    endorsement: ownEndorsement && request && ownEndorsement.draftVersion === request.draftVersion && isLater(ownEndorsement.deadline, request.deadline)
      ? ownEndorsement.deadline : null,
  };

  const reviewCompleted = current !== null && x.reviewedVersions.includes(current);
  const decision = current === null ? undefined : x.decisions[String(current)];
  const endorsement: EndorsementStatus = !x.endorser ? 'not-an-endorser'
    : decision ?? (request !== null && request.draftVersion === current ? 'pending' : 'not-requested');

  const awaiting: Awaiting[] = [];
  if (v.status === 'open' && !x.removal && x.response !== 'declined') {
    const engaged = x.response === 'accepted' || Object.keys(x.commentsByVersion).length > 0 || x.reviewedVersions.length > 0
      || Object.keys(x.decisions).length > 0;
    if (!engaged) awaiting.push('response');
    if (current !== null && !reviewCompleted && decision === undefined && x.commentsByVersion[String(current)] === undefined) awaiting.push('comments');
    if (endorsement === 'pending') awaiting.push('endorsement');
  }
  return { invitationStatus, ownDeadlines, reviewCompleted, endorsement, awaiting };
}
