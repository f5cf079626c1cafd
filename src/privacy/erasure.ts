// Erasure without rewriting history: every key of one person (found by address) is destroyed, in
// every consultation it holds data of, open, closed or damaged; each consultation records
// PersonalDataErased naming, by id only, what those keys sealed (contacts, signatures, held
// replies), so the views forget the values they kept; the outbox files written to that person are
// deleted. The events themselves are never changed: their chains still verify.
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import path from 'node:path';
import type { CommandHandler } from '../commands/handler.ts';
import type { Actor } from '../domain/schemas.ts';
import type { EventOf } from '../domain/events.ts';
import { CONSULTATION_STREAM_PREFIX, streamNameFor } from '../domain/stream-name.ts';
import { outboxFileName } from '../mail/transport.ts';
import type { EventStore, JsonValue, Position, RecordedEvent } from '../store/port.ts';
import type { KeyStore, StoredKey } from './key-store.ts';
import { emailSubject, signatorySubject } from './personal-fields.ts';
import { openerFor } from './personal-store.ts';
import { isSealed } from './sealed.ts';

export interface ErasureRequest {
  erasureId: string;
  email: string;
  reason: string;
  actor: Actor;
}

/** What an erasure did in one consultation (the answer of POST /privacy/erasures names these). */
export const ErasedConsultation = z.object({
  consultationId: z.string(),
  revision: z.number().int().describe('the revision of its PersonalDataErased event'),
  keys: z.number().int().describe('keys destroyed'),
  contacts: z.number().int().describe('contacts whose name and address now read [erased]'),
  signatures: z.number().int().describe('endorsements whose signatory\'s name now reads [erased]'),
  heldReplies: z.number().int().describe('held replies whose sender now reads [erased]'),
  outboxFiles: z.number().int().describe('messages to that person deleted from the file outbox'),
});
export type ErasedConsultation = z.infer<typeof ErasedConsultation>;

export interface ErasureDeps {
  store: EventStore;
  keys: KeyStore;
  handler: CommandHandler;
  /** DATA_DIR: its outbox holds the messages the file transport wrote */
  dataDir?: string | undefined;
}

type Data = EventOf<'PersonalDataErased'>['data'];

const MAIL_RECORDS = new Set(['InvitationSent', 'NoticeSent', 'ReminderSent']);

/** Each consultation erased in, and the position of its PersonalDataErased event (to wait for the views). */
export async function erasePerson(deps: ErasureDeps, request: ErasureRequest): Promise<{ erased: ErasedConsultation; position: Position | null }[]> {
  const byConsultation = new Map<string, Set<string>>();
  const add = (k: StoredKey) => byConsultation.set(k.consultationId, (byConsultation.get(k.consultationId) ?? new Set()).add(k.keyId));
  for (const k of await deps.keys.find(emailSubject(request.email))) add(k);
  // the signatures no contact stood for, in this person's name as the contacts with that address are named
  // each stream read once (a consultation found only through a signatory's name is read when first needed)
  const streams = new Map<string, RecordedEvent[]>();
  const eventsOf = async (consultationId: string) => {
    let events = streams.get(consultationId);
    if (!events) streams.set(consultationId, (events = await deps.store.readStream(streamNameFor(consultationId))));
    return events;
  };
  const names = new Set<string>();
  for (const [consultationId, keyIds] of byConsultation) {
    await deps.keys.load(keyIds); // a shared key store answers get() from what it loaded
    for (const name of contactNames(await eventsOf(consultationId), keyIds, deps.keys)) names.add(name);
  }
  for (const name of names) for (const k of await deps.keys.find(signatorySubject(name))) add(k);

  const out: { erased: ErasedConsultation; position: Position | null }[] = [];
  for (const [consultationId, keyIds] of byConsultation) {
    const events = await eventsOf(consultationId);
    if (events.length === 0) {
      // keys made for a command whose append failed: they seal nothing stored
      await deps.keys.destroy([...keyIds]);
      continue;
    }
    const data = sealedWith(events, keyIds);
    const messages = events.filter((e) => MAIL_RECORDS.has(e.type) && data.contacts.some((c) => c.contactId === e.data['contactId'] && c.stakeholderId === e.data['stakeholderId']))
      .map((e) => String(e.data['messageId']));
    // the record first: if destroying the keys fails after it, the next start destroys them (applyRecordedErasures)
    const recorded = await deps.handler.appendFact(consultationId, {
      commandId: `erasure-${request.erasureId}`, actor: request.actor, commandName: 'erasePersonalData', input: { erasureId: request.erasureId, reason: request.reason },
    }, { type: 'PersonalDataErased', data: { erasureId: request.erasureId, reason: request.reason, keyIds: [...keyIds], ...data } });
    await deps.keys.destroy([...keyIds]);
    let outboxFiles = 0;
    if (deps.dataDir) {
      for (const messageId of new Set(messages)) {
        const file = path.join(deps.dataDir, 'outbox', outboxFileName(messageId));
        try {
          await rm(file);
          outboxFiles++;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
    }
    out.push({
      erased: { consultationId, revision: recorded.revision, keys: keyIds.size, contacts: data.contacts.length, signatures: data.signatures.length, heldReplies: data.heldReplies.length, outboxFiles },
      position: recorded.position,
    });
  }
  return out;
}

/** The names of the contacts whose address is sealed with one of these keys (opened with them, before they are destroyed). */
function contactNames(events: readonly RecordedEvent[], keyIds: ReadonlySet<string>, keys: KeyStore): string[] {
  const open = openerFor(keys);
  const out: string[] = [];
  for (const e of events) {
    if (e.type !== 'StakeholderInvited' && e.type !== 'StakeholderContactsChanged') continue;
    for (const c of asArray(e.data['contacts'])) {
      if (!isObject(c) || !isSealed(c['email']) || !keyIds.has(c['email'].keyId) || !isSealed(c['name'])) continue;
      out.push(open(c['name']));
    }
  }
  return out;
}

/** What the events hold sealed with these keys, by id: read from the stored data, so a damaged history is no obstacle. */
function sealedWith(events: readonly RecordedEvent[], keyIds: ReadonlySet<string>): Pick<Data, 'contacts' | 'signatures' | 'heldReplies'> {
  const contacts = new Map<string, { stakeholderId: string; contactId: string }>();
  const signatures: Data['signatures'] = [];
  const heldReplies = new Set<string>();
  const mine = (v: unknown) => isSealed(v) && keyIds.has(v.keyId);
  for (const e of events) {
    const stakeholderId = String(e.data['stakeholderId'] ?? '');
    if (e.type === 'StakeholderInvited' || e.type === 'StakeholderContactsChanged') {
      for (const c of asArray(e.data['contacts'])) {
        if (isObject(c) && (mine(c['email']) || mine(c['name'])) && typeof c['contactId'] === 'string') {
          contacts.set(`${stakeholderId}/${c['contactId']}`, { stakeholderId, contactId: c['contactId'] });
        }
      }
    } else if (e.type === 'DraftEndorsed') {
      const signatory = e.data['signatory'];
      if (isObject(signatory) && mine(signatory['name']) && typeof e.data['draftVersion'] === 'number') {
        signatures.push({ stakeholderId, draftVersion: e.data['draftVersion'], recordedAt: String(e.metadata['recordedAt']) });
      }
    } else if (e.type === 'InboundReplyHeld' && mine(e.data['from']) && typeof e.data['heldId'] === 'string') {
      heldReplies.add(e.data['heldId']);
    }
  }
  return { contacts: [...contacts.values()], signatures, heldReplies: [...heldReplies] };
}

/**
 * At start: the erasures recorded in the log since the key store last applied them are applied
 * again (after a restore of an older key-store backup, keys the events say were destroyed are
 * back: the events are the record, the keys are not). Returns how many keys it destroyed.
 */
export async function applyRecordedErasures(store: EventStore, keys: KeyStore): Promise<{ erasures: number; keys: number }> {
  const applied = await keys.erasuresApplied();
  let from = applied === null ? 'start' as const : store.positions.parse(applied);
  // what the scan covers: the log as it is now (a first start reads only the erasures, not 100,000 other events)
  const head = await store.headPosition({ streamPrefix: CONSULTATION_STREAM_PREFIX });
  let erasures = 0;
  let destroyed = 0;
  for (;;) {
    const page = await store.readAll({ from, streamPrefix: CONSULTATION_STREAM_PREFIX, types: ['PersonalDataErased'], maxCount: 500 });
    if (page.length === 0) break;
    for (const e of page) {
      const ids = asArray(e.data['keyIds']).filter((k): k is string => typeof k === 'string');
      await keys.load(ids);
      const live = ids.filter((k) => keys.get(k) instanceof Buffer);
      if (live.length > 0) await keys.destroy(live);
      erasures++;
      destroyed += live.length;
    }
    from = page.at(-1)!.position;
    await keys.setErasuresApplied(store.positions.serialise(from));
  }
  // (a head behind the mark: an older event store restored; events appended from now on come after the head)
  if (head !== null && (applied === null || applied !== store.positions.serialise(head))) await keys.setErasuresApplied(store.positions.serialise(head));
  return { erasures, keys: destroyed };
}

function asArray(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

function isObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
