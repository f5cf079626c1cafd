// What a view store cannot hold, made holdable: U+0000 and lone surrogates (PostgreSQL text and
// jsonb refuse them, and the port refuses them on every adapter) become U+FFFD. Only text stored
// by the code before input was checked (test/fixtures/legacy) contains them; the events keep the
// original, so the hash chain still holds; the views show the replacement character.
import type { JsonValue, ViewChange } from '../views/view-store.ts';

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storableValue(value: JsonValue): JsonValue {
  if (typeof value === 'string') return value.replace(UNSTORABLE, '\uFFFD');
  if (Array.isArray(value)) return value.map(storableValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(UNSTORABLE, '\uFFFD'), storableValue(v)]));
  }
  return value;
}

/** The changes with every document's text made storable (keys are ids and names, which the domain checks). */
export function storableChanges(changes: readonly ViewChange[]): ViewChange[] {
  return changes.map((c) => (c.doc === null ? c : { ...c, doc: storableValue(c.doc) as typeof c.doc }));
}
