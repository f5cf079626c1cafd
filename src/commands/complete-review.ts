import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { requireLatestDraft, requireParticipant } from '../domain/rules.ts';
import { Id } from '../domain/schemas.ts';

/** "No further comments on this version." */
export const completeReview = defineCommand({
  name: 'CompleteReview',
  schema: z.strictObject({ stakeholderId: Id, draftVersion: z.number().int().positive() }),
  decide(state, input, ctx) {
    const x = requireParticipant(state, ctx.actor, input.stakeholderId);
    requireLatestDraft(state, input.draftVersion);
    if (x.reviewedVersions.includes(input.draftVersion)) return [];
    return [event('ReviewCompleted', input)];
  },
});
