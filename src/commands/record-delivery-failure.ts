import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { requireExists, requireStakeholder } from '../domain/rules.ts';
import { Instant, MessageKind } from '../domain/schemas.ts';

/** Records that a message could not be delivered. Accepted in any state; a message recorded already records nothing. */
export const recordDeliveryFailure = defineCommand({
  name: 'RecordDeliveryFailure',
  schema: z.object({
    stakeholderId: z.string().min(1),
    messageId: z.string().min(1).max(200),
    messageKind: MessageKind,
    error: z.string().trim().min(1).max(2_000),
    permanent: z.boolean().default(false),
    failedAt: Instant,
  }),
  decide(state, input) {
    requireExists(state);
    requireStakeholder(state, input.stakeholderId);
    if (state.messages[input.messageId]) return [];
    return [event('DeliveryFailed', input)];
  },
});
