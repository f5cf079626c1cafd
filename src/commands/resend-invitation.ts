import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireActive, requireContact, requireOpen, requireRole, requireStakeholder } from '../domain/rules.ts';
import { Id } from '../domain/schemas.ts';
import { requireWritableContacts } from '../domain/erased.ts';

/**
 * Sends the invitation again, to every contact of the stakeholder or to one (`contactId`): recorded,
 * then sent by the mail relay as a new message. Every request is a new one (a retry with the same
 * command id, as ever, records nothing more).
 */
export const resendInvitation = defineCommand({
  name: 'ResendInvitation',
  schema: z.strictObject({
    stakeholderId: Id,
    contactId: Id.optional().describe('only this contact person (its contactId); omitted: every contact'),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const x = requireStakeholder(state, input.stakeholderId);
    requireActive(x);
    if (input.contactId !== undefined) requireContact(x, input.contactId);
    requireWritableContacts(x.organisation, x.contacts, input.contactId);
    return [event('InvitationResendRequested', { stakeholderId: x.id, ...(input.contactId !== undefined ? { contactId: input.contactId } : {}) })];
  },
});
