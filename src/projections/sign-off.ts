// Per consultation and draft version: where each required endorser stands, the endorsement
// deadline, and whether the version may be adopted.
import type { DomainEvent, EventOf } from '../domain/events.ts';
import {
  isLater, perConsultation, replaceAt, type EventContext, type PerConsultationView, type Projection,
} from './projection.ts';

type Outcome = EventOf<'ConsultationClosed'>['data']['outcome'];
export type Signatory = EventOf<'DraftEndorsed'>['data']['signatory'];

export interface Endorsement {
  status: 'endorsed';
  signatory: Signatory;
  statement: string | null;
  evidence: string | null;
  endorsedAt: string;
}

export interface Withholding {
  status: 'withheld';
  reason: string;
  withheldAt: string;
}

/** An endorser's latest decision on a version: a later one replaces an earlier one. */
export type Decision = Endorsement | Withholding;

export type EndorserSignOff = {
  stakeholderId: string;
  organisation: string;
  /** it declined the invitation: it is still required, and pending until reinstated and endorsing */
  invitationDeclined: boolean;
  /** the deadline that applies to it on this version's request (its own extension where later); null before a request */
  deadline: string | null;
} & (Decision | { status: 'pending' });

export type EndorsementRequestState =
  | { status: 'not-requested' }
  | { status: 'open'; requestedAt: string; deadline: string }
  /** reason `superseded`: a newer draft version was published */
  | { status: 'cancelled'; requestedAt: string; deadline: string; cancelledAt: string; reason: string };

/** An endorsement of an older version (by any endorser, removed ones included: it is history): listed on newer versions, never counted there. */
export interface SupersededEndorsement {
  stakeholderId: string;
  organisation: string;
  draftVersion: number;
  signatory: Signatory;
  endorsedAt: string;
}

export interface VersionSignOff {
  draftVersion: number;
  publishedAt: string;
  /** the latest published version: the only one that can be adopted */
  isLatest: boolean;
  /** the latest request for this version (a cancelled one may be followed by a new one) */
  request: EndorsementRequestState;
  /** everyone's deadline on the request; null before a request */
  endorsementDeadline: string | null;
  /** every required endorser (invited as an endorser, not removed now), in invitation order */
  endorsers: EndorserSignOff[];
  counts: { required: number; endorsed: number; withheld: number; pending: number };
  /** the latest version, and every required endorser's latest decision on it is an endorsement */
  readyForAdoption: boolean;
  /** the consultation was closed as adopted with this version */
  adopted: boolean;
  /** endorsements of older versions, by version then invitation order */
  superseded: SupersededEndorsement[];
}

/** Everything known about a stakeholder invited as an endorser; the versions are derived from these. */
export interface EndorserRecord {
  stakeholderId: string;
  organisation: string;
  removed: boolean;
  declined: boolean;
  /** its latest own extension of the endorsement deadline */
  extension: { draftVersion: number; deadline: string } | null;
  /** its latest decision per draft version (keys are version numbers) */
  decisions: Record<string, Decision>;
}

export interface SignOffView {
  consultationId: string;
  status: 'open' | 'closed';
  outcome: Outcome | null;
  finalDraftVersion: number | null;
  latestVersion: number | null;
  /** by version, ascending */
  versions: VersionSignOff[];
  /** in invitation order, removed ones included */
  endorsers: EndorserRecord[];
}

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
  const endorsers: EndorserSignOff[] = view.endorsers.filter((x) => !x.removed).map((x) => {
    const own = x.extension;
    const deadline = request === null ? null
      : own && own.draftVersion === v.draftVersion && isLater(own.deadline, request.deadline) ? own.deadline : request.deadline;
    const base = { stakeholderId: x.stakeholderId, organisation: x.organisation, invitationDeclined: x.declined, deadline };
    // a declined invitation counts as not endorsed (as closing does), whatever it decided before
    return { ...base, ...((x.declined ? undefined : x.decisions[key]) ?? { status: 'pending' as const }) };
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
    readyForAdoption: isLatest && counts.endorsed === counts.required,
    adopted: view.outcome === 'adopted' && view.finalDraftVersion === v.draftVersion,
    superseded,
  };
}
