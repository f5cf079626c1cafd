// Per consultation and draft version: where each required endorser stands, the endorsement
// deadline, and whether the version may be adopted.
//
// The view's shape is its zod schema (SignOffView); the sign-off route serves a version of it with
// a schema derived from these.
import { z } from 'zod';
import type { DomainEvent } from '../domain/events.ts';
import { StoredSignatory } from '../domain/events.ts';
import { ownDeadline } from '../domain/rules.ts';
import { ConsultationStatus, Outcome } from '../domain/schemas.ts';
import { decisionThatCounts, isReadyForAdoption, isRequiredEndorser } from '../domain/standing.ts';
import { perConsultation, replaceAt, type EventContext, type PerConsultationView, type Projection } from './projection.ts';

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

const EndorserBase = z.object({
  stakeholderId: z.string(),
  organisation: z.string(),
  invitationDeclined: z.boolean().describe('it declined the invitation: still required, pending until reinstated and endorsing'),
  deadline: z.string().nullable().describe('its deadline on this version\'s request (its own extension where later); null before a request'),
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
  endorsers: z.array(EndorserSignOff).describe('every required endorser (invited as one, not removed), in invitation order'),
  counts: z.object({ required: z.number().int(), endorsed: z.number().int(), withheld: z.number().int(), pending: z.number().int() }),
  /** see isReadyForAdoption (src/domain/standing.ts) */
  readyForAdoption: z.boolean().describe('the latest version, and every required endorser endorsed it'),
  /** the consultation was closed as adopted with this version */
  adopted: z.boolean(),
  /** by version then invitation order */
  superseded: z.array(SupersededEndorsement).describe('endorsements of older versions: listed, never counted'),
});
export type VersionSignOff = z.infer<typeof VersionSignOff>;

/** Everything known about a stakeholder invited as an endorser; the versions are derived from these. */
export const EndorserRecord = z.object({
  stakeholderId: z.string(),
  organisation: z.string(),
  removed: z.boolean(),
  declined: z.boolean(),
  /** its latest own extension of the endorsement deadline */
  extension: z.object({ draftVersion: z.number(), deadline: z.string() }).nullable(),
  /** its latest decision per draft version (keys are version numbers) */
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
  /** in invitation order, removed ones included */
  endorsers: z.array(EndorserRecord),
});
export type SignOffView = z.infer<typeof SignOffView>;

export type SignOffProjectionView = PerConsultationView<SignOffView>;

export const signOff: Projection<SignOffProjectionView> = perConsultation<SignOffView>({
  name: 'sign-off',
  version: 1,
  open(e) {
    return { consultationId: e.data.consultationId, status: 'open', outcome: null, finalDraftVersion: null, latestVersion: null, versions: [], endorsers: [] };
  },
  apply(view, e, at) {
    const next = applyEvent(view, e, at);
    return next === view ? view : { ...next, versions: next.versions.map((v) => deriveVersion(v, next)) };
  },
});

/** One version's sign-off (the latest when no version is given), or null. */
export function versionSignOff(view: SignOffView, draftVersion?: number): VersionSignOff | null {
  const version = draftVersion ?? view.latestVersion;
  return view.versions.find((v) => v.draftVersion === version) ?? null;
}

function applyEvent(view: SignOffView, e: DomainEvent, at: EventContext): SignOffView {
  switch (e.type) {
    case 'DraftPublished': {
      if (view.versions.some((v) => v.draftVersion === e.data.version)) return view;
      const version: VersionSignOff = {
        draftVersion: e.data.version,
        publishedAt: at.recordedAt,
        isLatest: true,
        request: { status: 'not-requested' },
        endorsementDeadline: null,
        endorsers: [],
        counts: { required: 0, endorsed: 0, withheld: 0, pending: 0 },
        readyForAdoption: false,
        adopted: false,
        superseded: [],
      };
      const versions = [...view.versions, version].sort((a, b) => a.draftVersion - b.draftVersion);
      return { ...view, versions, latestVersion: Math.max(view.latestVersion ?? 0, e.data.version) };
    }
    case 'StakeholderInvited':
      if (!e.data.endorser || view.endorsers.some((x) => x.stakeholderId === e.data.stakeholderId)) return view;
      return {
        ...view,
        endorsers: [...view.endorsers, {
          stakeholderId: e.data.stakeholderId, organisation: e.data.organisation, removed: false, declined: false, extension: null, decisions: {},
        }],
      };
    case 'InvitationDeclined':
      return withEndorser(view, e.data.stakeholderId, (x) => ({ ...x, declined: true }));
    case 'InvitationAccepted':
      return withEndorser(view, e.data.stakeholderId, (x) => (x.declined ? { ...x, declined: false } : x));
    case 'StakeholderRemoved':
      return withEndorser(view, e.data.stakeholderId, (x) => ({ ...x, removed: true }));
    case 'StakeholderReinstated':
      return withEndorser(view, e.data.stakeholderId, (x) => ({ ...x, removed: false, declined: false }));
    case 'EndorsementRequested':
      return withVersion(view, e.data.draftVersion, (v) => ({ ...v, request: { status: 'open', requestedAt: at.recordedAt, deadline: e.data.deadline } }));
    case 'EndorsementRequestCancelled':
      return withVersion(view, e.data.draftVersion, (v) => (v.request.status !== 'open' ? v : {
        ...v,
        request: { status: 'cancelled', requestedAt: v.request.requestedAt, deadline: v.request.deadline, cancelledAt: at.recordedAt, reason: e.data.reason },
      }));
    case 'DeadlineExtended': {
      const { phase, draftVersion, deadline, stakeholderId } = e.data;
      if (phase !== 'endorsement') return view;
      if (stakeholderId !== undefined) return withEndorser(view, stakeholderId, (x) => ({ ...x, extension: { draftVersion, deadline } }));
      return withVersion(view, draftVersion, (v) => (v.request.status !== 'open' ? v : { ...v, request: { ...v.request, deadline } }));
    }
    case 'DraftEndorsed': {
      const { stakeholderId, draftVersion, signatory, statement, evidence } = e.data;
      const decision: Endorsement = { status: 'endorsed', signatory, statement: statement ?? null, evidence: evidence ?? null, endorsedAt: at.recordedAt };
      return withEndorser(view, stakeholderId, (x) => ({ ...x, decisions: { ...x.decisions, [String(draftVersion)]: decision } }));
    }
    case 'EndorsementWithheld': {
      const { stakeholderId, draftVersion, reason } = e.data;
      const decision: Withholding = { status: 'withheld', reason, withheldAt: at.recordedAt };
      return withEndorser(view, stakeholderId, (x) => ({ ...x, decisions: { ...x.decisions, [String(draftVersion)]: decision } }));
    }
    case 'ConsultationClosed':
      return { ...view, status: 'closed', outcome: e.data.outcome, finalDraftVersion: e.data.finalDraftVersion };
    default:
      return view;
  }
}

function withEndorser(view: SignOffView, id: string, f: (x: EndorserRecord) => EndorserRecord): SignOffView {
  const index = view.endorsers.findIndex((x) => x.stakeholderId === id);
  const x = view.endorsers[index];
  if (!x) return view;
  const next = f(x);
  return next === x ? view : { ...view, endorsers: replaceAt(view.endorsers, index, next) };
}

function withVersion(view: SignOffView, draftVersion: number, f: (v: VersionSignOff) => VersionSignOff): SignOffView {
  const index = view.versions.findIndex((v) => v.draftVersion === draftVersion);
  const v = view.versions[index];
  if (!v) return view;
  const next = f(v);
  return next === v ? view : { ...view, versions: replaceAt(view.versions, index, next) };
}

/** Derives a version's endorsers, counts, readiness and superseded endorsements from the records (a handful of each: cheap). */
function deriveVersion(v: VersionSignOff, view: SignOffView): VersionSignOff {
  const key = String(v.draftVersion);
  const request = v.request.status === 'not-requested' ? null : v.request;
  const required = view.endorsers.filter((x) => isRequiredEndorser({ endorser: true, removed: x.removed }));
  const endorsers: EndorserSignOff[] = required.map((x) => {
    const deadline = request === null ? null : ownDeadline(request.deadline, x.extension, v.draftVersion);
    const base = { stakeholderId: x.stakeholderId, organisation: x.organisation, invitationDeclined: x.declined, deadline };
    return { ...base, ...(decisionThatCounts(x, x.decisions[key]) ?? { status: 'pending' as const }) };
  });
  const counts = {
    required: endorsers.length,
    endorsed: endorsers.filter((x) => x.status === 'endorsed').length,
    withheld: endorsers.filter((x) => x.status === 'withheld').length,
    pending: endorsers.filter((x) => x.status === 'pending').length,
  };
  const superseded: SupersededEndorsement[] = [];
  for (const older of view.versions) {
    if (older.draftVersion >= v.draftVersion) break;
    for (const x of view.endorsers) {
      const d = x.decisions[String(older.draftVersion)];
      if (d?.status === 'endorsed') {
        superseded.push({ stakeholderId: x.stakeholderId, organisation: x.organisation, draftVersion: older.draftVersion, signatory: d.signatory, endorsedAt: d.endorsedAt });
      }
    }
  }
  const isLatest = v.draftVersion === view.latestVersion;
  return {
    ...v,
    isLatest,
    endorsementDeadline: request?.deadline ?? null,
    endorsers,
    counts,
    readyForAdoption: isReadyForAdoption(isLatest, view.endorsers.map((x) => ({
      endorser: true, removed: x.removed, declined: x.declined, decision: x.decisions[key]?.status ?? null,
    }))),
    adopted: view.outcome === 'adopted' && view.finalDraftVersion === v.draftVersion,
    superseded,
  };
}
