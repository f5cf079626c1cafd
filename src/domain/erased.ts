// Personal data after an erasure (crypto-shredding, src/privacy): the value every reader sees in
// place of a name or an address whose key was destroyed. A contact so erased stays at its
// organisation by id (its comments and decisions stay the organisation's), but can no longer be
// written to nor act through its link.
import { ERASED } from '../privacy/sealed.ts';
import { DomainError } from './errors.ts';

export { ERASED };

export function isErased(value: string): boolean {
  return value === ERASED;
}

/** A contact whose name or address was erased. */
export function isErasedContact(c: { name: string; email: string }): boolean {
  return isErased(c.email) || isErased(c.name);
}

/** The contact with its name and address erased (its id stays). */
export function eraseContact<C extends { name: string; email: string }>(c: C): C {
  return { ...c, name: ERASED, email: ERASED };
}

/**
 * The contacts a message may go to: this one (`contactId`) or every contact; refused with
 * CONTACT_ERASED when the one named, or every one, was erased (mail to them is impossible).
 */
export function requireWritableContacts<C extends { contactId: string; name: string; email: string }>(organisation: string, contacts: readonly C[], contactId?: string): C[] {
  const named = contactId === undefined ? contacts : contacts.filter((c) => c.contactId === contactId);
  const left = named.filter((c) => !isErasedContact(c));
  if (named.length > 0 && left.length === 0) {
    throw new DomainError('CONTACT_ERASED', contactId === undefined
      ? `every contact of ${organisation} was erased: add a new contact (PATCH the stakeholder's contacts) before sending`
      : `the personal data of this contact of ${organisation} was erased: nothing can be sent to it`);
  }
  return left;
}
