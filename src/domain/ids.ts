// Ids derived from a command id, so that a retried command produces the same ids (and therefore
// the same events) without any I/O inside decide.
import { v5 as uuidv5 } from 'uuid';

/** A fixed namespace for this product's name-based UUIDs. */
export const ID_NAMESPACE = '6f1c2a7e-4b7d-5e0a-9c1b-2d3e4f5a6b7c';

export function idFor(commandId: string, purpose: string): string {
  return uuidv5(`${purpose}:${commandId}`, ID_NAMESPACE);
}
