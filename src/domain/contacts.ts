// A stakeholder's contact people and their stable ids. A contact's id names the person a message,
// a link token or a reply address is for, so that a reply or a click is attributed to them.
//
// A new contact's id is derived from the command that created it (contactIdsOf: the command id and
// the contact's index in that command's input), never from its address: ids stay in events and
// export bundles after erasure has destroyed the address, and an id derived from the address would
// let anyone holding them confirm a guessed one. A retry of the same command gives the same ids.
// The deciders keep the id a contact had while its address (whatever its case) stays the same.
//
// Contacts created before this held keep the ids they were stored with, derived from the
// stakeholder's id and the address (legacyContactIdFor); contacts stored before ids existed get the
// same from the upcaster (decode.ts), so old events, stored links and reply addresses still agree.
// Those ids can still be checked against a guessed address. Never change that derivation, and
// never use it for a new contact.
import { v5 as uuidv5 } from 'uuid';
import { ID_NAMESPACE, idFor } from './ids.ts';

/** An address as the domain compares it: trimmed, lower case (sameEmail in rules.ts). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The id the upcaster gives a contact stored before contacts had ids: derived from the address, so
 * only for those. A new contact gets its id from contactIdsOf.
 */
export function legacyContactIdFor(stakeholderId: string, email: string): string {
  return uuidv5(`contact:${stakeholderId}:${normaliseEmail(email)}`, ID_NAMESPACE);
}

export interface NamedAddress {
  name: string;
  email: string;
}

export interface IdentifiedContact extends NamedAddress {
  contactId: string;
}

/** The ids of the contacts a command creates: its id and the contact's index in its input. */
export function contactIdsOf(commandId: string): (index: number) => string {
  return (index) => idFor(commandId, `contact-${index}`);
}

/**
 * The contacts with their ids: a contact whose address is among `current` (whatever its case)
 * keeps that contact's id; any other gets newId(its index in `contacts`).
 */
export function withContactIds(
  contacts: readonly NamedAddress[],
  current: readonly IdentifiedContact[],
  newId: (index: number) => string,
): IdentifiedContact[] {
  return contacts.map((c, i) => {
    const same = current.find((x) => normaliseEmail(x.email) === normaliseEmail(c.email));
    return { contactId: same?.contactId ?? newId(i), name: c.name, email: c.email };
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
