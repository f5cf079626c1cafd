// Contact ids for events built by hand as fixtures. Any id does there, so a fixture's is derived
// from the stakeholder and the address, for the tests' convenience. It is not how the deciders
// give one (contactIdsOf in src/domain/contacts.ts: from the creating command, never the address),
// nor the upcaster's (legacyContactIdFor): a test that runs a command reads the id it gave, or
// derives it with contactIdsOf from the command id.
import { v5 as uuidv5 } from 'uuid';
import { normaliseEmail, withContactIds, type IdentifiedContact, type NamedAddress } from '../../src/domain/contacts.ts';

const FIXTURE_NAMESPACE = 'a3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** A fixture's id for the contact with this address (whatever its case) at this stakeholder. */
export function fixtureContactId(stakeholderId: string, email: string): string {
  return uuidv5(`fixture-contact:${stakeholderId}:${normaliseEmail(email)}`, FIXTURE_NAMESPACE);
}

/** The contacts with fixture ids, as a hand-built StakeholderInvited or StakeholderContactsChanged holds them. */
export function fixtureContacts(stakeholderId: string, contacts: readonly NamedAddress[]): IdentifiedContact[] {
  return withContactIds(contacts, [], (i) => fixtureContactId(stakeholderId, contacts[i]!.email));
}
