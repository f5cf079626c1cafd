import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { requireActingFor, requireActive, requireLatestDraft, requireOpen, requireRole, requireStakeholder, STAKEHOLDER_ACTS } from '../domain/rules.ts';

/** "No further comments on this version." */
export const completeReview = defineCommand({
  name: 'CompleteReview',
  schema: z.object({ stakeholderId: z.string().min(1), draftVersion: z.number().int().positive() }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, STAKEHOLDER_ACTS);
    requireOpen(state);
    requireActingFor(ctx.actor, input.stakeholderId);
    const x = requireStakeholder(state, input.stakeholderId);
    requireActive(x);
    requireLatestDraft(state, input.draftVersion);
    if (x.reviewedVersions.includes(input.draftVersion)) return [];
    return [event('ReviewCompleted', input)];
  },
});
