import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { requireLatestDraft, requireParticipant } from '../domain/rules.ts';

/** "No further comments on this version." */
export const completeReview = defineCommand({
  name: 'CompleteReview',
  schema: z.object({ stakeholderId: z.string().min(1), draftVersion: z.number().int().positive() }),
  decide(state, input, ctx) {
    const x = requireParticipant(state, ctx.actor, input.stakeholderId);
    requireLatestDraft(state, input.draftVersion);
    if (x.reviewedVersions.includes(input.draftVersion)) return [];
    return [event('ReviewCompleted', input)];
  },
});
