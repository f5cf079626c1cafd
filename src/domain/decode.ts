// The one decode path from a stored event to a domain event, used by the fold, the projections and
// the workers. Its sealed personal values are opened (privacy/personal-store.ts), then it is upcast (older shapes brought to today's), then its data is
// checked against its type's schema and its metadata against EventMetadata. An event that cannot be
// decoded is an UndecodableEventError: the caller marks that consultation's history as damaged.
// A type this code does not know (written by a later version) decodes with `event: null` and
// changes nothing.
import type { z } from 'zod';
import { legacyContactIdFor } from './contacts.ts';
import { EventDataSchemas, EventMetadata, isEventType, type DomainEvent, type EventType } from './events.ts';
import { PERSONAL_EVENT_TYPES, unsealPersonal } from '../privacy/personal-fields.ts';
import { keysOf, openerFor } from '../privacy/personal-store.ts';

/** A stored event as the domain sees it (the event store's RecordedEvent has this shape). */
export interface StoredEvent {
  streamName: string;
  revision: number;
  type: string;
  data: unknown;
  metadata: unknown;
  /** set by the store when the stored bytes could not be read */
  unreadable?: string | undefined;
}

export interface DecodedEvent {
  streamName: string;
  revision: number;
  metadata: EventMetadata;
  /** null: a type this code does not know; it changes nothing */
  event: DomainEvent | null;
}

export class UndecodableEventError extends Error {
  constructor(readonly streamName: string, readonly revision: number, readonly reason: string) {
    super(`${streamName}@${revision} cannot be decoded: ${reason}`);
    this.name = 'UndecodableEventError';
  }
}

/**
 * Brings data stored in an older shape to the current one. `applies` recognises the old shape, so
 * an upcaster never touches an event already in today's shape; upcasters of a type run in order.
 */
export interface Upcaster {
  type: EventType;
  /** what old shape it reads, for the next engineer */
  description: string;
  applies(data: Record<string, unknown>): boolean;
  upcast(data: Record<string, unknown>): Record<string, unknown>;
}

const STAKEHOLDER_EVENTS: readonly EventType[] = [
  'InvitationAccepted', 'InvitationDeclined', 'StakeholderRemoved', 'StakeholderReinstated', 'StakeholderContactsChanged',
  'ReviewCompleted', 'DraftEndorsed', 'EndorsementWithheld',
];

/** Every upcaster, in the order they run. */
export const UPCASTERS: readonly Upcaster[] = [
  // Before ids were checked, a command naming stakeholder "__proto__" found Object.prototype as the
  // stakeholder and stored its (absent) id: e.g. `InvitationAccepted {}`. Such an event names no
  // stakeholder; an empty id keeps it so (no stakeholder has one), and the fold passes over it.
  ...STAKEHOLDER_EVENTS.map((type): Upcaster => ({
    type,
    description: 'stored without stakeholderId (a "__proto__" id before ids were checked)',
    applies: (data) => !Object.hasOwn(data, 'stakeholderId'),
    upcast: (data) => ({ ...data, stakeholderId: '' }),
  })),
  // Before contacts had ids, a contact was { name, email }. Its id is derived from the stakeholder's
  // id and the normalised address (legacyContactIdFor), as the deciders derived ids until they came
  // from the creating command: the same at every replay, the same as a later event keeps for that
  // address, and the same as the links and reply addresses sent then name.
  ...(['StakeholderInvited', 'StakeholderContactsChanged'] as const).map((type): Upcaster => ({
    type,
    description: 'contacts stored as { name, email }, without contactId',
    applies: (data) => Array.isArray(data['contacts']) && data['contacts'].some(lacksContactId),
    upcast: (data) => ({
      ...data,
      contacts: (data['contacts'] as unknown[]).map((c) =>
        lacksContactId(c) && typeof data['stakeholderId'] === 'string'
          ? { contactId: legacyContactIdFor(data['stakeholderId'], c.email), ...c }
          : c),
    }),
  })),
];

/** A stored contact with an address but no id (anything else is left for the schema to judge). */
function lacksContactId(c: unknown): c is Record<string, unknown> & { email: string } {
  return isRecord(c) && typeof c['email'] === 'string' && !Object.hasOwn(c, 'contactId');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(data)'}: ${i.message}`).join('; ');
}

export function fromRecorded(e: StoredEvent, upcasters: readonly Upcaster[] = UPCASTERS): DecodedEvent {
  const fail = (reason: string): never => { throw new UndecodableEventError(e.streamName, e.revision, reason); };
  if (e.unreadable) fail(e.unreadable);
  const metadata = EventMetadata.safeParse(e.metadata);
  if (!metadata.success) fail(`metadata: ${describe(metadata.error)}`);
  const base = { streamName: e.streamName, revision: e.revision, metadata: metadata.data! };
  if (!isEventType(e.type)) return { ...base, event: null };
  if (!isRecord(e.data)) return fail('data is not an object');
  let data: Record<string, unknown> = e.data;
  // personal values are stored sealed (privacy/): opened with the keys the event was read with,
  // [erased] once a key is destroyed, shown by key id where there are no keys (an auditor's replay)
  if (PERSONAL_EVENT_TYPES.has(e.type)) data = unsealPersonal(data, openerFor(keysOf(e)));
  for (const u of upcasters) if (u.type === e.type && u.applies(data)) data = u.upcast(data);
  const parsed = EventDataSchemas[e.type].safeParse(data);
  if (!parsed.success) fail(`${e.type}: ${describe(parsed.error)}`);
  return { ...base, event: { type: e.type, data: parsed.data } as DomainEvent };
}

/**
 * What fromRecorded (with every upcaster) gives for this stored event object, decoded once however
 * many readers ask (the chain check, then each projection): remembered per object, and forgotten
 * with it.
 */
const decodedOnce = new WeakMap<StoredEvent, DecodedEvent | UndecodableEventError>();

export function decodeOnce(e: StoredEvent): DecodedEvent {
  let result = decodedOnce.get(e);
  if (result === undefined) {
    try {
      result = fromRecorded(e);
    } catch (error) {
      if (!(error instanceof UndecodableEventError)) throw error;
      result = error;
    }
    decodedOnce.set(e, result);
  }
  if (result instanceof UndecodableEventError) throw result;
  return result;
}

/** Why a stored event cannot be decoded, or null when it can (for checks that need no event). */
export function decodeProblem(e: StoredEvent): string | null {
  try {
    decodeOnce(e);
    return null;
  } catch (error) {
    if (error instanceof UndecodableEventError) return error.reason;
    throw error;
  }
}
