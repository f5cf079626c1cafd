// Mapping the client's resolved events to the port's RecordedEvent.
import type { ResolvedEvent } from '@eventstore/db-client';
import type { RecordedEvent } from '../port.ts';
import { asJsonObject, parseJsonObject, withDecoded, type Decoded } from '../unreadable.ts';
import { positionOf } from './position.ts';

export type ClientEvent = ResolvedEvent;
type ClientRecorded = NonNullable<ClientEvent['event']>;

/**
 * The client (v6, utils/convertGrpcEvent.js) parses a JSON event's data itself and never throws:
 * when the bytes do not parse it hands back their text, and custom metadata that does not parse
 * comes back as its raw bytes. Both are turned into a reason here, so the event is `unreadable`.
 */
function decodeData(e: ClientRecorded): Decoded {
  const value: unknown = e.data;
  // a binary event (never written by this product) keeps its bytes, base64-encoded
  if (!e.isJson) return { ok: true, value: { binaryBase64: Buffer.from(value as Uint8Array).toString('base64') } };
  if (typeof value !== 'string') return asJsonObject('data', value);
  // the text the client could not parse, or a JSON string literal: neither is an object
  const again = parseJsonObject('data', value);
  return again.ok ? asJsonObject('data', value) : again;
}

function decodeMetadata(e: ClientRecorded): Decoded {
  const value: unknown = e.metadata;
  if (value === undefined) return { ok: true, value: {} }; // no custom metadata was stored
  if (value instanceof Uint8Array) return parseJsonObject('metadata', Buffer.from(value).toString('utf8'));
  return asJsonObject('metadata', value);
}

/** EventStoreDB's own streams ($-prefixed) are not the product's events. */
export function isSystemEvent(resolved: ClientEvent): boolean {
  return resolved.event === undefined || resolved.event.streamId.startsWith('$') || resolved.event.type.startsWith('$');
}

/** Never throws for an event whose bytes are not JSON objects: it comes back marked `unreadable`. */
export function toRecordedEvent(resolved: ClientEvent): RecordedEvent {
  const e = resolved.event;
  if (!e) throw new Error('a resolved event without its event (an unresolved link)');
  const pair = e.position ?? (resolved.commitPosition !== undefined ? { commit: resolved.commitPosition, prepare: resolved.commitPosition } : undefined);
  if (!pair) throw new Error(`event ${e.id} came without a position (EventStoreDB older than 22.6?)`);
  return withDecoded(
    {
      streamName: e.streamId,
      revision: Number(e.revision),
      id: e.id,
      type: e.type,
      position: positionOf(pair),
      created: e.created.toISOString(),
    },
    decodeData(e),
    decodeMetadata(e),
  );
}
