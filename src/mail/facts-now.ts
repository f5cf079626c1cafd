// What a message of each kind says to a stakeholder now: the facts render.ts puts into words, from
// the consultation's state (the deadlines that apply to the stakeholder, its comments, whether the
// consultation is closed) and the texts the state does not keep (a draft's note, the closing, when
// answers were recorded: ConsultationTexts, read from the events). Where a kind has nothing to say
// now, a DomainError whose code says why: a reminder or a notice of a draft before any draft
// (NO_DRAFT), an endorsement request with none open (NO_ENDORSEMENT_REQUEST) or to a stakeholder
// that is no endorser (NOT_AN_ENDORSER), an outcome while open (CONSULTATION_NOT_CLOSED), anything
// else once closed (CONSULTATION_CLOSED), an acknowledgement with no comment (NO_COMMENT_TO_ACKNOWLEDGE),
// a digest with no answer today (NO_ANSWERS_TO_DIGEST).
//
// One builder per kind, called by both the preview (messageFactsNow: the message as it would go out
// now) and the mail workers (src/workers/message-facts.ts: the message its job names, with the
// texts read from the events it names), so that a preview says what the message will say.
// Whether the message is due for this stakeholder (removed, declined, answered already) is not
// judged here (the workers ask due.ts first): the coordinator may look at a message before the case
// arises. Pure: the callers read everything and give the time.
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';
import { DomainError } from '../domain/errors.ts';
import { linkAccess, READ_ONLY_DAYS_AFTER_CLOSING } from '../domain/link-access.ts';
import { commentDeadlineFor, endorsementDeadlineFor } from '../domain/rules.ts';
import { HeldReasonCode, type Phase } from '../domain/schemas.ts';
import type { ClosingOutcome, Disposition } from './catalogue.ts';
import { localDay, localTime } from '../domain/local-time.ts';
import type { MessageFacts, OfficeDigestSection, TemplateKind } from './render.ts';

const DAY_MS = 86_400_000;

/** What the events say that the state does not keep. */
export interface ConsultationTexts {
  /** the latest draft version's note, if it has one */
  draftNote: string | null;
  /** what the closing said; null while open */
  closing: { outcome: ClosingOutcome; finalDraftVersion: number | null; note: string | null } | null;
  /** every answer recorded, in order */
  answers: ReadonlyArray<{ commentId: string; disposition: Disposition; recordedAt: string }>;
}

/** Which message: its kind, and a reminder's phase. */
export type MessageChoice = { kind: Exclude<TemplateKind, 'reminder'> } | { kind: 'reminder'; phase: Phase };

/** The kinds whose facts need the texts the events hold beyond the state. */
export function needsTexts(kind: TemplateKind): boolean {
  return kind === 'new-draft' || kind === 'outcome' || kind === 'answers-digest';
}

/** An invitation's facts: the latest draft and its deadline for this stakeholder, and an open endorsement request when it is an endorser (the worker and the preview both). */
export function invitationFacts(s: ReadonlyState, x: ReadonlyStakeholder): MessageFacts {
  const request = s.endorsementRequest;
  return {
    kind: 'invitation',
    draftVersion: s.latestVersion > 0 ? s.latestVersion : null,
    deadline: s.latestVersion > 0 ? commentDeadlineFor(s, x) : null,
    ...(x.endorser && request ? { endorsement: { draftVersion: request.draftVersion, deadline: endorsementDeadlineFor(s, x) } } : {}),
  };
}

/** A new-draft notice's facts: the version, the stakeholder's comment deadline on the latest draft, and the draft's note. */
export function newDraftFacts(s: ReadonlyState, x: ReadonlyStakeholder, draftVersion: number, note: string | null): MessageFacts {
  return { kind: 'new-draft', draftVersion, deadline: commentDeadlineFor(s, x), ...(note ? { note } : {}) };
}

/** An endorsement request's facts: the open request and the stakeholder's deadline (NOT_AN_ENDORSER, NO_ENDORSEMENT_REQUEST). */
export function endorsementRequestFacts(s: ReadonlyState, x: ReadonlyStakeholder): MessageFacts {
  return { kind: 'endorsement-request', ...endorsementAsked(s, x) };
}

/**
 * A reminder's facts in a phase: the latest draft and the stakeholder's comment deadline, or the
 * open endorsement request and its deadline, with the coordinators' own words when they configured
 * some (PUT …/reminders). NO_DRAFT, NOT_AN_ENDORSER, NO_ENDORSEMENT_REQUEST when there is nothing to remind of.
 */
export function reminderFacts(s: ReadonlyState, x: ReadonlyStakeholder, phase: Phase): MessageFacts {
  const message = s.reminders?.message ? { message: s.reminders.message } : {};
  if (phase === 'comments') {
    requireAnyDraft(s, 'a reminder to comment');
    return { kind: 'reminder', phase: 'comments', draftVersion: s.latestVersion, deadline: commentDeadlineFor(s, x), ...message };
  }
  return { kind: 'reminder', phase: 'endorsement', ...endorsementAsked(s, x), ...message };
}

/** An acknowledgement's facts: the references of these comments of the stakeholder's (those it still has), or null when none is left. */
export function acknowledgementFacts(s: ReadonlyState, x: ReadonlyStakeholder, commentIds: readonly string[]): MessageFacts | null {
  const refs: string[] = [];
  let draftVersion: number | null = null;
  for (const id of commentIds) {
    const comment = s.comments.get(id);
    if (!comment || comment.stakeholderId !== x.id) continue;
    refs.push(comment.ref);
    draftVersion ??= comment.draftVersion;
  }
  if (draftVersion === null) return null;
  return { kind: 'acknowledgement', draftVersion, commentRefs: refs, ...(draftVersion === s.latestVersion ? { deadline: commentDeadlineFor(s, x) } : {}) };
}

/** An answers digest's facts: each of the stakeholder's comments answered from `from` (inclusive) to `to` (exclusive), with its latest answer; null when none. */
export function answersDigestFacts(
  s: ReadonlyState, x: ReadonlyStakeholder, answers: ConsultationTexts['answers'], period: { from: number; to: number },
): MessageFacts | null {
  const answered = new Map<string, Disposition>();
  for (const a of answers) {
    const at = Date.parse(a.recordedAt);
    if (at < period.from || at >= period.to) continue;
    const comment = s.comments.get(a.commentId);
    if (comment?.stakeholderId !== x.id || comment.retracted) continue;
    answered.delete(comment.ref); // an answer given again counts once, in its latest place
    answered.set(comment.ref, a.disposition);
  }
  if (answered.size === 0) return null;
  return { kind: 'answers-digest', answered: [...answered].map(([ref, disposition]) => ({ ref, disposition })) };
}

/** The facts of the message of this kind to this stakeholder's contact, as it would go out at `now` (ISO-8601). */
export function messageFactsNow(
  s: ReadonlyState, x: ReadonlyStakeholder, contactId: string, choice: MessageChoice, texts: ConsultationTexts, now: string,
): MessageFacts {
  if (choice.kind === 'outcome') {
    if (s.status !== 'closed' || !texts.closing) throw new DomainError('CONSULTATION_NOT_CLOSED', 'the consultation is open: it has no outcome yet');
    return outcomeFacts(s, x, contactId, texts.closing, now);
  }
  if (s.status === 'closed') throw new DomainError('CONSULTATION_CLOSED', `the consultation is closed: only its outcome goes out now (kind=outcome), no ${choice.kind}`);
  switch (choice.kind) {
    case 'invitation':
      return invitationFacts(s, x);
    case 'new-draft':
      requireAnyDraft(s, 'a new-draft notice');
      return newDraftFacts(s, x, s.latestVersion, texts.draftNote);
    case 'endorsement-request':
      return endorsementRequestFacts(s, x);
    case 'reminder':
      return reminderFacts(s, x, choice.phase);
    case 'acknowledgement': {
      let latest: string | null = null;
      for (const c of s.comments.values()) if (c.stakeholderId === x.id && !c.retracted) latest = c.id;
      const facts = latest === null ? null : acknowledgementFacts(s, x, [latest]);
      if (!facts) throw new DomainError('NO_COMMENT_TO_ACKNOWLEDGE', `${x.organisation} has no comment to acknowledge`);
      return facts;
    }
    case 'answers-digest': {
      // the digest of today (the consultation's day, as the mail workers make it), so far
      const at = Date.parse(now);
      const { start } = localDay(at, s.timeZone);
      const facts = answersDigestFacts(s, x, texts.answers, { from: start, to: at + 1 });
      if (!facts) {
        throw new DomainError('NO_ANSWERS_TO_DIGEST', `none of ${x.organisation}'s comments was answered today (since ${localTime(new Date(start).toISOString(), s.timeZone)})`);
      }
      return facts;
    }
  }
}

/** One delivery failure, as the events tell it (the contact as it was named then). */
export interface DeliveryFailureText {
  stakeholderId: string;
  contact: { name: string; email: string } | null;
  messageKind: 'invitation' | 'notice' | 'reminder';
  error: string;
  failedAt: string;
  /** when it was recorded: what puts it in a period */
  recordedAt: string;
}

/** A reply held for the coordinator, as the events tell it: which one, and when it was recorded (what puts it in a period). */
export interface HeldReplyRecord {
  heldId: string;
  recordedAt: string;
}

/**
 * The sections of the coordinating office's digest of a period, from `from` (inclusive) to `to`
 * (exclusive): the delivery failures recorded in it, in order; the replies by e-mail held in it that
 * no coordinator has accepted or discarded yet (a held reply decided before the digest goes out
 * needs nobody's attention), each with its organisation, when it was received and why it was held,
 * and where to decide them. A section with nothing in it is left out; [] when there is nothing to
 * report.
 */
export function officeDigestSections(
  s: ReadonlyState, failures: readonly DeliveryFailureText[], held: readonly HeldReplyRecord[], period: { from: number; to: number },
): OfficeDigestSection[] {
  const inPeriod = (recordedAt: string) => {
    const at = Date.parse(recordedAt);
    return at >= period.from && at < period.to;
  };
  const organisationOf = (stakeholderId: string) => s.stakeholders.get(stakeholderId)?.organisation ?? stakeholderId;
  const items = failures.filter((f) => inPeriod(f.recordedAt)).map((f) => ({
    organisation: organisationOf(f.stakeholderId),
    contact: f.contact,
    messageKind: f.messageKind,
    failedAt: f.failedAt,
    error: f.error,
  }));
  const pending = held.filter((h) => inPeriod(h.recordedAt)).flatMap((h) => {
    const reply = s.heldReplies.get(h.heldId);
    if (reply?.status !== 'pending') return [];
    const reasons = [...new Set(reply.reasons)].filter((code): code is HeldReasonCode => HeldReasonCode.safeParse(code).success);
    return [{ organisation: organisationOf(reply.stakeholderId), receivedAt: reply.receivedAt, reasons }];
  });
  const sections: OfficeDigestSection[] = [];
  if (items.length > 0) sections.push({ kind: 'delivery-failures', items });
  if (pending.length > 0) sections.push({ kind: 'held-replies', items: pending, review: `/consultations/${s.id ?? ''}/held-replies` });
  return sections;
}

/** The outcome's facts for a contact: what the closing said, and until when its link reads (what it would have allowed, for a link that no longer reads). */
export function outcomeFacts(
  s: ReadonlyState, x: ReadonlyStakeholder, contactId: string, closing: NonNullable<ConsultationTexts['closing']>, now: string,
): MessageFacts {
  const access = linkAccess(s, { consultationId: s.id ?? '', stakeholderId: x.id, contactId }, now);
  // a link that no longer reads (the stakeholder removed): what it would have allowed
  const readableUntil = access.ok && access.until !== null
    ? access.until
    : new Date(Date.parse(s.closedAt ?? now) + READ_ONLY_DAYS_AFTER_CLOSING * DAY_MS).toISOString();
  return {
    kind: 'outcome',
    outcome: closing.outcome,
    finalDraftVersion: closing.finalDraftVersion,
    ...(closing.note ? { note: closing.note } : {}),
    readableUntil,
  };
}

function requireAnyDraft(s: ReadonlyState, what: string): void {
  if (s.latestVersion === 0) throw new DomainError('NO_DRAFT', `no draft has been published yet: there is nothing for ${what}`);
}

function endorsementAsked(s: ReadonlyState, x: ReadonlyStakeholder): { draftVersion: number; deadline: string } {
  if (!x.endorser) throw new DomainError('NOT_AN_ENDORSER', `${x.organisation} is not an endorser: endorsement is not asked of it`);
  const request = s.endorsementRequest;
  if (!request) throw new DomainError('NO_ENDORSEMENT_REQUEST', 'no endorsement request is open');
  return { draftVersion: request.draftVersion, deadline: endorsementDeadlineFor(s, x) };
}
