import { z } from 'zod';
import { defineCommand } from './command.ts';
import { STAKEHOLDER_ACTS, requireContact, requireRole } from '../domain/rules.ts';
import { requireEndorserMayDecide } from './endorsement-guards.ts';
import { event } from '../domain/events.ts';
import { Id, MultiLine, Signatory, SingleLine } from '../domain/schemas.ts';

/**
 * Endorsing replaces the endorser's earlier decision on the version (a withholding, or an
 * endorsement with another signatory, title, statement or evidence: a new decision); the same
 * endorsement again is a no-op (whichever of its contacts gives it: the decision is the
 * organisation's, and the view keeps naming the contact who made it).
 */
export const endorseDraft = defineCommand({
  name: 'EndorseDraft',
  schema: z.strictObject({
    stakeholderId: Id,
    contactId: Id.optional().describe('the contact person who made the decision for the organisation (one of its contacts now); omitted: the organisation as a whole'),
    draftVersion: z.number().int().positive(),
    signatory: Signatory,
    statement: MultiLine(10_000).optional(),
    /** e.g. the reference of a signed letter */
    evidence: SingleLine(500).optional(),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, STAKEHOLDER_ACTS);
    const x = requireEndorserMayDecide(state, input, ctx);
    if (input.contactId !== undefined) requireContact(x, input.contactId);
    const earlier = x.decisions.get(input.draftVersion);
    if (
      earlier?.decision === 'endorsed'
      && earlier.signatory.name === input.signatory.name
      && earlier.signatory.title === input.signatory.title
      && earlier.statement === (input.statement ?? null)
      && earlier.evidence === (input.evidence ?? null)
    ) return [];
    return [event('DraftEndorsed', input)];
  },
});
