import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { RECORDS, requireExists, requireRole, requireStakeholder } from '../domain/rules.ts';
import { withoutAddresses } from '../domain/contacts.ts';
import { Id, Instant, MessageKind, MultiLine, SingleLine } from '../domain/schemas.ts';

/**
 * Records that a message could not be delivered. Accepted in any state. A message recorded as
 * failed permanently records nothing more; one recorded as sent or as failed for now records only a
 * permanent failure: a delivery report (a bounce) that came back after the sending, or the last word
 * after a temporary failure.
 */
export const recordDeliveryFailure = defineCommand({
  name: 'RecordDeliveryFailure',
  schema: z.strictObject({
    stakeholderId: Id,
    contactId: Id.optional().describe('the contact person it was for'),
    messageId: SingleLine(200),
    messageKind: MessageKind,
    error: MultiLine(2_000),
    permanent: z.boolean().default(false),
    failedAt: Instant,
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, RECORDS);
    requireExists(state);
    requireStakeholder(state, input.stakeholderId);
    const recorded = state.messages.get(input.messageId);
    if (recorded === 'failed-permanently') return [];
    if ((recorded === 'sent' || recorded === 'failed') && !input.permanent) return [];
    // an SMTP answer often quotes the address ("550 <ana@…>: no such user"): the record does not
    // keep it, so an erasure of that contact leaves no trace of it in the error either
    const x = state.stakeholders.get(input.stakeholderId)!;
    return [event('DeliveryFailed', { ...input, error: withoutAddresses(input.error, x.contacts.map((c) => c.email)) })];
  },
});
