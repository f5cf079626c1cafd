// Guards shared by the commands' decide functions. Each throws a catalogued DomainError.
import { normaliseEmail } from './contacts.ts';
import { DomainError } from './errors.ts';
import type { DeepReadonly, DraftState, ReadonlyStakeholder, ReadonlyState } from './consultation.ts';
import type { Actor } from './schemas.ts';

/** Compares two ISO-8601 instants (offsets may differ). */
export function isAfter(a: string, b: string): boolean {
  return Date.parse(a) > Date.parse(b);
}

export function requireExists(s: ReadonlyState): void {
  if (s.status === 'none') throw new DomainError('CONSULTATION_NOT_FOUND');
}

/** Nothing a coordinator or stakeholder asks changes a closed consultation. */
export function requireOpen(s: ReadonlyState): void {
  requireExists(s);
  if (s.status === 'closed') throw new DomainError('CONSULTATION_CLOSED');
}

export function latestDraft(s: ReadonlyState): DeepReadonly<DraftState> {
  const d = s.drafts.get(s.latestVersion);
  if (!d) throw new DomainError('NO_DRAFT');
  return d;
}

/** A published draft version, the latest or an earlier one. */
export function requireDraft(s: ReadonlyState, version: number): DeepReadonly<DraftState> {
  latestDraft(s); // NO_DRAFT before any
  const d = s.drafts.get(version);
  if (!d) throw new DomainError('DRAFT_NOT_FOUND', `no draft version ${version}`);
  return d;
}

export function requireLatestDraft(s: ReadonlyState, version: number): DeepReadonly<DraftState> {
  const latest = latestDraft(s);
  if (!s.drafts.has(version)) throw new DomainError('DRAFT_NOT_FOUND', `no draft version ${version}`);
  if (version !== latest.version) {
    throw new DomainError('DRAFT_NOT_LATEST', `draft version ${version} is not the latest (${latest.version})`, { latestVersion: latest.version });
  }
  return latest;
}

export function requireStakeholder(s: ReadonlyState, id: string): ReadonlyStakeholder {
  const x = s.stakeholders.get(id);
  if (!x) throw new DomainError('STAKEHOLDER_NOT_FOUND', `no stakeholder ${id}`);
  return x;
}

/** A stakeholder that may take part: invited, not removed, not declined. */
export function requireActive(x: ReadonlyStakeholder): void {
  if (x.removed) throw new DomainError('STAKEHOLDER_REMOVED', `${x.organisation} was removed from the consultation`);
  if (x.response === 'declined') throw new DomainError('STAKEHOLDER_DECLINED', `${x.organisation} declined the invitation`);
}

/** One of the stakeholder's contact persons now (a former contact's id is not one). */
export function requireContact(x: ReadonlyStakeholder, contactId: string): ReadonlyStakeholder['contacts'][number] {
  const contact = x.contacts.find((c) => c.contactId === contactId);
  if (!contact) throw new DomainError('CONTACT_NOT_FOUND', `${x.organisation} has no contact ${contactId}`);
  return contact;
}

/** Who may give a command: coordinators run the consultation, stakeholders answer it, the system records what workers did. */
export function requireRole(actor: Actor, allowed: readonly Actor['role'][]): void {
  if (!allowed.includes(actor.role)) {
    throw new DomainError('ACTOR_NOT_ALLOWED', `a ${actor.role} may not do this (only: ${allowed.join(', ')})`);
  }
}

export const COORDINATOR_ONLY: readonly Actor['role'][] = ['coordinator'];
/** what stakeholders do themselves, or a coordinator (or an inbound worker) records for them */
export const STAKEHOLDER_ACTS: readonly Actor['role'][] = ['coordinator', 'stakeholder', 'system'];
/** records of what already happened (mail sent or failed) */
export const RECORDS: readonly Actor['role'][] = ['coordinator', 'system'];

/** A stakeholder acting through its link or e-mail may act only for itself; coordinators act for anyone. */
export function requireActingFor(actor: Actor, stakeholderId: string): void {
  if (actor.role === 'stakeholder' && actor.id !== stakeholderId) throw new DomainError('ACTOR_NOT_STAKEHOLDER');
}

/** The later of two ISO-8601 instants (the first when equal). */
export function later(a: string, b: string): string {
  return isAfter(b, a) ? b : a;
}

/**
 * What every act of a stakeholder needs (responding aside): an actor that may act for stakeholders,
 * an open consultation, acting for itself, a stakeholder that exists and still takes part.
 */
export function requireParticipant(s: ReadonlyState, actor: Actor, stakeholderId: string): ReadonlyStakeholder {
  requireRole(actor, STAKEHOLDER_ACTS);
  requireOpen(s);
  requireActingFor(actor, stakeholderId);
  const x = requireStakeholder(s, stakeholderId);
  requireActive(x);
  return x;
}

/** An extension granted to one stakeholder: valid for the draft version it was granted on. */
export interface OwnExtension {
  draftVersion: number;
  deadline: string;
}

/**
 * A stakeholder's own deadline where it applies: its extension was granted on this version (the
 * draft, or the one endorsement is requested for) and is later than everyone's deadline; null when
 * everyone's deadline applies (a later extension for everyone overtakes an own one).
 */
export function ownDeadlineOverride(everyone: string, own: OwnExtension | null | undefined, version: number): string | null {
  return own && own.draftVersion === version && isAfter(own.deadline, everyone) ? own.deadline : null;
}

/** The deadline that applies to a stakeholder on a version: its own where that applies, else everyone's. */
export function ownDeadline(everyone: string, own: OwnExtension | null | undefined, version: number): string {
  return ownDeadlineOverride(everyone, own, version) ?? everyone;
}

/** The comment deadline that applies to this stakeholder (or to everyone, when none is given) on the latest draft. */
export function commentDeadlineFor(s: ReadonlyState, x: ReadonlyStakeholder | undefined): string {
  const draft = latestDraft(s);
  return ownDeadline(draft.commentDeadline, x?.extensions.comments, draft.version);
}

/**
 * A draft version's comment period for one stakeholder: from the version's publication (when its
 * DraftPublished was recorded) to its comment deadline, or the stakeholder's own deadline where an
 * extension granted on that version is later. A later version does not close an earlier one's period.
 */
export function commentPeriodFor(draft: DeepReadonly<DraftState>, x: ReadonlyStakeholder): { opensAt: string; closesAt: string } {
  const own = draft.ownCommentDeadlines.get(x.id);
  return {
    opensAt: draft.publishedAt,
    closesAt: ownDeadline(draft.commentDeadline, own === undefined ? null : { draftVersion: draft.version, deadline: own }, draft.version),
  };
}

/**
 * A comment recorded from a meeting or a letter is judged by when it was made, on the version it was
 * made on: `madeAt` inside that version's comment period (both ends included), else
 * MADE_AT_BEFORE_DRAFT (made before the version was published) or COMMENT_DEADLINE_PASSED.
 */
export function requireMadeInCommentPeriod(draft: DeepReadonly<DraftState>, x: ReadonlyStakeholder, madeAt: string): void {
  const { opensAt, closesAt } = commentPeriodFor(draft, x);
  const details = { draftVersion: draft.version, madeAt, publishedAt: opensAt, deadline: closesAt };
  if (isAfter(opensAt, madeAt)) {
    throw new DomainError('MADE_AT_BEFORE_DRAFT', `draft version ${draft.version} was published at ${opensAt}, after ${madeAt}`, details);
  }
  if (isAfter(madeAt, closesAt)) {
    throw new DomainError('COMMENT_DEADLINE_PASSED', `the comment deadline of draft version ${draft.version} was ${closesAt}`, details);
  }
}

/** The endorsement deadline that applies to this stakeholder (or to everyone) on the open request. */
export function endorsementDeadlineFor(s: ReadonlyState, x: ReadonlyStakeholder | undefined): string {
  const req = s.endorsementRequest;
  if (!req) throw new DomainError('NO_ENDORSEMENT_REQUEST');
  return ownDeadline(req.deadline, x?.extensions.endorsement, req.draftVersion);
}

export function sameEmail(a: string, b: string): boolean {
  return normaliseEmail(a) === normaliseEmail(b);
}

/** An organisation's name as the domain compares it: NFKC, trimmed, single spaces, lower case. */
export function organisationKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Organisation names match whatever their case and spacing. */
export function sameOrganisation(a: string, b: string): boolean {
  return organisationKey(a) === organisationKey(b);
}

/** The stakeholder, other than `except`, whose organisation is this one as sameOrganisation compares them (removed ones included). */
export function organisationHolder(s: ReadonlyState, organisation: string, except?: string): ReadonlyStakeholder | undefined {
  return [...s.stakeholders.values()].find((x) => x.id !== except && sameOrganisation(x.organisation, organisation));
}

/** Language tags match whatever their case (BCP 47). */
export function sameLanguage(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A stakeholder's language is one of those the consultation offers: LANGUAGE_NOT_OFFERED otherwise. */
export function requireLanguageOffered(s: ReadonlyState, language: string): void {
  if (s.languages.some((l) => sameLanguage(l, language))) return;
  throw new DomainError('LANGUAGE_NOT_OFFERED', `the consultation is held in ${s.languages.join(', ')}, not in ${language}`, {
    language, languages: [...s.languages],
  });
}

/** What a stakeholder is besides its contacts: what an invitation gives and change-stakeholder-details corrects. */
export interface StakeholderDetails {
  organisation: string;
  kind: string;
  language: string;
  endorser: boolean;
  /** mail domains from which any address may reply for it (lower case; order does not matter) */
  replyDomains: readonly string[];
}
export const DETAIL_FIELDS = ['organisation', 'kind', 'language', 'endorser', 'replyDomains'] as const satisfies readonly (keyof StakeholderDetails)[];

/** Two lists of reply domains name the same domains, whatever their order. */
export function sameDomains(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((d) => b.includes(d));
}

/**
 * The details in which an invitation differs from the stakeholder it names: none means the same
 * invitation again (a no-op). Organisations compare as sameOrganisation does, languages whatever their case.
 */
export function differingDetails(existing: StakeholderDetails, given: StakeholderDetails): (keyof StakeholderDetails)[] {
  return DETAIL_FIELDS.filter((f) => {
    if (f === 'organisation') return !sameOrganisation(existing.organisation, given.organisation);
    if (f === 'language') return !sameLanguage(existing.language, given.language);
    if (f === 'replyDomains') return !sameDomains(existing.replyDomains, given.replyDomains);
    return existing[f] !== given[f];
  });
}

/** The reference people quote for the n-th comment submitted on a consultation (1-based): `C-1`, `C-2`, … */
export function commentRef(n: number): string {
  return `C-${n}`;
}
