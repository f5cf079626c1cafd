// Which values of which events are personal data, and whose key seals each (key-store.ts): the
// contacts' names and addresses (StakeholderInvited, StakeholderContactsChanged), a signatory's
// name (DraftEndorsed), the sender of a held reply (InboundReplyHeld). Nothing else in an event
// names a person: contacts appear elsewhere only as `contactId`.
import { normaliseEmail } from '../domain/contacts.ts';
import type { ReadonlyState } from '../domain/consultation.ts';
import type { EventType } from '../domain/events.ts';
import { senderAddress } from '../domain/replies.ts';
import type { JsonObject, JsonValue } from '../store/port.ts';
import type { KeyOwner } from './key-store.ts';
import { isSealed, type SealedValue } from './sealed.ts';

/** The event types that may carry sealed values. */
export const PERSONAL_EVENT_TYPES: ReadonlySet<string> = new Set<EventType>(['StakeholderInvited', 'StakeholderContactsChanged', 'DraftEndorsed', 'InboundReplyHeld']);

/** The person a key is for: found by `subject` (never stored as such), owned as `owner`. */
export interface PersonalSubject {
  subject: string;
  owner: KeyOwner;
}

export function emailSubject(email: string): string {
  return `email:${normaliseEmail(email)}`;
}

/** A signatory no contact stands for: found by name (case and spacing aside), whichever organisation it signed for. */
export function signatorySubject(name: string): string {
  return `signatory:${name.trim().replace(/\s+/g, ' ').toLowerCase()}`;
}

/** A personal value of an event (as decided) and the person it belongs to. */
interface Site {
  get(): JsonValue | undefined;
  set(value: JsonValue): void;
  who: PersonalSubject;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(o: JsonObject, name: string, who: PersonalSubject): Site {
  return { get: () => o[name], set: (v) => { o[name] = v; }, who };
}

/**
 * The personal values of an event as a command decided it (plain JSON, about to be stored), with
 * whose key each takes. A signatory a contact stands for (the endorsement names its contactId)
 * takes that contact's key: erasing the contact erases its signature's name too.
 */
function sites(consultationId: string, type: string, data: JsonObject, state: Pick<ReadonlyState, 'stakeholders'>): Site[] {
  const stakeholderId = typeof data['stakeholderId'] === 'string' ? data['stakeholderId'] : '';
  const out: Site[] = [];
  if (type === 'StakeholderInvited' || type === 'StakeholderContactsChanged') {
    for (const c of Array.isArray(data['contacts']) ? data['contacts'] : []) {
      if (!isObject(c) || typeof c['email'] !== 'string') continue;
      const who = { subject: emailSubject(c['email']), owner: { consultationId, stakeholderId, contactId: typeof c['contactId'] === 'string' ? c['contactId'] : null } };
      out.push(field(c, 'name', who), field(c, 'email', who));
    }
  } else if (type === 'DraftEndorsed') {
    const signatory = data['signatory'];
    if (isObject(signatory) && typeof signatory['name'] === 'string') {
      const contactId = typeof data['contactId'] === 'string' ? data['contactId'] : null;
      const contact = contactId ? state.stakeholders.get(stakeholderId)?.contacts.find((c) => c.contactId === contactId) : undefined;
      const who = contact
        ? { subject: emailSubject(contact.email), owner: { consultationId, stakeholderId, contactId: contact.contactId } }
        : { subject: signatorySubject(signatory['name']), owner: { consultationId, stakeholderId, contactId: null } };
      out.push(field(signatory, 'name', who));
    }
  } else if (type === 'InboundReplyHeld' && typeof data['from'] === 'string') {
    const contactId = typeof data['contactId'] === 'string' ? data['contactId'] : null;
    out.push(field(data, 'from', { subject: emailSubject(senderAddress(data['from'])), owner: { consultationId, stakeholderId, contactId } }));
  }
  return out.filter((s) => typeof s.get() === 'string');
}

/** The people whose keys sealing this event needs (so that they can be made ready first). */
export function personalSubjects(consultationId: string, type: string, data: JsonObject, state: Pick<ReadonlyState, 'stakeholders'>): PersonalSubject[] {
  return sites(consultationId, type, data, state).map((s) => s.who);
}

/** Replaces, in place, each personal value of the event with what `sealWith` makes of it. */
export function sealPersonal(
  consultationId: string, type: string, data: JsonObject, state: Pick<ReadonlyState, 'stakeholders'>,
  sealWith: (value: string, who: PersonalSubject) => SealedValue,
): void {
  for (const s of sites(consultationId, type, data, state)) s.set(sealWith(s.get() as string, s.who) as unknown as JsonValue);
}

/** A copy of stored data with every sealed value replaced by what `open` makes of it (the read side needs no map: sealed values say so). */
export function unsealPersonal(data: Record<string, unknown>, open: (value: SealedValue) => string): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    if (isSealed(v)) return open(v);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return walk(data) as Record<string, unknown>;
}

/** The key ids an event's stored data names. */
export function sealedKeyIds(data: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(data)) for (const x of data) sealedKeyIds(x, into);
  else if (isSealed(data)) into.add(data.keyId);
  else if (typeof data === 'object' && data !== null) for (const x of Object.values(data)) sealedKeyIds(x, into);
  return into;
}
