// Reading an event's stored data and metadata as JSON objects without throwing: one damaged event
// must not stop a read of the others (port.ts, RecordedEvent.unreadable). Both adapters word the
// reasons alike, so an operator reads the same sentence whichever store runs.
import type { JsonObject, RecordedEvent, StoredText } from './port.ts';

export type Part = 'data' | 'metadata';

export type Decoded = { ok: true; value: JsonObject } | { ok: false; reason: string };

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A parsed value as a JSON object, or why it is not one. */
export function asJsonObject(part: Part, value: unknown): Decoded {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    return { ok: true, value: value as JsonObject };
  }
  return { ok: false, reason: `${part} is not a JSON object (it is ${kindOf(value)})` };
}

/** Stored text parsed as a JSON object, or why it cannot be. */
export function parseJsonObject(part: Part, text: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `${part} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  return asJsonObject(part, value);
}

/** The recorded event, or the same event marked unreadable with data and metadata emptied. */
export function withDecoded(
  event: Omit<RecordedEvent, 'data' | 'metadata' | 'unreadable'>,
  data: Decoded,
  metadata: Decoded,
  /** the text data and metadata were parsed from, where the adapter has it (RecordedEvent.stored) */
  stored?: StoredText,
): RecordedEvent {
  // the fields named, not spread: every event read goes through here (a fold reads 200,000)
  const { streamName, revision, id, type, position, created } = event;
  if (data.ok && metadata.ok) {
    const e: RecordedEvent = { streamName, revision, id, type, data: data.value, metadata: metadata.value, position, created };
    if (stored) e.stored = stored;
    return e;
  }
  const reasons = [data, metadata].flatMap((d) => (d.ok ? [] : [d.reason]));
  return { streamName, revision, id, type, data: {}, metadata: {}, position, created, unreadable: reasons.join('; ') };
}
