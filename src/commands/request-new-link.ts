import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { idFor } from '../domain/ids.ts';
import { requireActingFor, requireOpen, requireRole, requireStakeholder, STAKEHOLDER_ACTS } from '../domain/rules.ts';
import { Id } from '../domain/schemas.ts';

/**
 * A stakeholder's contact whose personal link no longer works (expired, or revoked: the stakeholder
 * was removed or the contact is no longer one of its own) asks the coordinator for a new one, from
 * the page its refused link shows. Recorded for the coordinator to see (the stakeholders view);
 * nothing is sent by itself: whether the organisation should still take part is the coordinator's call.
 * A former contact of the stakeholder may ask too (that is what a revoked contact is).
 */
export const requestNewLink = defineCommand({
  name: 'RequestNewLink',
  schema: z.strictObject({
    stakeholderId: Id,
    contactId: Id.describe('the contact whose link was refused (a current or a former contact of the stakeholder)'),
    reason: z.enum(['expired', 'revoked']).describe('why the link was refused'),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, STAKEHOLDER_ACTS);
    requireOpen(state);
    requireActingFor(ctx.actor, input.stakeholderId);
    const x = requireStakeholder(state, input.stakeholderId);
    if (!x.contacts.some((c) => c.contactId === input.contactId) && !x.formerContactIds.includes(input.contactId)) {
      throw new DomainError('CONTACT_NOT_FOUND', `${x.organisation} never had contact ${input.contactId}`);
    }
    return [event('NewLinkRequested', input)];
  },
});

/** One request a day per contact: pressing the button again that day records nothing more. */
export function newLinkCommandId(contactId: string, now: string): string {
  return idFor(`${contactId}:${now.slice(0, 10)}`, 'new-link-request');
}
