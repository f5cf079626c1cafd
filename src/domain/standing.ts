// Where a stakeholder stands in a consultation: who takes part, who is responding, where its
// invitation stands, what is awaited from it, who counts as endorsed and when a version may be
// adopted. Each rule is one function over plain values, so that decide (over the consultation's
// state), the views (over their JSON rows), and the reply pages and mail workers can all call it.
import { z } from 'zod';
import { isAfter } from './rules.ts';

// ---- vocabulary ----

/** A stakeholder's answer to its invitation; a reinstatement after a decline makes it pending again. */
export const InvitationResponse = z.enum(['pending', 'accepted', 'declined']);
export type InvitationResponse = z.infer<typeof InvitationResponse>;

/** An endorser's decision on a draft version. */
export const EndorsementDecision = z.enum(['endorsed', 'withheld']);
export type EndorsementDecision = z.infer<typeof EndorsementDecision>;

export const InvitationStatus = z.enum(['invited', 'e-mailed', 'accepted', 'declined', 'removed', 'delivery-failed']);
export type InvitationStatus = z.infer<typeof InvitationStatus>;

/** On the current (latest) draft version. */
export const EndorsementStatus = z.enum(['not-an-endorser', 'not-requested', 'pending', 'endorsed', 'withheld']);
export type EndorsementStatus = z.infer<typeof EndorsementStatus>;

export const Awaiting = z.enum(['response', 'comments', 'endorsement']);
export type Awaiting = z.infer<typeof Awaiting>;

// ---- taking part and responding ----

export interface Participation {
  removed: boolean;
  /** it declined the invitation (and was not reinstated since) */
  declined: boolean;
}

/** It takes part: not removed, not declined. */
export function takesPart(x: Participation): boolean {
  return !x.removed && !x.declined;
}

/** What it has done, on any draft version. */
export interface Engagement {
  accepted: boolean;
  /** it has a comment that was not retracted */
  commented: boolean;
  /** it completed a review of some version */
  reviewed: boolean;
  /** it endorsed or withheld on some version */
  decided: boolean;
}

/** It engaged: accepted the invitation, or commented, or completed a review, or decided on an endorsement. */
export function hasEngaged(x: Engagement): boolean {
  return x.accepted || x.commented || x.reviewed || x.decided;
}

/** Responding: it takes part and has engaged. */
export function isResponding(x: Participation & Engagement): boolean {
  return takesPart(x) && hasEngaged(x);
}

// ---- the invitation ----

export interface InvitationFacts {
  removed: boolean;
  response: InvitationResponse;
  /** an InvitationSent was recorded */
  invitationSent: boolean;
  /** the latest `sentAt` of any message recorded as sent to it */
  lastSentAt: string | null;
  /** the latest `failedAt` of a delivery failure recorded for it */
  lastFailedAt: string | null;
}

/**
 * Where the invitation stands: the first that holds of removed, declined, accepted,
 * delivery-failed (the last message to it failed and nothing was sent since), e-mailed, invited.
 */
export function invitationStatus(x: InvitationFacts): InvitationStatus {
  if (x.removed) return 'removed';
  if (x.response === 'declined') return 'declined';
  if (x.response === 'accepted') return 'accepted';
  if (x.lastFailedAt !== null && (x.lastSentAt === null || isAfter(x.lastFailedAt, x.lastSentAt))) return 'delivery-failed';
  return x.invitationSent ? 'e-mailed' : 'invited';
}

// ---- the current draft: endorsement and what is awaited ----

/** What it has done on the current (latest) draft version, and whether endorsement of that version is requested. */
export interface CurrentDraftFacts {
  /** it has a comment on it that was not retracted */
  commented: boolean;
  reviewed: boolean;
  /** its latest decision on it */
  decision: EndorsementDecision | null;
  /** the open endorsement request is for it */
  endorsementRequested: boolean;
}

/** Where its endorsement of the current draft stands; `current` is null before any draft. */
export function endorsementStatus(x: { endorser: boolean }, current: CurrentDraftFacts | null): EndorsementStatus {
  if (!x.endorser) return 'not-an-endorser';
  return current?.decision ?? (current?.endorsementRequested ? 'pending' : 'not-requested');
}

/**
 * What the coordinator still awaits from a stakeholder; always [] unless the consultation is open and
 * it takes part.
 * - response: it has not engaged in any way (accepting, commenting, reviewing, deciding);
 * - comments: on the current draft it has no comment (not retracted), has not completed its review,
 *   and has not endorsed or withheld (a decision on a version says it is done with it). No clock is
 *   read: compare with the deadline to tell "late" from "not yet";
 * - endorsement: its endorsement of the current draft is pending.
 */
export function awaitingFrom(
  consultationOpen: boolean,
  x: Participation & Engagement & { endorser: boolean },
  current: CurrentDraftFacts | null,
): Awaiting[] {
  if (!consultationOpen || !takesPart(x)) return [];
  const awaiting: Awaiting[] = [];
  if (!hasEngaged(x)) awaiting.push('response');
  if (current && !current.commented && !current.reviewed && current.decision === null) awaiting.push('comments');
  if (endorsementStatus(x, current) === 'pending') awaiting.push('endorsement');
  return awaiting;
}

// ---- endorsement and adoption ----

/**
 * Whether a change of a stakeholder's details (StakeholderDetailsChanged's `endorser`, absent when it
 * did not change) makes it become or cease to be an endorser. Decisions count only while it is one,
 * and only those made since it last became one: when it becomes or ceases to be one, its earlier
 * decisions stay in the history (the events, the views' earlier decisions) and no longer count, so
 * one that becomes an endorser while a request is open is pending on it.
 */
export function endorserChanged(before: boolean, after: boolean | undefined): after is boolean {
  return after !== undefined && after !== before;
}

/** Required for adoption: an endorser now (invited as one, or became one since) and not removed (one that declined is still required). */
export function isRequiredEndorser(x: { endorser: boolean; removed: boolean }): boolean {
  return x.endorser && !x.removed;
}

/** Its decision on a version, as far as it counts: none while it has declined the invitation, whatever it decided before. */
export function decisionThatCounts<D>(x: { declined: boolean }, decision: D | null | undefined): D | null {
  return x.declined ? null : decision ?? null;
}

/** A stakeholder with its latest decision on one draft version. */
export interface EndorserOnVersion extends Participation {
  endorser: boolean;
  decision: EndorsementDecision | null;
}

/** It counts as having endorsed the version: a required endorser, not declined, whose latest decision on it is an endorsement. */
export function countsAsEndorsed(x: EndorserOnVersion): boolean {
  return isRequiredEndorser(x) && decisionThatCounts(x, x.decision) === 'endorsed';
}

/** The required endorsers that do not count as having endorsed the version, in the order given. */
export function missingEndorsers<X extends EndorserOnVersion>(stakeholders: Iterable<X>): X[] {
  return [...stakeholders].filter((x) => isRequiredEndorser(x) && !countsAsEndorsed(x));
}

/** A version may be adopted when it is the latest and no required endorser is missing. */
export function isReadyForAdoption(isLatest: boolean, stakeholders: Iterable<EndorserOnVersion>): boolean {
  return isLatest && missingEndorsers(stakeholders).length === 0;
}
