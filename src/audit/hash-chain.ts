// Tamper-evident history: every event's metadata carries `prevHash` and `hash`, where
// hash = SHA-256 over the RFC 8785 canonical JSON (canonical-json.ts, checked against the library
// canonicalize) of the stream name, revision, type, data and metadata without `hash` (so including
// `prevHash`). The first event's prevHash is ZERO_HASH. Changing any byte of a stored event, or
// removing or reordering one, breaks the chain.
import * as crypto from 'node:crypto';
import { ZERO_HASH } from '../domain/consultation.ts';
import { canonicalText } from './canonical-json.ts';
import { decodeProblem } from '../domain/decode.ts';
import type { EventStore, JsonObject, RecordedEvent, StoredText } from '../store/port.ts';

export { ZERO_HASH };

export interface HashInput {
  streamName: string;
  revision: number;
  type: string;
  data: JsonObject;
  /** the metadata without `hash` (it must contain prevHash) */
  metadata: JsonObject;
}

/** crypto.hash (Node 20.12 and later): a one-shot digest, a third faster than a Hash object for an event's text */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

export function canonicalJson(value: unknown): string {
  const text = canonicalText(value);
  if (text === undefined) throw new TypeError('value cannot be serialised canonically');
  return text;
}

export function eventHash(input: HashInput): string {
  return sha256Hex(canonicalJson(input));
}

export type VerifyResult =
  | { ok: true; streamName: string; events: number; lastHash: string }
  | { ok: false; streamName: string; events: number; revision: number; reason: string };

/**
 * Checks one event against the hash of the event before it. Returns why it fails, or null. An
 * event the store could not read (RecordedEvent.unreadable) fails with the store's reason.
 */
export function checkLink(e: RecordedEvent, expectedPrevHash: string, expectedRevision: number): string | null {
  if (e.revision !== expectedRevision) return `expected revision ${expectedRevision}, found ${e.revision}`;
  if (e.unreadable !== undefined) return e.unreadable;
  const hash = e.metadata.hash;
  if (typeof hash !== 'string') return 'metadata has no hash';
  if (e.metadata.prevHash !== expectedPrevHash) return 'prevHash does not match the previous event\'s hash';
  if (e.stored) {
    const text = hashTextOfStored(e, e.stored, hash);
    if (text !== null && sha256Hex(text) === hash) return null;
  }
  const { hash: _hash, ...rest } = e.metadata;
  const actual = eventHash({ streamName: e.streamName, revision: e.revision, type: e.type, data: e.data, metadata: rest });
  if (actual !== hash) return 'hash does not match the event\'s content';
  return null;
}

/**
 * The text an event's hash is taken over, built from its stored JSON instead of re-serialising the
 * parsed values: the SQLite store writes data and metadata as canonical text, so this is that text
 * with the metadata's own `hash` member cut out, in the canonical order of HashInput's keys. Sound
 * whatever the stored text is: only the original event's canonical text hashes to its hash, so a
 * match proves the stored bytes are the ones hashed (and parse to the values the reader got); a miss
 * (a row written before, as JSON.stringify wrote it, or a damaged one) leaves the full check to say.
 * Null when the member to cut is not found exactly once.
 */
export function hashTextOfStored(e: RecordedEvent, stored: StoredText, hash: string): string | null {
  const member = `"hash":"${hash}"`;
  const text = stored.metadata;
  const at = text.indexOf(member);
  if (at < 1 || text.indexOf(member, at + 1) !== -1) return null;
  // cheap refusal of a row written before the store wrote canonical text, whose `hash` came last:
  // canonical order puts `hash` before `prevHash`, so such a row skips a digest that cannot match
  const prev = text.indexOf('"prevHash":');
  if (prev !== -1 && prev < at) return null;
  const end = at + member.length;
  const withoutHash = text[at - 1] === ','
    ? text.slice(0, at - 1) + text.slice(end)
    : text.slice(0, at) + text.slice(text[end] === ',' ? end + 1 : end);
  return `{"data":${stored.data},"metadata":${withoutHash},"revision":${e.revision},"streamName":${canonicalJson(e.streamName)},"type":${canonicalJson(e.type)}}`;
}

/** Walks a stream and reports the first revision whose link does not hold or that does not decode. */
export async function verifyStream(store: EventStore, streamName: string): Promise<VerifyResult> {
  const events = await store.readStream(streamName);
  let prev = ZERO_HASH;
  for (const [i, e] of events.entries()) {
    // a link that holds on an event this version cannot decode would not replay: damaged too
    const reason = checkLink(e, prev, i) ?? decodeProblem(e);
    if (reason) return { ok: false, streamName, events: events.length, revision: i, reason };
    prev = e.metadata.hash as string;
  }
  return { ok: true, streamName, events: events.length, lastHash: prev };
}
