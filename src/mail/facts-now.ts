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
// Whether the message is due for this stakeholder (removed, declined, answered already) is not
// judged here: the coordinator may look at a message before the case arises. Pure: the preview
// route reads everything and gives the time.
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';
import { DomainError } from '../domain/errors.ts';
import { linkAccess, READ_ONLY_DAYS_AFTER_CLOSING } from '../domain/link-access.ts';
import { commentDeadlineFor, endorsementDeadlineFor } from '../domain/rules.ts';
import type { Phase } from '../domain/schemas.ts';
import type { ClosingOutcome, Disposition } from './catalogue.ts';
import type { MessageFacts, TemplateKind } from './render.ts';

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

/** The facts of the message of this kind to this stakeholder's contact, as it would go out at `now` (ISO-8601). */
export function messageFactsNow(
  s: ReadonlyState, x: ReadonlyStakeholder, contactId: string, choice: MessageChoice, texts: ConsultationTexts, now: string,
): MessageFacts {
  if (choice.kind === 'outcome') return outcomeFacts(s, x, contactId, texts, now);
  if (s.status === 'closed') throw new DomainError('CONSULTATION_CLOSED', `the consultation is closed: only its outcome goes out now (kind=outcome), no ${choice.kind}`);
  switch (choice.kind) {
    case 'invitation':
      return invitationFacts(s, x);
    case 'new-draft':
      requireAnyDraft(s, 'a new-draft notice');
      return { kind: 'new-draft', draftVersion: s.latestVersion, deadline: commentDeadlineFor(s, x), ...(texts.draftNote ? { note: texts.draftNote } : {}) };
    case 'endorsement-request':
      return { kind: 'endorsement-request', ...endorsementAsked(s, x) };
    case 'reminder': {
      // with the coordinators' own words, when they configured some (PUT …/reminders)
      const message = s.reminders?.message ? { message: s.reminders.message } : {};
      if (choice.phase === 'comments') {
        requireAnyDraft(s, 'a reminder to comment');
        return { kind: 'reminder', phase: 'comments', draftVersion: s.latestVersion, deadline: commentDeadlineFor(s, x), ...message };
      }
      return { kind: 'reminder', phase: 'endorsement', ...endorsementAsked(s, x), ...message };
    }
    case 'acknowledgement': {
      let latest: { ref: string; draftVersion: number } | null = null;
      for (const c of s.comments.values()) if (c.stakeholderId === x.id && !c.retracted) latest = c;
      if (!latest) throw new DomainError('NO_COMMENT_TO_ACKNOWLEDGE', `${x.organisation} has no comment to acknowledge`);
      return {
        kind: 'acknowledgement',
        draftVersion: latest.draftVersion,
        commentRefs: [latest.ref],
        ...(latest.draftVersion === s.latestVersion ? { deadline: commentDeadlineFor(s, x) } : {}),
      };
    }
    case 'answers-digest': {
      // the digest of today (a UTC day, as the mail workers make it), so far: each comment's latest answer
      const from = Math.floor(Date.parse(now) / DAY_MS) * DAY_MS;
      const answered = new Map<string, Disposition>();
      for (const a of texts.answers) {
        const at = Date.parse(a.recordedAt);
        if (at < from || at > Date.parse(now)) continue;
        const comment = s.comments.get(a.commentId);
        if (comment?.stakeholderId !== x.id || comment.retracted) continue;
        answered.delete(comment.ref);
        answered.set(comment.ref, a.disposition);
      }
      if (answered.size === 0) {
        throw new DomainError('NO_ANSWERS_TO_DIGEST', `none of ${x.organisation}'s comments was answered today (since ${new Date(from).toISOString()})`);
      }
      return { kind: 'answers-digest', answered: [...answered].map(([ref, disposition]) => ({ ref, disposition })) };
    }
  }
}

function outcomeFacts(s: ReadonlyState, x: ReadonlyStakeholder, contactId: string, texts: ConsultationTexts, now: string): MessageFacts {
  const closing = texts.closing;
  if (s.status !== 'closed' || !closing) throw new DomainError('CONSULTATION_NOT_CLOSED', 'the consultation is open: it has no outcome yet');
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
