// Mapping the client's resolved events to the port's RecordedEvent.
import type { ResolvedEvent } from '@eventstore/db-client';
import type { JsonObject, RecordedEvent } from '../port.ts';
import { positionOf } from './position.ts';

export type ClientEvent = ResolvedEvent;

function asJsonObject(value: unknown): JsonObject {
  if (value instanceof Uint8Array) return { binaryBase64: Buffer.from(value).toString('base64') };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  return value === undefined ? {} : { value: value as JsonObject[string] };
}

/** EventStoreDB's own streams ($-prefixed) are not the product's events. */
export function isSystemEvent(resolved: ClientEvent): boolean {
  return resolved.event === undefined || resolved.event.streamId.startsWith('$') || resolved.event.type.startsWith('$');
}

export function toRecordedEvent(resolved: ClientEvent): RecordedEvent {
  const e = resolved.event;
  if (!e) throw new Error('a resolved event without its event (an unresolved link)');
  const pair = e.position ?? (resolved.commitPosition !== undefined ? { commit: resolved.commitPosition, prepare: resolved.commitPosition } : undefined);
  if (!pair) throw new Error(`event ${e.id} came without a position (EventStoreDB older than 22.6?)`);
  return {
    streamName: e.streamId,
    revision: Number(e.revision),
    id: e.id,
    type: e.type,
    data: asJsonObject(e.data),
    metadata: asJsonObject(e.metadata),
    position: positionOf(pair),
    created: e.created.toISOString(),
  };
}
