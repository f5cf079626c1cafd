// Per consultation and draft version: where each required endorser stands, the endorsement
// deadline, and whether the version may be adopted.
//
// Documents: one head per consultation (endorsers and draft versions are few) holding the facts:
// per version its publication time and request, per endorser its records (removal, decline, own
// extension, latest decision per version, when it became or ceased to be an endorser), and the
// consultation's status and outcome. Besides, per stakeholder ("<consultation>/<stakeholder>") the
// facts its record starts from should it become an endorser after its invitation. What each
// version shows of them (its endorsers, counts, readiness, superseded endorsements, latest,
// adopted) is computed when the view is read, so an event changes only the facts it concerns.
//
// The view's shape is its zod schema (SignOffView); the sign-off route serves a version of it with
// a schema derived from these.
import { z } from 'zod';
import type { DomainEvent, EventOf } from '../domain/events.ts';
import { StoredSignatory } from '../domain/events.ts';
import { ownDeadline } from '../domain/rules.ts';
import { ConsultationStatus, Outcome } from '../domain/schemas.ts';
import { decisionThatCounts, endorserChanged, isReadyForAdoption, isRequiredEndorser } from '../domain/standing.ts';
import { collection, docKey, perConsultation, type Docs, type EventContext } from './projection.ts';

export const Endorsement = z.object({
  status: z.literal('endorsed'),
  signatory: StoredSignatory,
  statement: z.string().nullable(),
  evidence: z.string().nullable(),
  endorsedAt: z.string(),
});
export type Endorsement = z.infer<typeof Endorsement>;

export const Withholding = z.object({ status: z.literal('withheld'), reason: z.string(), withheldAt: z.string() });
export type Withholding = z.infer<typeof Withholding>;

/** An endorser's latest decision on a version: a later one replaces an earlier one. */
export const Decision = z.discriminatedUnion('status', [Endorsement, Withholding]);
export type Decision = z.infer<typeof Decision>;

/** When a stakeholder became or ceased to be an endorser after its invitation (StakeholderDetailsChanged). */
export const EndorserChange = z.discriminatedUnion('change', [
  z.object({ change: z.literal('became-endorser'), at: z.string() }),
  z.object({
    change: z.literal('ceased-to-be-endorser'),
    at: z.string(),
    decisions: z.record(z.string(), Decision).describe('its latest decision per draft version until then: history, no longer counted'),
  }),
]);
export type EndorserChange = z.infer<typeof EndorserChange>;

const EndorserBase = z.object({
  stakeholderId: z.string(),
  organisation: z.string(),
  invitationDeclined: z.boolean().describe('it declined the invitation: still required, pending until reinstated and endorsing'),
  deadline: z.string().nullable().describe('its deadline on this version\'s request (its own extension where later); null before a request'),
  endorserHistory: z.array(EndorserChange).optional()
    .describe('when it became or ceased to be an endorser after its invitation, oldest first; absent for one that has been an endorser since its invitation'),
});

export const EndorserSignOff = z.discriminatedUnion('status', [
  EndorserBase.extend({ status: z.literal('pending') }),
  EndorserBase.extend(Endorsement.shape),
  EndorserBase.extend(Withholding.shape),
]).describe('its latest decision on this version: a later one replaces an earlier one');
export type EndorserSignOff = z.infer<typeof EndorserSignOff>;

export const EndorsementRequestState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('not-requested') }),
  z.object({ status: z.literal('open'), requestedAt: z.string(), deadline: z.string() }),
  z.object({
    status: z.literal('cancelled'), requestedAt: z.string(), deadline: z.string(), cancelledAt: z.string(),
    reason: z.string().describe('`superseded` when a newer draft was published'),
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
  request: EndorsementRequestState,
  /** everyone's deadline on the request; null before a request */
  endorsementDeadline: z.string().nullable(),
  endorsers: z.array(EndorserSignOff).describe('every required endorser (an endorser now, not removed), in the order of `endorsers`'),
  counts: z.object({ required: z.number().int(), endorsed: z.number().int(), withheld: z.number().int(), pending: z.number().int() }),
  /** see isReadyForAdoption (src/domain/standing.ts) */
  readyForAdoption: z.boolean().describe('the latest version, and every required endorser endorsed it'),
  /** the consultation was closed as adopted with this version */
  adopted: z.boolean(),
  /** by version then invitation order */
  superseded: z.array(SupersededEndorsement).describe('endorsements of older versions: listed, never counted'),
});
export type VersionSignOff = z.infer<typeof VersionSignOff>;

/** Everything known about a stakeholder that is or was an endorser; the versions are derived from these. */
export const EndorserRecord = z.object({
  stakeholderId: z.string(),
  organisation: z.string(),
  endorser: z.boolean().describe('an endorser now; false once it ceased to be one (its record stays, with its history)'),
  endorserHistory: z.array(EndorserChange).describe('when it became or ceased to be an endorser after its invitation, oldest first'),
  removed: z.boolean(),
  declined: z.boolean(),
  /** its latest own extension of the endorsement deadline */
  extension: z.object({ draftVersion: z.number(), deadline: z.string() }).nullable(),
  /** its latest decision per draft version (keys are version numbers) since it last became an endorser: the ones that count */
  decisions: z.record(z.string(), Decision),
});
export type EndorserRecord = z.infer<typeof EndorserRecord>;


export const SignOffView = z.object({
  consultationId: z.string(),
  status: ConsultationStatus.describe('the consultation\'s'),
  outcome: Outcome.nullable(),
  finalDraftVersion: z.number().int().nullable(),
  latestVersion: z.number().int().nullable(),
  /** by version, ascending */
  versions: z.array(VersionSignOff),
  /** those invited as endorsers in invitation order, then those that became one later in the order they did; removed ones and former endorsers included */
  endorsers: z.array(EndorserRecord),
});
export type SignOffView = z.infer<typeof SignOffView>;

/** A version's own facts; the rest of its sign-off is derived from these and the endorsers' records. */
const VersionFacts = VersionSignOff.pick({ draftVersion: true, publishedAt: true, request: true });
type VersionFacts = z.infer<typeof VersionFacts>;

const SignOffHead = SignOffView.omit({ versions: true }).extend({
  /** by version, ascending */
  versions: z.array(VersionFacts),
});
type SignOffHead = z.infer<typeof SignOffHead>;

/** A stakeholder's facts, kept for every stakeholder: what its record starts from if it becomes an endorser after its invitation. */
const StakeholderFacts = collection('stakeholders', EndorserRecord.pick({ organisation: true, removed: true, declined: true, extension: true }));

export const signOff = perConsultation<SignOffHead, SignOffView>({
  name: 'sign-off',
  version: 3,
  head: SignOffHead,
  collections: [StakeholderFacts],
  open(e) {
    return { consultationId: e.data.consultationId, status: 'open', outcome: null, finalDraftVersion: null, latestVersion: null, versions: [], endorsers: [] };
  },
  async apply(head, e, at, docs) {
    await keepStakeholderFacts(e, at, docs);
    if (e.type === 'StakeholderDetailsChanged') await changeDetails(head, e.data, at, docs);
    else applyEvent(head, e, at);
  },
}, (head) => ({ ...head, versions: head.versions.map((v) => deriveVersion(v, head)) }));

/** One version's sign-off (the latest when no version is given), or null. */
export function versionSignOff(view: SignOffView, draftVersion?: number): VersionSignOff | null {
  const version = draftVersion ?? view.latestVersion;
  return view.versions.find((v) => v.draftVersion === version) ?? null;
}

function applyEvent(head: SignOffHead, e: DomainEvent, at: EventContext): void {
  switch (e.type) {
    case 'DraftPublished': {
      if (head.versions.some((v) => v.draftVersion === e.data.version)) return;
      head.versions.push({ draftVersion: e.data.version, publishedAt: at.recordedAt, request: { status: 'not-requested' } });
      head.versions.sort((a, b) => a.draftVersion - b.draftVersion);
      head.latestVersion = Math.max(head.latestVersion ?? 0, e.data.version);
      return;
    }
    case 'StakeholderInvited':
      if (!e.data.endorser || endorser(head, e.data.stakeholderId)) return;
      head.endorsers.push({
        stakeholderId: e.data.stakeholderId, organisation: e.data.organisation, endorser: true, endorserHistory: [],
        removed: false, declined: false, extension: null, decisions: {},
      });
      return;
    case 'InvitationDeclined':
      withEndorser(head, e.data.stakeholderId, (x) => { x.declined = true; });
      return;
    case 'InvitationAccepted':
      withEndorser(head, e.data.stakeholderId, (x) => { x.declined = false; });
      return;
    case 'StakeholderRemoved':
      withEndorser(head, e.data.stakeholderId, (x) => { x.removed = true; });
      return;
    case 'StakeholderReinstated':
      withEndorser(head, e.data.stakeholderId, (x) => {
        x.removed = false;
        x.declined = false;
      });
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
      if (phase !== 'endorsement') return;
      if (stakeholderId !== undefined) {
        withEndorser(head, stakeholderId, (x) => { x.extension = { draftVersion, deadline }; });
        return;
      }
      withVersion(head, draftVersion, (v) => {
        if (v.request.status === 'open') v.request.deadline = deadline;
      });
      return;
    }
    case 'DraftEndorsed': {
      const { stakeholderId, draftVersion, signatory, statement, evidence } = e.data;
      const decision: Endorsement = { status: 'endorsed', signatory, statement: statement ?? null, evidence: evidence ?? null, endorsedAt: at.recordedAt };
      withEndorser(head, stakeholderId, (x) => { x.decisions[String(draftVersion)] = decision; });
      return;
    }
    case 'EndorsementWithheld': {
      const { stakeholderId, draftVersion, reason } = e.data;
      const decision: Withholding = { status: 'withheld', reason, withheldAt: at.recordedAt };
      withEndorser(head, stakeholderId, (x) => { x.decisions[String(draftVersion)] = decision; });
      return;
    }
    case 'ConsultationClosed':
      head.status = 'closed';
      head.outcome = e.data.outcome;
      head.finalDraftVersion = e.data.finalDraftVersion;
      return;
    default:
      return;
  }
}

/** Every stakeholder's own facts, so that one becoming an endorser later starts its record from them. */
async function keepStakeholderFacts(e: DomainEvent, at: EventContext, docs: Docs): Promise<void> {
  if (e.type === 'StakeholderInvited') {
    const key = docKey(at.consultationId, e.data.stakeholderId);
    if (!await docs.get(StakeholderFacts, key)) docs.put(StakeholderFacts, key, { organisation: e.data.organisation, removed: false, declined: false, extension: null });
    return;
  }
  const change = async (id: string, f: (x: z.infer<typeof StakeholderFacts.schema>) => void) => {
    const key = docKey(at.consultationId, id);
    const x = await docs.get(StakeholderFacts, key);
    if (!x) return;
    f(x);
    docs.put(StakeholderFacts, key, x);
  };
  switch (e.type) {
    case 'StakeholderDetailsChanged': {
      const { organisation } = e.data;
      if (organisation !== undefined) await change(e.data.stakeholderId, (x) => { x.organisation = organisation; });
      return;
    }
    case 'InvitationDeclined':
      return change(e.data.stakeholderId, (x) => { x.declined = true; });
    case 'InvitationAccepted':
      return change(e.data.stakeholderId, (x) => { x.declined = false; });
    case 'StakeholderRemoved':
      return change(e.data.stakeholderId, (x) => { x.removed = true; });
    case 'StakeholderReinstated':
      return change(e.data.stakeholderId, (x) => {
        x.removed = false;
        x.declined = false;
      });
    case 'DeadlineExtended': {
      const { phase, stakeholderId, draftVersion, deadline } = e.data;
      if (phase === 'endorsement' && stakeholderId !== undefined) await change(stakeholderId, (x) => { x.extension = { draftVersion, deadline }; });
      return;
    }
    default:
      return;
  }
}

/**
 * A correction of a stakeholder: a new name shows on its record; becoming an endorser starts (or
 * resumes) its record, pending on every version until it decides; ceasing to be one keeps the
 * record with the decisions it had made, in its history, no longer counted (endorserChanged).
 */
async function changeDetails(head: SignOffHead, data: EventOf<'StakeholderDetailsChanged'>['data'], at: EventContext, docs: Docs): Promise<void> {
  const x = endorser(head, data.stakeholderId);
  if (x && data.organisation !== undefined) x.organisation = data.organisation;
  if (x) {
    if (!endorserChanged(x.endorser, data.endorser)) return;
    if (data.endorser) x.endorserHistory.push({ change: 'became-endorser', at: at.recordedAt });
    else x.endorserHistory.push({ change: 'ceased-to-be-endorser', at: at.recordedAt, decisions: x.decisions });
    x.endorser = data.endorser;
    x.decisions = {};
    return;
  }
  if (data.endorser !== true) return;
  const facts = await docs.get(StakeholderFacts, docKey(at.consultationId, data.stakeholderId));
  if (!facts) return;
  head.endorsers.push({
    stakeholderId: data.stakeholderId, organisation: facts.organisation, endorser: true, endorserHistory: [{ change: 'became-endorser', at: at.recordedAt }],
    removed: facts.removed, declined: facts.declined, extension: facts.extension, decisions: {},
  });
}

function endorser(head: SignOffHead, id: string): EndorserRecord | undefined {
  return head.endorsers.find((x) => x.stakeholderId === id);
}

function withEndorser(head: SignOffHead, id: string, f: (x: EndorserRecord) => void): void {
  const x = endorser(head, id);
  if (x) f(x);
}

function withVersion(head: SignOffHead, draftVersion: number, f: (v: VersionFacts) => void): void {
  const v = head.versions.find((x) => x.draftVersion === draftVersion);
  if (v) f(v);
}

/** A version's endorsers, counts, readiness and superseded endorsements, from the records (a handful of each: cheap). */
function deriveVersion(v: VersionFacts, head: SignOffHead): VersionSignOff {
  const key = String(v.draftVersion);
  const request = v.request.status === 'not-requested' ? null : v.request;
  const required = head.endorsers.filter((x) => isRequiredEndorser(x));
  const endorsers: EndorserSignOff[] = required.map((x) => {
    const deadline = request === null ? null : ownDeadline(request.deadline, x.extension, v.draftVersion);
    const base = {
      stakeholderId: x.stakeholderId, organisation: x.organisation, invitationDeclined: x.declined, deadline,
      ...(x.endorserHistory.length > 0 ? { endorserHistory: x.endorserHistory } : {}),
    };
    return { ...base, ...(decisionThatCounts(x, x.decisions[key]) ?? { status: 'pending' as const }) };
  });
  const counts = {
    required: endorsers.length,
    endorsed: endorsers.filter((x) => x.status === 'endorsed').length,
    withheld: endorsers.filter((x) => x.status === 'withheld').length,
    pending: endorsers.filter((x) => x.status === 'pending').length,
  };
  const superseded: SupersededEndorsement[] = [];
  for (const older of head.versions) {
    if (older.draftVersion >= v.draftVersion) break;
    for (const x of head.endorsers) {
      const d = x.decisions[String(older.draftVersion)];
      if (d?.status === 'endorsed') {
        superseded.push({ stakeholderId: x.stakeholderId, organisation: x.organisation, draftVersion: older.draftVersion, signatory: d.signatory, endorsedAt: d.endorsedAt });
      }
    }
  }
  const isLatest = v.draftVersion === head.latestVersion;
  return {
    draftVersion: v.draftVersion,
    publishedAt: v.publishedAt,
    isLatest,
    request: v.request,
    endorsementDeadline: request?.deadline ?? null,
    endorsers,
    counts,
    readyForAdoption: isReadyForAdoption(isLatest, head.endorsers.map((x) => ({
      endorser: x.endorser, removed: x.removed, declined: x.declined, decision: x.decisions[key]?.status ?? null,
    }))),
    adopted: head.outcome === 'adopted' && head.finalDraftVersion === v.draftVersion,
    superseded,
  };
}
