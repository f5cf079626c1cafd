// Personal data after an erasure (crypto-shredding, src/privacy): the value every reader sees in
// place of a name or an address whose key was destroyed. A contact so erased stays at its
// organisation by id (its comments and decisions stay the organisation's), but can no longer be
// written to nor act through its link.
import { ERASED } from '../privacy/sealed.ts';

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
