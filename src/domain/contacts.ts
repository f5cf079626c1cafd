// A stakeholder's contact people and their stable ids. A contact's id names the person a message,
// a link token or a reply address is for, so that a reply or a click is attributed to them.
//
// The id is a name-based UUID (v5) of the stakeholder's id and the normalised address: the deciders
// give it to every contact they write, and keep the id a contact had while its address stays the
// same; the upcaster (decode.ts) gives the very same id to contacts stored before ids existed, so
// the old events and the new agree. Never change this derivation: stored links and reply
// addresses name the ids it gave.
import { v5 as uuidv5 } from 'uuid';
import { ID_NAMESPACE } from './ids.ts';

/** An address as the domain compares it: trimmed, lower case (sameEmail in rules.ts). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The id of the contact with this address at this stakeholder. */
export function contactIdFor(stakeholderId: string, email: string): string {
  return uuidv5(`contact:${stakeholderId}:${normaliseEmail(email)}`, ID_NAMESPACE);
}

export interface NamedAddress {
  name: string;
  email: string;
}

export interface IdentifiedContact extends NamedAddress {
  contactId: string;
}

/**
 * The contacts with their ids: a contact whose address is among `current` (whatever its case)
 * keeps that contact's id; any other gets contactIdFor.
 */
export function withContactIds(
  stakeholderId: string,
  contacts: readonly NamedAddress[],
  current: readonly IdentifiedContact[] = [],
): IdentifiedContact[] {
  return contacts.map((c) => {
    const same = current.find((x) => normaliseEmail(x.email) === normaliseEmail(c.email));
    return { contactId: same?.contactId ?? contactIdFor(stakeholderId, c.email), name: c.name, email: c.email };
  });
}

/** The text with each of these addresses (whatever its case) replaced by "[address]". */
export function withoutAddresses(text: string, addresses: readonly string[]): string {
  let out = text;
  for (const a of addresses) {
    const address = normaliseEmail(a);
    if (address === '') continue;
    out = out.replace(new RegExp(address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '[address]');
  }
  return out;
}
