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

/** What became of one message (or of the messages to a stakeholder): see messageOutcome. */
export const MessageOutcome = z.enum(['sent', 'failed']);
export type MessageOutcome = z.infer<typeof MessageOutcome>;

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
  if (messageOutcome({ sentAt: x.lastSentAt, failedAt: x.lastFailedAt }) === 'failed') return 'delivery-failed';
  return x.invitationSent ? 'e-mailed' : 'invited';
}

/**
 * Failed when a delivery failure was recorded and nothing was sent after it (by `sentAt` and
 * `failedAt`: a retry that went out after a failure is sent; a bounce after the sending, failed);
 * else sent. For one message, or for the latest of each of a stakeholder's messages.
 */
export function messageOutcome(x: { sentAt: string | null; failedAt: string | null }): MessageOutcome {
  return x.failedAt !== null && (x.sentAt === null || isAfter(x.failedAt, x.sentAt)) ? 'failed' : 'sent';
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

// ---- adoption ----

/**
 * Why a version cannot be adopted: the coordinator's to-do list. (That the version must exist and
 * be the latest, and the consultation open, are not to-dos: those are refused with their own codes.)
 */
export const AdoptionBlockCode = z.enum(['COMMENTS_UNANSWERED', 'HELD_REPLIES_PENDING', 'ENDORSEMENTS_MISSING', 'COMMENT_PERIOD_OPEN', 'NO_ENDORSERS']);
export type AdoptionBlockCode = z.infer<typeof AdoptionBlockCode>;

/** A comment awaits an answer: it was not retracted and has no answer (on any version). */
export function awaitsAnswer(c: { retracted: boolean; answered: boolean }): boolean {
  return !c.retracted && !c.answered;
}

/** A stakeholder's own comment deadline on the version (ownDeadlineOverride: null where everyone's applies). */
export interface OwnCommentDeadline extends Participation {
  deadline: string | null;
}

/** What adoption of one draft version depends on, as plain values. */
export interface AdoptionFacts<X extends EndorserOnVersion, C, O extends OwnCommentDeadline> {
  /** the stakeholders (at least every endorser), each with its latest decision on the version */
  stakeholders: Iterable<X>;
  /**
   * The comments that await an answer (awaitsAnswer), on every version: how many, and the ones
   * listed (all of them; none where a caller, such as the consultations list, only counts).
   */
  unansweredComments: { count: number; listed: readonly C[] };
  /** the ids of the replies by e-mail held for the coordinator and not yet accepted or discarded (pendingHeldReplies), in the order held */
  pendingHeldReplies: readonly string[];
  /** the version's comment deadline for everyone */
  commentDeadline: string;
  /** the stakeholders' own comment deadlines on the version */
  ownCommentDeadlines: Iterable<O>;
  /** the time the question is asked: the command's time, or a view's read time */
  now: string;
}

export type AdoptionBlocker<X, C, O> =
  | { code: 'COMMENTS_UNANSWERED'; count: number; comments: C[] }
  | { code: 'HELD_REPLIES_PENDING'; heldIds: string[] }
  | { code: 'ENDORSEMENTS_MISSING'; pending: X[]; withheld: X[] }
  | { code: 'COMMENT_PERIOD_OPEN'; commentDeadline: string; openFor: (O & { deadline: string })[]; closesAt: string }
  | { code: 'NO_ENDORSERS' };

/** A comment period is open while a comment made now would be accepted: up to and including its deadline. */
export function isOpenAt(deadline: string, now: string): boolean {
  return !isAfter(now, deadline);
}

/**
 * Every reason the version cannot be adopted now, in this order (none: it may be adopted, if it
 * is the latest version of an open consultation):
 * - COMMENTS_UNANSWERED: a comment on any version awaits an answer; once adopted, none can be answered;
 * - HELD_REPLIES_PENDING: a reply by e-mail was held and the coordinator has not accepted or discarded it:
 *   it may be a comment that needs an answer;
 * - ENDORSEMENTS_MISSING: a required endorser does not count as having endorsed it (missingEndorsers):
 *   `pending` (no decision that counts: none yet, or it declined its invitation) and `withheld` apart;
 * - COMMENT_PERIOD_OPEN: its comment deadline, or the own deadline of a stakeholder that takes part,
 *   has not passed: stakeholders keep the time they were given; `closesAt` is when the last one passes;
 * - NO_ENDORSERS: there is no required endorser at all: a plan is adopted on someone's authority.
 */
export function adoptionBlockers<X extends EndorserOnVersion, C, O extends OwnCommentDeadline>(
  facts: AdoptionFacts<X, C, O>,
): AdoptionBlocker<X, C, O>[] {
  const blockers: AdoptionBlocker<X, C, O>[] = [];
  if (facts.unansweredComments.count > 0) {
    blockers.push({ code: 'COMMENTS_UNANSWERED', count: facts.unansweredComments.count, comments: [...facts.unansweredComments.listed] });
  }
  if (facts.pendingHeldReplies.length > 0) blockers.push({ code: 'HELD_REPLIES_PENDING', heldIds: [...facts.pendingHeldReplies] });
  const stakeholders = [...facts.stakeholders];
  const missing = missingEndorsers(stakeholders);
  if (missing.length > 0) {
    const withheld = missing.filter((x) => decisionThatCounts(x, x.decision) === 'withheld');
    blockers.push({ code: 'ENDORSEMENTS_MISSING', pending: missing.filter((x) => !withheld.includes(x)), withheld });
  }
  const own = [...facts.ownCommentDeadlines].filter((o): o is O & { deadline: string } =>
    takesPart(o) && o.deadline !== null && isOpenAt(o.deadline, facts.now));
  if (isOpenAt(facts.commentDeadline, facts.now) || own.length > 0) {
    const closesAt = own.reduce((last, o) => (isAfter(o.deadline, last) ? o.deadline : last), facts.commentDeadline);
    blockers.push({ code: 'COMMENT_PERIOD_OPEN', commentDeadline: facts.commentDeadline, openFor: own, closesAt });
  }
  if (!stakeholders.some(isRequiredEndorser)) blockers.push({ code: 'NO_ENDORSERS' });
  return blockers;
}

/** A version may be adopted when it is the latest and nothing blocks it (adoptionBlockers). */
export function isReadyForAdoption(isLatest: boolean, blockers: readonly { code: AdoptionBlockCode }[]): boolean {
  return isLatest && blockers.length === 0;
}

// ---- adoption: how the reasons are named (the 409 ADOPTION_BLOCKED's details.reasons, the sign-off view) ----

/** A stakeholder as the reasons name it. */
export interface NamedStakeholder {
  stakeholderId: string;
  organisation: string;
}

/** An endorser with what the reasons say of it: its latest decision on the version and, when it withheld, why. */
export interface NamedEndorser extends NamedStakeholder, EndorserOnVersion {
  withheldReason: string | null;
}

export const UnansweredComment = z.object({ commentId: z.string(), ref: z.string().describe('the reference people quote: C-1, C-2, …') });
export type UnansweredComment = z.infer<typeof UnansweredComment>;

export const AdoptionReason = z.discriminatedUnion('code', [
  z.object({
    code: z.literal('COMMENTS_UNANSWERED'),
    count: z.number().int(),
    comments: z.array(UnansweredComment).describe('every comment, on any version, not retracted and without an answer, in submission order'),
  }),
  z.object({
    code: z.literal('HELD_REPLIES_PENDING'),
    heldIds: z.array(z.string()).describe('the replies by e-mail held and not yet accepted or discarded (GET …/held-replies?status=pending), in the order held'),
  }),
  z.object({
    code: z.literal('ENDORSEMENTS_MISSING'),
    pending: z.array(z.object({
      stakeholderId: z.string(),
      organisation: z.string(),
      invitationDeclined: z.boolean().describe('it declined its invitation: whatever it decided does not count until it is reinstated'),
    })).describe('required endorsers with no decision that counts'),
    withheld: z.array(z.object({ stakeholderId: z.string(), organisation: z.string(), reason: z.string() })).describe('required endorsers whose latest decision withholds, with their reason'),
  }),
  z.object({
    code: z.literal('COMMENT_PERIOD_OPEN'),
    commentDeadline: z.string().describe('the version\'s comment deadline for everyone (it may have passed while an own deadline has not)'),
    openFor: z.array(z.object({ stakeholderId: z.string(), organisation: z.string(), deadline: z.string() }))
      .describe('stakeholders taking part whose own comment deadline on the version has not passed'),
    closesAt: z.string().describe('when the last of these passes'),
  }),
  z.object({ code: z.literal('NO_ENDORSERS').describe('no required endorser: invite one (the lead office may endorse)') }),
]);
export type AdoptionReason = z.infer<typeof AdoptionReason>;

/** adoptionBlockers, with each reason naming what it concerns as AdoptionReason does. */
export function adoptionReasons<O extends OwnCommentDeadline & NamedStakeholder>(
  facts: AdoptionFacts<NamedEndorser, UnansweredComment, O>,
): AdoptionReason[] {
  const named = ({ stakeholderId, organisation }: NamedStakeholder) => ({ stakeholderId, organisation });
  return adoptionBlockers(facts).map((b): AdoptionReason => {
    switch (b.code) {
      case 'COMMENTS_UNANSWERED':
        return { code: b.code, count: b.count, comments: b.comments.map(({ commentId, ref }) => ({ commentId, ref })) };
      case 'HELD_REPLIES_PENDING':
        return { code: b.code, heldIds: b.heldIds };
      case 'ENDORSEMENTS_MISSING':
        return {
          code: b.code,
          pending: b.pending.map((x) => ({ ...named(x), invitationDeclined: x.declined })),
          withheld: b.withheld.map((x) => ({ ...named(x), reason: x.withheldReason ?? '' })),
        };
      case 'COMMENT_PERIOD_OPEN':
        return { code: b.code, commentDeadline: b.commentDeadline, openFor: b.openFor.map((o) => ({ ...named(o), deadline: o.deadline })), closesAt: b.closesAt };
      case 'NO_ENDORSERS':
        return { code: b.code };
    }
  });
}
