import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { RECORDS, requireExists, requireRole, requireStakeholder } from '../domain/rules.ts';
import { Id, Instant, MailTransport, NoticeKind, Phase, SingleLine } from '../domain/schemas.ts';

const Common = {
  stakeholderId: Id,
  contactId: Id.optional().describe('the contact person it went to'),
  messageId: SingleLine(200),
  sentAt: Instant,
  transport: MailTransport.optional().describe('file: written to the file outbox, not sent'),
};

/**
 * Records a message that has left. Accepted in any state (the mail has gone already, even if the
 * consultation closed meanwhile); the same messageId twice records nothing.
 */
export const recordMessageSent = defineCommand({
  name: 'RecordMessageSent',
  schema: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('invitation'), ...Common }),
    z.strictObject({ kind: z.literal('notice'), ...Common, notice: NoticeKind, draftVersion: z.number().int().positive().optional() }),
    z.strictObject({ kind: z.literal('reminder'), ...Common, phase: Phase, draftVersion: z.number().int().positive(), deadline: Instant }),
  ]),
  decide(state, input, ctx) {
    requireRole(ctx.actor, RECORDS);
    requireExists(state);
    requireStakeholder(state, input.stakeholderId);
    if (state.messages.get(input.messageId) === 'sent') return [];
    switch (input.kind) {
      case 'invitation': {
        const { kind: _, ...data } = input;
        return [event('InvitationSent', data)];
      }
      case 'notice': {
        const { kind: _, ...data } = input;
        return [event('NoticeSent', data)];
      }
      case 'reminder': {
        const { kind: _, ...data } = input;
        return [event('ReminderSent', data)];
      }
    }
  },
});
