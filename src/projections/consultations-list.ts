// Every consultation at a glance: title, status, current draft and deadlines, and the counts a
// coordinator watches (who takes part, comments received and answered, endorsements).
//
// Documents:
// - the head (per consultation) holds the summary's facts and the comment counts (kept as comments
//   come and go): small, whatever the number of stakeholders or comments. Its `order` is the
//   consultation's opening sequence number, so listing the heads gives the consultations in the
//   order they were opened;
// - "stakeholders": per stakeholder ("<consultation>/<stakeholder id>", in invitation order) the
//   facts its counts come from, so an event of one stakeholder rewrites that stakeholder's facts
//   and the head, not every stakeholder's;
// - "comments": per comment ("<consultation>/<comment id>") what answering or retracting it needs
//   to know (its stakeholder, retracted, answered), so those events touch that comment only;
// - "sequence": one counter document, the number of consultations opened so far.
// The stakeholder and endorsement counts and the readiness for adoption are computed when the view
// is read (readiness at the time of the read: a comment period may have closed since), with the
// domain's rules (src/domain/standing.ts).
//
// The view's shape is its zod schema (ConsultationListEntry); the routes serve its summary with
// ConsultationSummary.
import { z } from 'zod';
import type { DomainEvent } from '../domain/events.ts';
import { ownDeadlineOverride } from '../domain/rules.ts';
import { ConsultationStatus, Outcome } from '../domain/schemas.ts';
import {
  AdoptionBlockCode, adoptionBlockers, countsAsEndorsed, EndorsementDecision, endorserChanged, InvitationResponse, isReadyForAdoption,
  isRequiredEndorser, isResponding,
} from '../domain/standing.ts';
import { collection, docKey, later, pendingHeldAfter, perConsultation, readable, type DocReader, type Docs, type EventContext } from './projection.ts';

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
  heldRepliesPending: z.number().int().describe('replies by e-mail held for the coordinator and not yet accepted or discarded (they block adoption)'),
});
export type ConsultationCounts = z.infer<typeof ConsultationCounts>;

export const ConsultationSummary = z.object({
  id: z.uuid(),
  title: z.string(),
  leadOrganisation: z.string(),
  notifyEmails: z.array(z.string()).describe('the coordinating office\'s mailboxes alerted of delivery failures (one digest a day at most); [] for none'),
  status: ConsultationStatus,
  outcome: Outcome.nullable().describe('null while open'),
  finalDraftVersion: z.number().int().nullable(),
  currentDraftVersion: z.number().int().nullable().describe('the latest published draft; null before the first'),
  /** stakeholders' own extensions: see the stakeholders view */
  commentDeadline: z.string().nullable().describe('the current draft\'s comment deadline for everyone'),
  endorsementDeadline: z.string().nullable().describe('the open endorsement request\'s deadline; null when none is open'),
  counts: ConsultationCounts,
  /** see adoptionBlockers (src/domain/standing.ts): the rule closing applies */
  readyForAdoption: z.boolean().describe('the current draft version could be closed as adopted now: nothing blocks it (false before the first draft)'),
  adoptionBlockedBy: z.array(AdoptionBlockCode)
    .describe('what blocks adopting the current draft version now, by code (the sign-off view names what each concerns); [] before the first draft'),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  /** when the latest event of any known type on the consultation's stream was recorded */
  lastActivityAt: z.string(),
});
export type ConsultationSummary = z.infer<typeof ConsultationSummary>;

export const ConsultationListEntry = z.object({ summary: ConsultationSummary });
export type ConsultationListEntry = z.infer<typeof ConsultationListEntry>;

/** What a stakeholder's counts are computed from. */
const StakeholderFacts = z.object({
  id: z.string(),
  endorser: z.boolean(),
  removed: z.boolean(),
  response: InvitationResponse,
  /** its comments not retracted */
  liveComments: z.number().int(),
  reviewed: z.boolean(),
  /** the latest decision per draft version (keys are version numbers), of those that count: made since it last became an endorser */
  decisions: z.record(z.string(), EndorsementDecision),
  /** it decided on some version before it last became or ceased to be an endorser (those decisions no longer count: endorserChanged) */
  decidedEarlier: z.boolean(),
  /** its latest own extension of the comment deadline */
  commentExtension: z.object({ draftVersion: z.number().int(), deadline: z.string() }).nullable(),
});
type StakeholderFacts = z.infer<typeof StakeholderFacts>;

const ListHead = z.object({
  summary: ConsultationSummary.omit({ counts: true, readyForAdoption: true, adoptionBlockedBy: true }),
  /** the consultation's place in the opening order (also the head's `order`) */
  sequence: z.number().int(),
  commentsReceived: z.number().int(),
  commentsAnswered: z.number().int(),
  /** comments submitted so far, retracted ones included: the next comment document's `order` */
  commentsSubmitted: z.number().int(),
  endorsementRequestVersion: z.number().int().nullable(),
  /** stakeholders invited so far: the next stakeholder document's `order` */
  stakeholdersInvited: z.number().int(),
  /** the replies by e-mail held and not yet decided, in the order held */
  pendingHeldReplies: z.array(z.string()),
});
type ListHead = z.infer<typeof ListHead>;

/** What answering or retracting a comment needs to know of it. */
const Comments = collection('comments', z.object({ stakeholderId: z.string(), retracted: z.boolean(), answered: z.boolean() }));
/** Per stakeholder, what its counts come from. */
const Stakeholders = collection('stakeholders', StakeholderFacts);
/** The number of consultations opened so far (one document). */
const Sequence = collection('sequence', z.object({ opened: z.number().int() }));
const SEQUENCE_KEY = 'opened';

export const consultationsList = perConsultation<ListHead, ConsultationListEntry>({
  name: 'consultations-list',
  version: 7,
  head: ListHead,
  collections: [Comments, Stakeholders, Sequence],
  async open(e, at, docs) {
    const counter = await docs.get(Sequence, SEQUENCE_KEY) ?? { opened: 0 };
    counter.opened++;
    docs.put(Sequence, SEQUENCE_KEY, counter);
    const head: ListHead = {
      summary: {
        id: e.data.consultationId,
        title: e.data.title,
        leadOrganisation: e.data.leadOrganisation,
        notifyEmails: e.data.notifyEmails ?? [],
        status: 'open',
        outcome: null,
        finalDraftVersion: null,
        currentDraftVersion: null,
        commentDeadline: null,
        endorsementDeadline: null,
        openedAt: at.recordedAt,
        closedAt: null,
        lastActivityAt: at.recordedAt,
      },
      sequence: counter.opened,
      commentsReceived: 0,
      commentsAnswered: 0,
      commentsSubmitted: 0,
      endorsementRequestVersion: null,
      stakeholdersInvited: 0,
      pendingHeldReplies: [],
    };
    // The head's order is its opening sequence. perConsultation puts the head without an order,
    // which keeps the order the document already has (in this batch, and later as stored), so the
    // head is put here first with its order; perConsultation's put replaces its content.
    docs.put(consultationsList.heads, at.consultationId, { lastRevision: at.revision, view: head }, counter.opened);
    return head;
  },
  async apply(head, e, at, docs) {
    await applyEvent(head, e, at, docs);
    head.summary.lastActivityAt = later(head.summary.lastActivityAt, at.recordedAt);
  },
}, async (head, reader, id, now) => ({ summary: summaryOf(head, await stakeholdersOf(reader, `${id}/`), now) }));

/** The summaries, in the order the consultations were opened; `now` is the time of the read. */
export async function listConsultations(reader: DocReader, now: string): Promise<ConsultationSummary[]> {
  const heads = await reader.listPage(consultationsList.heads, '');
  // every consultation's stakeholders in one listing, by consultation (the key's part before "/")
  const byConsultation = new Map<string, StakeholderFacts[]>();
  for (const { key, doc } of await reader.listPage(Stakeholders, '')) {
    const id = key.slice(0, key.indexOf('/'));
    const facts = readable(reader, Stakeholders, doc, consultationsList.name)!;
    const list = byConsultation.get(id);
    if (list) list.push(facts);
    else byConsultation.set(id, [facts]);
  }
  return heads.map(({ key, doc }) => summaryOf(readable(reader, consultationsList.heads, doc, consultationsList.name)!.view, byConsultation.get(key) ?? [], now));
}

/** The stakeholders' facts under a key prefix, in invitation order. */
async function stakeholdersOf(reader: DocReader, prefix: string): Promise<StakeholderFacts[]> {
  return (await reader.list(Stakeholders, prefix)).map((x) => readable(reader, Stakeholders, x, consultationsList.name)!);
}

async function applyEvent(head: ListHead, e: DomainEvent, at: EventContext, docs: Docs): Promise<void> {
  const { summary } = head;
  switch (e.type) {
    case 'NotifyEmailsChanged':
      summary.notifyEmails = e.data.notifyEmails;
      return;
    case 'DraftPublished':
      if (summary.currentDraftVersion !== null && e.data.version <= summary.currentDraftVersion) return;
      summary.currentDraftVersion = e.data.version;
      summary.commentDeadline = e.data.commentDeadline;
      return;
    case 'StakeholderInvited': {
      const key = docKey(at.consultationId, e.data.stakeholderId);
      if (await docs.get(Stakeholders, key)) return;
      head.stakeholdersInvited++;
      docs.put(Stakeholders, key, {
        id: e.data.stakeholderId, endorser: e.data.endorser, removed: false, response: 'pending', liveComments: 0, reviewed: false, decisions: {},
        decidedEarlier: false,
        commentExtension: null,
      }, head.stakeholdersInvited);
      return;
    }
    case 'StakeholderDetailsChanged': {
      const { endorser } = e.data;
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => {
        if (!endorserChanged(x.endorser, endorser)) return;
        x.endorser = endorser;
        x.decidedEarlier ||= Object.keys(x.decisions).length > 0;
        x.decisions = {};
      });
      return;
    }
    case 'InvitationAccepted':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.response = 'accepted'; });
      return;
    case 'InvitationDeclined':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.response = 'declined'; });
      return;
    case 'StakeholderRemoved':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.removed = true; });
      return;
    case 'StakeholderReinstated':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => {
        x.removed = false;
        if (x.response === 'declined') x.response = 'pending';
      });
      return;
    case 'ReviewCompleted':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.reviewed = true; });
      return;
    case 'DraftEndorsed':
    case 'EndorsementWithheld': {
      const decision = e.type === 'DraftEndorsed' ? 'endorsed' : 'withheld';
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.decisions[String(e.data.draftVersion)] = decision; });
      return;
    }
    case 'CommentSubmitted': {
      const key = docKey(at.consultationId, e.data.commentId);
      if (await docs.get(Comments, key)) return;
      head.commentsSubmitted++;
      docs.put(Comments, key, { stakeholderId: e.data.stakeholderId, retracted: false, answered: false }, head.commentsSubmitted);
      head.commentsReceived++;
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.liveComments++; });
      return;
    }
    case 'CommentAnswered': {
      const key = docKey(at.consultationId, e.data.commentId);
      const comment = await docs.get(Comments, key);
      if (!comment || comment.retracted || comment.answered) return;
      comment.answered = true;
      docs.put(Comments, key, comment);
      head.commentsAnswered++;
      return;
    }
    case 'CommentRetracted': {
      const key = docKey(at.consultationId, e.data.commentId);
      const comment = await docs.get(Comments, key);
      if (!comment || comment.retracted) return;
      comment.retracted = true;
      docs.put(Comments, key, comment);
      head.commentsReceived--;
      if (comment.answered) head.commentsAnswered--;
      await withStakeholder(docs, at, comment.stakeholderId, (x) => { x.liveComments--; });
      return;
    }
    case 'EndorsementRequested':
      summary.endorsementDeadline = e.data.deadline;
      head.endorsementRequestVersion = e.data.draftVersion;
      return;
    case 'EndorsementRequestCancelled':
      if (head.endorsementRequestVersion !== e.data.draftVersion) return;
      summary.endorsementDeadline = null;
      head.endorsementRequestVersion = null;
      return;
    case 'DeadlineExtended':
      // an extension for one stakeholder changes nobody else's deadline
      if (e.data.stakeholderId !== undefined) {
        const { draftVersion, deadline } = e.data;
        if (e.data.phase === 'comments') await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.commentExtension = { draftVersion, deadline }; });
        return;
      }
      if (e.data.phase === 'comments') {
        if (e.data.draftVersion === summary.currentDraftVersion) summary.commentDeadline = e.data.deadline;
        return;
      }
      if (e.data.draftVersion === head.endorsementRequestVersion) summary.endorsementDeadline = e.data.deadline;
      return;
    case 'InboundReplyHeld':
    case 'InboundReplyAccepted':
    case 'InboundReplyDiscarded':
      head.pendingHeldReplies = pendingHeldAfter(head.pendingHeldReplies, e);
      return;
    case 'ConsultationClosed':
      summary.status = 'closed';
      summary.outcome = e.data.outcome;
      summary.finalDraftVersion = e.data.finalDraftVersion;
      summary.closedAt = at.recordedAt;
      return;
    default:
      // ConsultationOpened again, contacts and messages: only the last activity time moves
      return;
  }
}

/** Changes a known stakeholder's facts (and stores them); an unknown stakeholder changes nothing. */
async function withStakeholder(docs: Docs, at: EventContext, id: string, f: (x: StakeholderFacts) => void): Promise<void> {
  const key = docKey(at.consultationId, id);
  const x = await docs.get(Stakeholders, key);
  if (!x) return;
  f(x);
  docs.put(Stakeholders, key, x);
}

/**
 * The summary, with the stakeholder and endorsement counts and the readiness computed now by the
 * domain's rules (standing.ts) from the stakeholders' facts (in invitation order).
 */
function summaryOf(head: ListHead, stakeholders: readonly StakeholderFacts[], now: string): ConsultationSummary {
  const version = head.summary.currentDraftVersion === null ? null : String(head.summary.currentDraftVersion);
  let invited = 0, responding = 0, declined = 0, removed = 0, endorsementsReceived = 0, endorsementsRequired = 0;
  for (const x of stakeholders) {
    const facts = {
      endorser: x.endorser,
      removed: x.removed,
      declined: x.response === 'declined',
      accepted: x.response === 'accepted',
      commented: x.liveComments > 0,
      reviewed: x.reviewed,
      decided: x.decidedEarlier || Object.keys(x.decisions).length > 0,
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
  const { summary } = head;
  const blockers = summary.currentDraftVersion === null || summary.commentDeadline === null ? null : adoptionBlockers({
    stakeholders: stakeholders.map((x) => ({
      endorser: x.endorser, removed: x.removed, declined: x.response === 'declined', decision: version === null ? null : x.decisions[version] ?? null,
    })),
    // the list counts the comments awaiting an answer; the sign-off view names them
    unansweredComments: { count: head.commentsReceived - head.commentsAnswered, listed: [] },
    pendingHeldReplies: head.pendingHeldReplies,
    commentDeadline: summary.commentDeadline,
    ownCommentDeadlines: stakeholders.map((x) => ({
      removed: x.removed, declined: x.response === 'declined',
      deadline: ownDeadlineOverride(summary.commentDeadline!, x.commentExtension, summary.currentDraftVersion!),
    })),
    now,
  });
  return {
    id: summary.id,
    title: summary.title,
    leadOrganisation: summary.leadOrganisation,
    notifyEmails: summary.notifyEmails,
    status: summary.status,
    outcome: summary.outcome,
    finalDraftVersion: summary.finalDraftVersion,
    currentDraftVersion: summary.currentDraftVersion,
    commentDeadline: summary.commentDeadline,
    endorsementDeadline: summary.endorsementDeadline,
    counts: {
      invited, responding, declined, removed,
      commentsReceived: head.commentsReceived, commentsAnswered: head.commentsAnswered,
      endorsementsReceived, endorsementsRequired, heldRepliesPending: head.pendingHeldReplies.length,
    },
    readyForAdoption: blockers !== null && isReadyForAdoption(true, blockers),
    adoptionBlockedBy: blockers?.map((b) => b.code) ?? [],
    openedAt: summary.openedAt,
    closedAt: summary.closedAt,
    lastActivityAt: summary.lastActivityAt,
  };
}
