// Argument checks shared by the adapter's methods. They mirror what EventStoreDB rejects
// (event ids are UUIDs, revisions are non-negative integers), so code that runs on SQLite
// in development does not break on EventStoreDB.
import type { EventData, ExpectedRevision } from '../port.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkStreamName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('a stream name must be a non-empty string');
}

export function checkExpected(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'no_stream' || expected === 'stream_exists' || expected === 'any') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new RangeError(`expected revision must be 'no_stream', 'stream_exists', 'any' or a revision >= 0, got ${String(expected)}`);
}

export function checkCount(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be an integer >= 0, got ${String(value)}`);
  }
}

/** readAll's `types`: an array of event type names (an empty one matches nothing). */
export function checkTypes(value: unknown): asserts value is readonly string[] {
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) throw new TypeError('types must be an array of event type names');
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkEvents(events: unknown): asserts events is EventData[] {
  if (!Array.isArray(events)) throw new TypeError('events must be an array');
  for (const [i, e] of (events as unknown[]).entries()) {
    if (!isPlainObject(e)) throw new TypeError(`events[${i}] must be an object`);
    const { id, type, data, metadata } = e as Record<string, unknown>;
    if (typeof id !== 'string' || !UUID.test(id)) throw new TypeError(`events[${i}].id must be a UUID`);
    if (typeof type !== 'string' || type.length === 0) throw new TypeError(`events[${i}].type must be a non-empty string`);
    if (!isPlainObject(data)) throw new TypeError(`events[${i}].data must be a JSON object`);
    if (!isPlainObject(metadata)) throw new TypeError(`events[${i}].metadata must be a JSON object`);
  }
}
