// Per consultation and draft version: where each endorser of the version stands, with its
// decisions and, for one removed, when and why; the endorsement deadline; and whether the version
// may be adopted, with every reason it may not (the rule closing applies: adoptionReasons).
//
// Documents:
// - the head (per consultation) holds the facts: per version its publication time, comment
//   deadline, request and the stakeholders that were its endorsers; the stakeholders that are
//   required endorsers now (a new version's endorsers); the comment counters; the pending held
//   replies' ids; the consultation's status and outcome. Versions are a handful and endorsers a
//   few dozen ids: small, whatever the number of comments;
// - "stakeholders": per stakeholder ("<consultation>/<stakeholder id>", in invitation order; every
//   one, so that one becoming an endorser after its invitation has its record) its records
//   (endorser or not, when it became or ceased to be one, removal, decline, own extensions, every
//   decision per version and how many of them no longer count), so a stakeholder's event rewrites
//   its own record and the head, not every stakeholder's;
// - "unanswered": one document per comment that awaits an answer ("<consultation>/<comment id>",
//   ordered by submission), removed once it is answered or retracted, so adoption's reasons can
//   name the comments without the head growing with them.
// What each version shows (its endorsers, counts, readiness and reasons, superseded endorsements,
// latest, adopted) is computed when the view is read, at the time of the read (a comment period
// may have closed since the last event), so an event changes only the facts it concerns.
//
// The view's shape is its zod schema (SignOffView); the sign-off route serves a version of it with
// a schema derived from these.
import { z } from 'zod';
import type { DomainEvent } from '../domain/events.ts';
import { StoredSignatory } from '../domain/events.ts';
import { commentRef, ownDeadline, ownDeadlineOverride } from '../domain/rules.ts';
import { ConsultationStatus, Outcome } from '../domain/schemas.ts';
import {
  AdoptionReason, adoptionReasons, decisionThatCounts, endorserChanged, isReadyForAdoption, isRequiredEndorser, UnansweredComment,
} from '../domain/standing.ts';
import { collection, docKey, pendingHeldAfter, perConsultation, readable, type DocReader, type Docs, type EventContext } from './projection.ts';
import { ERASED } from '../domain/erased.ts';

/** Who gave the command that recorded it (the event's metadata): the coordinator on an endorser's behalf, the endorser through its link, a worker. */
export const RecordedBy = z.object({ role: z.string(), id: z.string() }).nullable()
  .describe('who recorded it (the command\'s actor): a coordinator on the stakeholder\'s behalf, the stakeholder itself, or a worker');

/** The contact person who made a decision for the organisation (through a personal link): the decision stays the organisation's. */
const ContactId = z.string().nullable()
  .describe('the contact person of the endorser who made this decision (through a personal link); null: the organisation as a whole (or recorded by a coordinator)');

export const Endorsement = z.object({
  status: z.literal('endorsed'),
  signatory: StoredSignatory.describe('who signed, and as what'),
  statement: z.string().nullable(),
  evidence: z.string().nullable().describe('e.g. the reference of a signed letter'),
  endorsedAt: z.string(),
  actor: RecordedBy,
  contactId: ContactId,
});
export type Endorsement = z.infer<typeof Endorsement>;

export const Withholding = z.object({ status: z.literal('withheld'), reason: z.string(), withheldAt: z.string(), actor: RecordedBy, contactId: ContactId });
export type Withholding = z.infer<typeof Withholding>;

/** An endorser's decision on a version: a later one replaces an earlier one (and the earlier ones stay in its history). */
export const Decision = z.discriminatedUnion('status', [Endorsement, Withholding]);
export type Decision = z.infer<typeof Decision>;

export const Removal = z.object({ removedAt: z.string(), reason: z.string(), actor: RecordedBy })
  .describe('when it was removed from the consultation, why and by whom; null while it takes part (a reinstatement clears it)');
export type Removal = z.infer<typeof Removal>;

/**
 * A change of whether a stakeholder is an endorser: its invitation as one, or a correction of its
 * details (StakeholderDetailsChanged) making it become or cease to be one. Decisions count only
 * while it is one, and only those made since it last became one (endorserChanged).
 */
export const EndorserChange = z.object({
  endorser: z.boolean().describe('true: it became an endorser; false: it ceased to be one'),
  changedAt: z.string(),
  cause: z.enum(['invited', 'details-changed']).describe('its invitation as an endorser, or a correction of its details'),
  actor: RecordedBy,
});
export type EndorserChange = z.infer<typeof EndorserChange>;

const EndorserBase = z.object({
  stakeholderId: z.string(),
  organisation: z.string(),
  required: z.boolean().describe('it counts for adoption now: an endorser that was not removed (one that declined is still required)'),
  invitationDeclined: z.boolean().describe('it declined the invitation: still required, pending until reinstated and endorsing'),
  deadline: z.string().nullable().describe('its deadline on this version\'s request (its own extension where later); null before a request'),
  removal: Removal.nullable(),
  history: z.array(Decision).describe('every decision it recorded on this version, oldest first (withheld → endorsed, each signatory): the last is its latest; those made before its latest change in `endorserHistory` no longer count'),
  endorserHistory: z.array(EndorserChange).describe('when it became an endorser (or ceased to be one), oldest first'),
});

export const EndorserSignOff = z.discriminatedUnion('status', [
  EndorserBase.extend({ status: z.literal('pending') }),
  EndorserBase.extend(Endorsement.shape),
  EndorserBase.extend(Withholding.shape),
  EndorserBase.extend({ status: z.literal('removed') }),
  EndorserBase.extend({ status: z.literal('not-an-endorser') }),
]).describe('its latest decision on this version, as far as it counts (pending: none, or it declined its invitation, or it became an endorser again since); `removed` when it was removed, `not-an-endorser` when it ceased to be one: its decisions stay in `history`, not counted');
export type EndorserSignOff = z.infer<typeof EndorserSignOff>;

export const EndorsementRequestState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('not-requested') }),
  z.object({ status: z.literal('open'), requestedAt: z.string(), deadline: z.string() }),
  z.object({
    status: z.literal('cancelled'), requestedAt: z.string(), deadline: z.string(), cancelledAt: z.string(),
    reason: z.string().describe('`superseded` when a newer draft was published'),
  }),
  z.object({
    status: z.literal('closed'), requestedAt: z.string(), deadline: z.string(), closedAt: z.string(),
    outcome: Outcome.describe('the consultation was closed while the request was open: adopted or withdrawn'),
  }),
]).describe('the latest request for this version (a cancelled one may be followed by a new one)');
export type EndorsementRequestState = z.infer<typeof EndorsementRequestState>;

/** An endorsement of an older version (by any endorser, removed ones included: it is history): listed on newer versions, never counted there. */
export const SupersededEndorsement = z.object({
  stakeholderId: z.string(),
  organisation: z.string(),
  draftVersion: z.number().int(),
  signatory: StoredSignatory,
  endorsedAt: z.string(),
});
export type SupersededEndorsement = z.infer<typeof SupersededEndorsement>;

export const VersionSignOff = z.object({
  draftVersion: z.number().int().describe('the version this sign-off is for'),
  publishedAt: z.string(),
  /** the latest published version: the only one that can be adopted */
  isLatest: z.boolean(),
  commentDeadline: z.string().describe('this version\'s comment deadline for everyone (stakeholders\' own extensions: see `adoptionBlockedBy`)'),
  request: EndorsementRequestState,
  /** everyone's deadline on the request; null before a request */
  endorsementDeadline: z.string().nullable(),
  endorsers: z.array(EndorserSignOff)
    .describe('every stakeholder that was an endorser of this version (removed ones included, with when and why), in invitation order'),
  counts: z.object({ required: z.number().int(), endorsed: z.number().int(), withheld: z.number().int(), pending: z.number().int() })
    .describe('of the required endorsers'),
  /** see adoptionBlockers (src/domain/standing.ts) */
  readyForAdoption: z.boolean().describe('the latest version, and nothing blocks its adoption now (`adoptionBlockedBy` is empty)'),
  adoptionBlockedBy: z.array(AdoptionReason)
    .describe('every reason this version cannot be adopted at the time of the request: what closing as adopted answers in ADOPTION_BLOCKED\'s details.reasons'),
  /** the consultation was closed as adopted with this version */
  adopted: z.boolean(),
  /** by version then invitation order */
  superseded: z.array(SupersededEndorsement).describe('endorsements of older versions: listed, never counted'),
});
export type VersionSignOff = z.infer<typeof VersionSignOff>;

/** An own extension: valid for the draft version it was granted on. */
const OwnExtension = z.object({ draftVersion: z.number(), deadline: z.string() });

/** Everything known about a stakeholder that sign-off needs; the versions are derived from these. */
export const StakeholderRecord = z.object({
  stakeholderId: z.string(),
  organisation: z.string(),
  /** an endorser now */
  endorser: z.boolean(),
  endorserHistory: z.array(EndorserChange).describe('[] for a stakeholder that was never an endorser'),
  removal: Removal.nullable(),
  declined: z.boolean(),
  /** its latest own extension of the endorsement deadline */
  extension: OwnExtension.nullable(),
  /** its latest own extension of the comment deadline */
  commentExtension: OwnExtension.nullable(),
  /** every decision per draft version, oldest first (keys are version numbers) */
  decisions: z.record(z.string(), z.array(Decision)),
  /** per draft version, how many of its decisions were made before it last became or ceased to be an endorser: those no longer count */
  notCounted: z.record(z.string(), z.number().int()),
});
export type StakeholderRecord = z.infer<typeof StakeholderRecord>;

export const SignOffView = z.object({
  consultationId: z.string(),
  status: ConsultationStatus.describe('the consultation\'s'),
  outcome: Outcome.nullable(),
  finalDraftVersion: z.number().int().nullable(),
  latestVersion: z.number().int().nullable(),
  /** by version, ascending */
  versions: z.array(VersionSignOff),
  /** every stakeholder that was ever an endorser, in invitation order, removed ones included */
  endorsers: z.array(StakeholderRecord),
});
export type SignOffView = z.infer<typeof SignOffView>;

/** A version's own facts; the rest of its sign-off is derived from these and the stakeholders' records. */
const VersionFacts = VersionSignOff.pick({ draftVersion: true, publishedAt: true, commentDeadline: true, request: true }).extend({
  /** the stakeholders that were its endorsers (not removed) at some time while it was the latest version */
  endorserIds: z.array(z.string()),
});
type VersionFacts = z.infer<typeof VersionFacts>;

const SignOffHead = SignOffView.omit({ versions: true, endorsers: true }).extend({
  /** by version, ascending */
  versions: z.array(VersionFacts),
  /** stakeholders invited so far: the next stakeholder document's `order` */
  stakeholdersInvited: z.number().int(),
  /** the stakeholders that are required endorsers now (isRequiredEndorser), in the order they became one */
  requiredEndorsers: z.array(z.string()),
  comments: z.object({
    /** comments submitted so far (retracted ones included): the next one's reference and order */
    submitted: z.number().int(),
    /** comments that await an answer: the documents in "unanswered" */
    unanswered: z.number().int(),
  }),
  /** the replies by e-mail held and not yet accepted or discarded, in the order held (a handful: they block adoption) */
  pendingHeldReplies: z.array(z.string()),
});
type SignOffHead = z.infer<typeof SignOffHead>;

/** The comments that await an answer (awaitsAnswer), one document each, in submission order. */
const Unanswered = collection('unanswered', UnansweredComment);
/** Every stakeholder's records, in invitation order. */
const Stakeholders = collection('stakeholders', StakeholderRecord);
const NAME = 'sign-off';

export const signOff = perConsultation<SignOffHead, SignOffView>({
  name: NAME,
  version: 7,
  head: SignOffHead,
  collections: [Unanswered, Stakeholders],
  open(e) {
    return {
      consultationId: e.data.consultationId, status: 'open', outcome: null, finalDraftVersion: null, latestVersion: null,
      versions: [], stakeholdersInvited: 0, requiredEndorsers: [], comments: { submitted: 0, unanswered: 0 }, pendingHeldReplies: [],
    };
  },
  apply: applyEvent,
}, async (head, reader, consultationId, now) => {
  const unanswered = head.comments.unanswered === 0 ? [] : await unansweredComments(reader, consultationId);
  const stakeholders = (await reader.list(Stakeholders, `${consultationId}/`)).map((x) => readable(reader, Stakeholders, x, NAME)!);
  return {
    consultationId: head.consultationId,
    status: head.status,
    outcome: head.outcome,
    finalDraftVersion: head.finalDraftVersion,
    latestVersion: head.latestVersion,
    versions: head.versions.map((v) => deriveVersion(v, head, stakeholders, unanswered, now)),
    endorsers: stakeholders.filter(wasEverEndorser),
  };
});

/** One version's sign-off (the latest when no version is given), or null. */
export function versionSignOff(view: SignOffView, draftVersion?: number): VersionSignOff | null {
  const version = draftVersion ?? view.latestVersion;
  return view.versions.find((v) => v.draftVersion === version) ?? null;
}

async function unansweredComments(reader: DocReader, consultationId: string): Promise<UnansweredComment[]> {
  const docs = await reader.list(Unanswered, `${consultationId}/`);
  return docs.map((d) => readable(reader, Unanswered, d, NAME)!);
}

function wasEverEndorser(x: StakeholderRecord): boolean {
  return x.endorserHistory.some((c) => c.endorser);
}

async function applyEvent(head: SignOffHead, e: DomainEvent, at: EventContext, docs: Docs): Promise<void> {
  switch (e.type) {
    case 'DraftPublished': {
      if (head.versions.some((v) => v.draftVersion === e.data.version)) return;
      head.versions.push({
        draftVersion: e.data.version, publishedAt: at.recordedAt, commentDeadline: e.data.commentDeadline, request: { status: 'not-requested' },
        endorserIds: [...head.requiredEndorsers],
      });
      head.versions.sort((a, b) => a.draftVersion - b.draftVersion);
      head.latestVersion = Math.max(head.latestVersion ?? 0, e.data.version);
      return;
    }
    case 'StakeholderInvited': {
      const key = docKey(at.consultationId, e.data.stakeholderId);
      if (await docs.get(Stakeholders, key)) return;
      const x: StakeholderRecord = {
        stakeholderId: e.data.stakeholderId, organisation: e.data.organisation, endorser: e.data.endorser,
        endorserHistory: e.data.endorser ? [{ endorser: true, changedAt: at.recordedAt, cause: 'invited', actor: at.actor }] : [],
        removal: null, declined: false, extension: null, commentExtension: null, decisions: {}, notCounted: {},
      };
      head.stakeholdersInvited++;
      docs.put(Stakeholders, key, x, head.stakeholdersInvited);
      enlist(head, x);
      return;
    }
    case 'StakeholderDetailsChanged': {
      const { organisation, endorser } = e.data;
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => {
        if (organisation !== undefined) x.organisation = organisation;
        if (!endorserChanged(x.endorser, endorser)) return;
        // what it decided until now stays in its history and no longer counts
        for (const [key, decisions] of Object.entries(x.decisions)) x.notCounted[key] = decisions.length;
        x.endorser = endorser;
        x.endorserHistory.push({ endorser, changedAt: at.recordedAt, cause: 'details-changed', actor: at.actor });
      }).then((x) => x && enlist(head, x));
      return;
    }
    case 'InvitationDeclined':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.declined = true; });
      return;
    case 'InvitationAccepted':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => { x.declined = false; });
      return;
    case 'StakeholderRemoved':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => {
        if (x.removal === null) x.removal = { removedAt: at.recordedAt, reason: e.data.reason, actor: at.actor };
      }).then((x) => x && enlist(head, x));
      return;
    case 'StakeholderReinstated':
      await withStakeholder(docs, at, e.data.stakeholderId, (x) => {
        x.removal = null;
        x.declined = false;
      }).then((x) => x && enlist(head, x));
      return;
    case 'EndorsementRequested':
      withVersion(head, e.data.draftVersion, (v) => { v.request = { status: 'open', requestedAt: at.recordedAt, deadline: e.data.deadline }; });
      return;
    case 'EndorsementRequestCancelled':
      withVersion(head, e.data.draftVersion, (v) => {
        if (v.request.status !== 'open') return;
        v.request = { status: 'cancelled', requestedAt: v.request.requestedAt, deadline: v.request.deadline, cancelledAt: at.recordedAt, reason: e.data.reason };
      });
      return;
    case 'DeadlineExtended': {
      const { phase, draftVersion, deadline, stakeholderId } = e.data;
      if (stakeholderId !== undefined) {
        await withStakeholder(docs, at, stakeholderId, (x) => {
          if (phase === 'endorsement') x.extension = { draftVersion, deadline };
          else x.commentExtension = { draftVersion, deadline };
        });
        return;
      }
      withVersion(head, draftVersion, (v) => {
        if (phase === 'comments') v.commentDeadline = deadline;
        else if (v.request.status === 'open') v.request.deadline = deadline;
      });
      return;
    }
    case 'DraftEndorsed': {
      const { stakeholderId, draftVersion, signatory, statement, evidence, contactId } = e.data;
      await record(docs, at, stakeholderId, draftVersion, {
        status: 'endorsed', signatory, statement: statement ?? null, evidence: evidence ?? null, endorsedAt: at.recordedAt, actor: at.actor,
        contactId: contactId ?? null,
      });
      return;
    }
    case 'PersonalDataErased':
      // the signatories' names of the signatures named (a DraftEndorsed by when it was recorded)
      for (const { stakeholderId, draftVersion, recordedAt } of e.data.signatures) {
        await withStakeholder(docs, at, stakeholderId, (x) => {
          for (const d of x.decisions[String(draftVersion)] ?? []) {
            if (d.status === 'endorsed' && d.endorsedAt === recordedAt) d.signatory = { ...d.signatory, name: ERASED };
          }
        });
      }
      return;
    case 'EndorsementWithheld': {
      const { stakeholderId, draftVersion, reason, contactId } = e.data;
      await record(docs, at, stakeholderId, draftVersion, { status: 'withheld', reason, withheldAt: at.recordedAt, actor: at.actor, contactId: contactId ?? null });
      return;
    }
    case 'CommentSubmitted': {
      // a new comment awaits an answer (awaitsAnswer) until it is answered or retracted
      head.comments.submitted++;
      head.comments.unanswered++;
      const { commentId } = e.data;
      docs.put(Unanswered, docKey(at.consultationId, commentId), { commentId, ref: commentRef(head.comments.submitted) }, head.comments.submitted);
      return;
    }
    case 'CommentAnswered':
    case 'CommentRetracted': {
      const key = docKey(at.consultationId, e.data.commentId);
      if (!await docs.get(Unanswered, key)) return; // answered or retracted already: it awaits nothing
      docs.delete(Unanswered, key);
      head.comments.unanswered--;
      return;
    }
    case 'InboundReplyHeld':
    case 'InboundReplyAccepted':
    case 'InboundReplyDiscarded':
      head.pendingHeldReplies = pendingHeldAfter(head.pendingHeldReplies, e);
      return;
    case 'ConsultationClosed':
      head.status = 'closed';
      head.outcome = e.data.outcome;
      head.finalDraftVersion = e.data.finalDraftVersion;
      for (const v of head.versions) {
        if (v.request.status !== 'open') continue;
        v.request = { status: 'closed', requestedAt: v.request.requestedAt, deadline: v.request.deadline, closedAt: at.recordedAt, outcome: e.data.outcome };
      }
      return;
    default:
      return;
  }
}

/** Changes a known stakeholder's records (and stores them), and gives them back; an unknown stakeholder changes nothing (null). */
async function withStakeholder(docs: Docs, at: EventContext, id: string, f: (x: StakeholderRecord) => void): Promise<StakeholderRecord | null> {
  const key = docKey(at.consultationId, id);
  const x = await docs.get(Stakeholders, key);
  if (!x) return null;
  f(x);
  docs.put(Stakeholders, key, x);
  return x;
}

function withVersion(head: SignOffHead, draftVersion: number, f: (v: VersionFacts) => void): void {
  const v = head.versions.find((x) => x.draftVersion === draftVersion);
  if (v) f(v);
}

/**
 * Keeps the required endorsers up to date after a change to a stakeholder's records; one that is
 * now a required endorser is an endorser of the latest version (once).
 */
function enlist(head: SignOffHead, x: StakeholderRecord): void {
  const id = x.stakeholderId;
  if (!isRequiredEndorser({ endorser: x.endorser, removed: x.removal !== null })) {
    head.requiredEndorsers = head.requiredEndorsers.filter((r) => r !== id);
    return;
  }
  if (!head.requiredEndorsers.includes(id)) head.requiredEndorsers.push(id);
  const latest = head.versions.find((v) => v.draftVersion === head.latestVersion);
  if (latest && !latest.endorserIds.includes(id)) latest.endorserIds.push(id);
}

async function record(docs: Docs, at: EventContext, stakeholderId: string, draftVersion: number, decision: Decision): Promise<void> {
  await withStakeholder(docs, at, stakeholderId, (x) => {
    if (!x.endorser) return; // decide refuses a decision by a non-endorser: none is recorded
    (x.decisions[String(draftVersion)] ??= []).push(decision);
  });
}

/** A version's endorsers, counts, readiness and reasons, and superseded endorsements, from the records (a handful of each: cheap). */
function deriveVersion(
  v: VersionFacts, head: SignOffHead, stakeholders: readonly StakeholderRecord[], unanswered: readonly UnansweredComment[], now: string,
): VersionSignOff {
  const key = String(v.draftVersion);
  const request = v.request.status === 'not-requested' ? null : v.request;
  /** its latest decision on the version that counts: made since it last became an endorser */
  const latestOf = (x: StakeholderRecord) => {
    const decisions = x.decisions[key] ?? [];
    return decisions.length > (x.notCounted[key] ?? 0) ? decisions.at(-1)! : null;
  };
  const endorsers: EndorserSignOff[] = stakeholders.filter((x) => v.endorserIds.includes(x.stakeholderId)).map((x) => {
    const removed = x.removal !== null;
    const deadline = request === null ? null : ownDeadline(request.deadline, x.extension, v.draftVersion);
    const base = {
      stakeholderId: x.stakeholderId, organisation: x.organisation, required: isRequiredEndorser({ endorser: x.endorser, removed }),
      invitationDeclined: x.declined, deadline, removal: x.removal, history: x.decisions[key] ?? [], endorserHistory: x.endorserHistory,
    };
    if (!x.endorser) return { ...base, status: 'not-an-endorser' as const };
    if (removed) return { ...base, status: 'removed' as const };
    return { ...base, ...(decisionThatCounts(x, latestOf(x)) ?? { status: 'pending' as const }) };
  });
  const required = endorsers.filter((x) => x.required);
  const counts = {
    required: required.length,
    endorsed: required.filter((x) => x.status === 'endorsed').length,
    withheld: required.filter((x) => x.status === 'withheld').length,
    pending: required.filter((x) => x.status === 'pending').length,
  };
  const superseded: SupersededEndorsement[] = [];
  for (const older of head.versions) {
    if (older.draftVersion >= v.draftVersion) break;
    for (const x of stakeholders) {
      const d = x.decisions[String(older.draftVersion)]?.at(-1);
      if (d?.status === 'endorsed') {
        superseded.push({ stakeholderId: x.stakeholderId, organisation: x.organisation, draftVersion: older.draftVersion, signatory: d.signatory, endorsedAt: d.endorsedAt });
      }
    }
  }
  const isLatest = v.draftVersion === head.latestVersion;
  const reasons = adoptionReasons({
    stakeholders: stakeholders.map((x) => {
      const d = latestOf(x);
      return {
        stakeholderId: x.stakeholderId, organisation: x.organisation, endorser: x.endorser, removed: x.removal !== null, declined: x.declined,
        decision: d?.status ?? null, withheldReason: d?.status === 'withheld' ? d.reason : null,
      };
    }),
    unansweredComments: { count: head.comments.unanswered, listed: unanswered },
    pendingHeldReplies: head.pendingHeldReplies,
    commentDeadline: v.commentDeadline,
    ownCommentDeadlines: stakeholders.map((x) => ({
      stakeholderId: x.stakeholderId, organisation: x.organisation, removed: x.removal !== null, declined: x.declined,
      deadline: ownDeadlineOverride(v.commentDeadline, x.commentExtension, v.draftVersion),
    })),
    now,
  });
  return {
    draftVersion: v.draftVersion,
    publishedAt: v.publishedAt,
    isLatest,
    commentDeadline: v.commentDeadline,
    request: v.request,
    endorsementDeadline: request?.deadline ?? null,
    endorsers,
    counts,
    readyForAdoption: isReadyForAdoption(isLatest, reasons),
    adoptionBlockedBy: reasons,
    adopted: head.outcome === 'adopted' && head.finalDraftVersion === v.draftVersion,
    superseded,
  };
}
