import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireLatestDraft, requireOpen, requireRole } from '../domain/rules.ts';
import { Note, Outcome } from '../domain/schemas.ts';
import { missingEndorsers } from '../domain/standing.ts';

/**
 * Closes as adopted (only on the latest version, only when no required endorser is missing on it:
 * see missingEndorsers) or as withdrawn.
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
      const missing = missingEndorsers([...state.stakeholders.values()].map((x) => ({
        stakeholderId: x.id,
        organisation: x.organisation,
        endorser: x.endorser,
        removed: x.removed,
        declined: x.response === 'declined',
        decision: x.decisions.get(version) ?? null,
      }))).map(({ stakeholderId, organisation }) => ({ stakeholderId, organisation }));
      if (missing.length > 0) {
        throw new DomainError(
          'ENDORSEMENTS_MISSING',
          `draft version ${version} is not endorsed by: ${missing.map((m) => m.organisation).join(', ')}`,
          { missing },
        );
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
