import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { RECORDS, requireExists, requireRole } from '../domain/rules.ts';
import { Email, Instant, MailTransport, MultiLine, SingleLine } from '../domain/schemas.ts';

const Common = { to: Email, messageId: SingleLine(200) };

/**
 * Records what became of a digest to one of the coordinating office's mailboxes: sent
 * (OfficeNotified) or failed (OfficeNotificationFailed). Accepted in any state; a message recorded
 * as sent, or as failed for good, records nothing more.
 */
export const recordOfficeNotification = defineCommand({
  name: 'RecordOfficeNotification',
  schema: z.discriminatedUnion('outcome', [
    z.strictObject({
      outcome: z.literal('sent'), ...Common,
      digest: z.literal('office-digest'),
      from: Instant,
      until: Instant,
      sections: z.array(SingleLine(50)).max(10),
      sentAt: Instant,
      transport: MailTransport.optional(),
    }),
    z.strictObject({ outcome: z.literal('failed'), ...Common, error: MultiLine(2_000), permanent: z.boolean(), failedAt: Instant }),
  ]),
  decide(state, input, ctx) {
    requireRole(ctx.actor, RECORDS);
    requireExists(state);
    const recorded = state.messages.get(input.messageId);
    if (recorded === 'sent' || recorded === 'failed-permanently') return [];
    if (input.outcome === 'sent') {
      const { outcome: _, ...data } = input;
      return [event('OfficeNotified', data)];
    }
    if (recorded === 'failed' && !input.permanent) return [];
    const { outcome: _, ...data } = input;
    return [event('OfficeNotificationFailed', data)];
  },
});
