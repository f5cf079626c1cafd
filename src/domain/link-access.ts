// What a stakeholder's personal link (or reply address) still allows, judged against the
// consultation's state at each use, so that removing a stakeholder or a contact, moving a deadline
// or closing the consultation changes what every link already sent allows without reissuing any:
// - open: full access until 30 days after the latest deadline that applies to the stakeholder
//   (everyone's latest, or its own extension when later); before the first deadline, full access;
// - closed: read-only for 90 days after the closing (to read the outcome and the answers to its
//   comments), then expired;
// - revoked as soon as the stakeholder is removed or the contact no longer belongs to it;
// - wrong-consultation when the state is not that of the consultation the link names.
// Pure: the caller passes the time. The signature is the token module's (src/auth/stakeholder-tokens.ts).
import type { ReadonlyStakeholder, ReadonlyState } from './consultation.ts';
import { later } from './rules.ts';
import { isErasedContact } from './erased.ts';

export const LINK_DAYS_AFTER_LAST_DEADLINE = 30;
export const READ_ONLY_DAYS_AFTER_CLOSING = 90;
const DAY_MS = 86_400_000;

/** Why a link is refused: `tampered` (the signature or format does not hold) is the token module's finding, the others this module's. */
export type LinkRefusal = 'expired' | 'revoked' | 'tampered' | 'wrong-consultation';

/** Who a link (or reply address) is for. */
export interface LinkSubject {
  consultationId: string;
  stakeholderId: string;
  contactId: string;
}

export type LinkAccess =
  /** `until`: when it stops allowing this (null: no deadline is set yet) */
  | { ok: true; access: 'full' | 'read-only'; until: string | null }
  /** `detail` says why, for the logs */
  | { ok: false; reason: Exclude<LinkRefusal, 'tampered'>; detail: string };

/** The latest deadline that applies to a stakeholder: everyone's latest, or its own extension when that is later; null before any. */
export function latestDeadlineFor(s: ReadonlyState, x: ReadonlyStakeholder): string | null {
  let latest = s.latestDeadline;
  for (const own of [x.extensions.comments, x.extensions.endorsement]) {
    if (own) latest = latest === null ? own.deadline : later(latest, own.deadline);
  }
  return latest;
}

function plusDays(instant: string, days: number): string {
  return new Date(Date.parse(instant) + days * DAY_MS).toISOString();
}

/** What a link for `subject` allows at `now` (ISO-8601) in the consultation whose state this is. */
export function linkAccess(s: ReadonlyState, subject: LinkSubject, now: string): LinkAccess {
  if (s.status === 'none' || s.id !== subject.consultationId) {
    return { ok: false, reason: 'wrong-consultation', detail: `the link names consultation ${subject.consultationId}` };
  }
  const x = s.stakeholders.get(subject.stakeholderId);
  if (!x) return { ok: false, reason: 'revoked', detail: 'no such stakeholder in this consultation' };
  if (x.removed) return { ok: false, reason: 'revoked', detail: 'the stakeholder was removed' };
  const contact = x.contacts.find((c) => c.contactId === subject.contactId);
  if (!contact) {
    return { ok: false, reason: 'revoked', detail: x.formerContactIds.includes(subject.contactId) ? 'the contact no longer belongs to the stakeholder' : 'no such contact at the stakeholder' };
  }
  if (isErasedContact(contact)) return { ok: false, reason: 'revoked', detail: 'the contact\'s personal data was erased' };
  const at = Date.parse(now);
  if (s.status === 'closed') {
    const until = plusDays(s.closedAt ?? now, READ_ONLY_DAYS_AFTER_CLOSING);
    return at <= Date.parse(until)
      ? { ok: true, access: 'read-only', until }
      : { ok: false, reason: 'expired', detail: `read-only access ended ${READ_ONLY_DAYS_AFTER_CLOSING} days after the closing, at ${until}` };
  }
  const deadline = latestDeadlineFor(s, x);
  if (deadline === null) return { ok: true, access: 'full', until: null };
  const until = plusDays(deadline, LINK_DAYS_AFTER_LAST_DEADLINE);
  return at <= Date.parse(until)
    ? { ok: true, access: 'full', until }
    : { ok: false, reason: 'expired', detail: `the link ended ${LINK_DAYS_AFTER_LAST_DEADLINE} days after the latest deadline, at ${until}` };
}
