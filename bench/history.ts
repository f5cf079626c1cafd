// Writes a realistic history straight into an event store, fast: the events the commands would have
// produced (opened, a draft, stakeholders invited, comments, a third of them answered), each with
// its metadata and hash chain as the handler writes them, appended a thousand at a time. What is
// measured afterwards (rebuilds, starts, folds) cannot tell these from events written command by
// command, and a million of them are written in seconds instead of minutes.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { eventHash } from '../src/audit/hash-chain.ts';
import { contactIdsOf, withContactIds } from '../src/domain/contacts.ts';
import { ZERO_HASH } from '../src/domain/consultation.ts';
import { event, type DomainEvent } from '../src/domain/events.ts';
import { idFor } from '../src/domain/ids.ts';
import { streamNameFor } from '../src/domain/stream-name.ts';
import type { EventData, EventStore, JsonObject } from '../src/store/port.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';

export interface ConsultationShape {
  stakeholders: number;
  comments: number;
}

const CHUNK = 1000;
const COORDINATOR = { role: 'coordinator', id: 'bench' };

/** The events of one consultation, in order. */
export function* consultationEvents(consultationId: string, shape: ConsultationShape): Generator<DomainEvent> {
  yield event('ConsultationOpened', { consultationId, title: 'National Action Plan on Women, Peace and Security', summary: 'Draft plan for consultation', leadOrganisation: 'Gender Office', languages: ['en', 'nl'], timeZone: 'Europe/Amsterdam' });
  yield event('DraftPublished', {
    version: 1, commentDeadline: '2099-01-01T00:00:00Z',
    sections: ['participation', 'protection', 'prevention', 'relief'].map((key) => ({ key, heading: `Pillar: ${key}`, text: `What the plan commits to on ${key}, with indicators and budget lines.` })),
  });
  const sids: string[] = [];
  for (let s = 0; s < shape.stakeholders; s++) {
    const stakeholderId = idFor(`${consultationId}/s${s}`, 'stakeholder');
    sids.push(stakeholderId);
    yield event('StakeholderInvited', {
      stakeholderId, organisation: `Organisation ${s}`, kind: s < 5 ? 'ministry' : 'civil-society',
      contacts: withContactIds([{ name: `Focal point ${s}`, email: `focal${s}@org${s}.example` }], [], contactIdsOf(`${consultationId}/s${s}`)), language: 'en', endorser: s < 5,
    });
  }
  for (let n = 0; n < shape.comments; n++) {
    const commentId = idFor(`${consultationId}/c${n}`, 'comment');
    yield event('CommentSubmitted', {
      commentId, stakeholderId: sids[n % sids.length]!, draftVersion: 1, sectionKey: n % 5 === 0 ? null : ['participation', 'protection', 'prevention', 'relief'][n % 4]!,
      text: `Comment ${n}: name the budget line and the indicator for this commitment, and who reports on it.`, channel: 'api', madeAt: '2027-01-15T10:00:00.000Z',
    });
    if (n % 3 === 0) yield event('CommentAnswered', { commentId, disposition: 'accepted', response: 'Taken into the next draft, section 4.' });
  }
}

/** Appends one consultation's events with the handler's metadata and hash chain, `chunk` per append; returns how many. */
export async function writeConsultation(store: EventStore, shape: ConsultationShape, consultationId: string = randomUUID(), chunk = CHUNK): Promise<number> {
  const streamName = streamNameFor(consultationId);
  let revision = 0;
  let prevHash = ZERO_HASH;
  let batch: EventData[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const first = revision - batch.length;
    await store.append(streamName, batch, first === 0 ? 'no_stream' : first - 1);
    batch = [];
  };
  for (const e of consultationEvents(consultationId, shape)) {
    const commandId = `bench-${consultationId}-${revision}`;
    const data = e.data as JsonObject;
    const metadata = { commandId, commandHash: commandId, actor: COORDINATOR, recordedAt: '2027-01-15T10:00:00.000Z', prevHash };
    const hash = eventHash({ streamName, revision, type: e.type, data, metadata });
    batch.push({ id: idFor(commandId, 'event-0'), type: e.type, data, metadata: { ...metadata, hash } });
    prevHash = hash;
    revision++;
    if (batch.length >= chunk) await flush();
  }
  await flush();
  return revision;
}

/** Many consultations of ordinary size and, optionally, one large one; returns the events written. */
export async function writeHistory(
  store: EventStore,
  options: { consultations: number; shape: ConsultationShape; large?: ConsultationShape; progress?: (events: number) => void },
): Promise<{ events: number; largeId: string | null }> {
  let events = 0;
  let largeId: string | null = null;
  if (options.large) {
    const id = randomUUID();
    largeId = id;
    events += await writeConsultation(store, options.large, id);
    options.progress?.(events);
  }
  for (let c = 0; c < options.consultations; c++) {
    events += await writeConsultation(store, options.shape);
    if (c % 20 === 19) options.progress?.(events);
  }
  return { events, largeId };
}

/** What HTTP scenarios send requests for: a consultation's id and its stakeholders' ids. */
export interface Target {
  consultationId: string;
  stakeholderIds: string[];
}

/** Writes `count` consultations of this shape into a new SQLite store file; the ids requests can use. */
export async function seedTargets(file: string, count: number, shape: ConsultationShape): Promise<Target[]> {
  const targets = Array.from({ length: count }, (): Target => {
    const consultationId = randomUUID();
    // the ids consultationEvents gives the stakeholders it invites
    return { consultationId, stakeholderIds: Array.from({ length: shape.stakeholders }, (_, s) => idFor(`${consultationId}/s${s}`, 'stakeholder')) };
  });
  const store = new SqliteEventStore({ file, synchronous: 'NORMAL' }); // writing the history is not what is measured
  for (const { consultationId } of targets) await writeConsultation(store, shape, consultationId);
  await store.close();
  return targets;
}

/** How many comments a SQLite store file holds (read beside the server, to check what it acknowledged). */
export function countComments(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'CommentSubmitted'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
