import { z } from 'zod';
import { defineCommand } from './command.ts';
import type { ReadonlyState } from '../domain/consultation.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, ownDeadlineOverride, requireLatestDraft, requireOpen, requireRole } from '../domain/rules.ts';
import { pendingHeldReplies } from '../domain/replies.ts';
import { Note, Outcome } from '../domain/schemas.ts';
import { adoptionReasons, awaitsAnswer, type AdoptionReason } from '../domain/standing.ts';

/**
 * Closes as adopted (only on the latest version, only when nothing blocks its adoption: see
 * adoptionBlockers; every reason at once in one ADOPTION_BLOCKED) or as withdrawn.
 */
export const closeConsultation = defineCommand({
  name: 'CloseConsultation',
  schema: z.strictObject({
    outcome: Outcome,
    /** required when adopted; optional when withdrawn */
    finalDraftVersion: z.number().int().positive().nullable().optional(),
    note: Note.optional(),
  }).refine((x) => x.outcome !== 'adopted' || (x.finalDraftVersion ?? null) !== null, {
    path: ['finalDraftVersion'],
    message: 'an adopted consultation needs its final draft version',
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const version = input.finalDraftVersion ?? null;
    if (input.outcome === 'adopted') {
      if (version === null) throw new DomainError('DRAFT_NOT_FOUND', 'an adopted consultation needs its final draft version'); // the schema refuses this first
      requireLatestDraft(state, version);
      const reasons = adoptionReasonsOf(state, version, ctx.now);
      if (reasons.length > 0) {
        throw new DomainError('ADOPTION_BLOCKED', `draft version ${version} cannot be adopted yet: ${reasons.map(describe).join('; ')}`, { draftVersion: version, reasons });
      }
    } else if (version !== null && !state.drafts.has(version)) {
      throw new DomainError('DRAFT_NOT_FOUND', `no draft version ${version}`);
    }
    return [event('ConsultationClosed', {
      outcome: input.outcome,
      finalDraftVersion: version,
      ...(input.note ? { note: input.note } : {}),
    })];
  },
});

/** The reasons the version (which exists) cannot be adopted at `now`, from the consultation's state. */
export function adoptionReasonsOf(state: ReadonlyState, version: number, now: string): AdoptionReason[] {
  const draft = state.drafts.get(version)!;
  const stakeholders = [...state.stakeholders.values()];
  const participation = (x: (typeof stakeholders)[number]) => ({ removed: x.removed, declined: x.response === 'declined' });
  return adoptionReasons({
    stakeholders: stakeholders.map((x) => {
      const d = x.decisions.get(version);
      return {
        stakeholderId: x.id,
        organisation: x.organisation,
        endorser: x.endorser,
        ...participation(x),
        decision: d?.decision ?? null,
        withheldReason: d?.decision === 'withheld' ? d.reason : null,
      };
    }),
    unansweredComments: (() => {
      const listed = [...state.comments.values()]
        .filter((c) => awaitsAnswer({ retracted: c.retracted, answered: c.answer !== null }))
        .map((c) => ({ commentId: c.id, ref: c.ref }));
      return { count: listed.length, listed };
    })(),
    pendingHeldReplies: pendingHeldReplies(state),
    commentDeadline: draft.commentDeadline,
    // the own deadlines granted on this version, as its comment period has them (commentPeriodFor)
    ownCommentDeadlines: stakeholders.map((x) => {
      const own = draft.ownCommentDeadlines.get(x.id);
      return {
        stakeholderId: x.id,
        organisation: x.organisation,
        ...participation(x),
        deadline: ownDeadlineOverride(draft.commentDeadline, own === undefined ? null : { draftVersion: version, deadline: own }, version),
      };
    }),
    now,
  });
}

/** One reason in words, for the problem's message. */
function describe(r: AdoptionReason): string {
  switch (r.code) {
    case 'COMMENTS_UNANSWERED':
      return `${r.count} comment${r.count === 1 ? '' : 's'} without an answer (${r.comments.map((c) => c.ref).join(', ')})`;
    case 'ENDORSEMENTS_MISSING':
      return [
        ...(r.pending.length > 0 ? [`not yet endorsed by ${r.pending.map((x) => x.organisation).join(', ')}`] : []),
        ...(r.withheld.length > 0 ? [`endorsement withheld by ${r.withheld.map((x) => x.organisation).join(', ')}`] : []),
      ].join('; ');
    case 'HELD_REPLIES_PENDING':
      return `${r.heldIds.length} held repl${r.heldIds.length === 1 ? 'y' : 'ies'} by e-mail to accept or discard`;
    case 'COMMENT_PERIOD_OPEN':
      return `the comment period is open until ${r.closesAt}`;
    case 'NO_ENDORSERS':
      return 'no endorser is invited';
  }
}
