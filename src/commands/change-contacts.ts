import { z } from 'zod';
import { defineCommand } from './command.ts';
import { Contacts, stakeholderByEmail } from './invite-stakeholder.ts';
import { contactIdsOf, withContactIds } from '../domain/contacts.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { Id } from '../domain/schemas.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole, requireStakeholder, sameEmail } from '../domain/rules.ts';

/**
 * Replaces a stakeholder's contact people (the first is the primary): a new focal point, same
 * organisation. A contact whose address stays keeps its contactId (its links and reply address
 * stay valid); one no longer listed loses them; a new one gets an id from this command
 * (contactIdsOf), even an address the stakeholder had before.
 */
export const changeContacts = defineCommand({
  name: 'ChangeContacts',
  schema: z.strictObject({ stakeholderId: Id, contacts: Contacts }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const x = requireStakeholder(state, input.stakeholderId);
    for (const c of input.contacts) {
      const owner = stakeholderByEmail(state, [c.email]);
      if (owner && owner.id !== x.id) {
        throw new DomainError('CONTACT_BELONGS_TO_OTHER_STAKEHOLDER', `${c.email} belongs to ${owner.organisation}`, { stakeholderId: owner.id });
      }
    }
    const unchanged = x.contacts.length === input.contacts.length &&
      x.contacts.every((c, i) => c.name === input.contacts[i]?.name && sameEmail(c.email, input.contacts[i]?.email ?? ''));
    if (unchanged) return [];
    const contacts = withContactIds(input.contacts, x.contacts, contactIdsOf(ctx.commandId));
    const before = new Set(x.contacts.map((c) => c.contactId));
    const added = contacts.filter((c) => !before.has(c.contactId)).map((c) => c.contactId);
    return [event('StakeholderContactsChanged', { stakeholderId: x.id, contacts, ...(added.length > 0 ? { added } : {}) })];
  },
});
