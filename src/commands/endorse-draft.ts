import { z } from 'zod';
import { defineCommand } from './command.ts';
import { STAKEHOLDER_ACTS, requireRole } from '../domain/rules.ts';
import { requireEndorserMayDecide } from './endorsement-guards.ts';
import { event } from '../domain/events.ts';
import { Id, MultiLine, Signatory, SingleLine } from '../domain/schemas.ts';

/** Endorsing twice is a no-op; endorsing after withholding replaces the earlier decision. */
export const endorseDraft = defineCommand({
  name: 'EndorseDraft',
  schema: z.strictObject({
    stakeholderId: Id,
    draftVersion: z.number().int().positive(),
    signatory: Signatory,
    statement: MultiLine(10_000).optional(),
    /** e.g. the reference of a signed letter */
    evidence: SingleLine(500).optional(),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, STAKEHOLDER_ACTS);
    const x = requireEndorserMayDecide(state, input, ctx);
    if (x.decisions.get(input.draftVersion) === 'endorsed') return [];
    return [event('DraftEndorsed', input)];
  },
});
