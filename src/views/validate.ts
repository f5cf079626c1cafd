// Argument checks and serialisation shared by every view store adapter, so that what one adapter
// accepts the others accept too. The strictest backend sets the rules: PostgreSQL's text and jsonb
// hold no U+0000 and no lone surrogates, so no name, key or document string may contain them;
// documents must be JSON as written (no NaN, Infinity, undefined, Date or class instances, which
// JSON.stringify would silently change); order is a safe integer (SQLite INTEGER, PostgreSQL bigint).
import type { JsonObject, ListOptions, ViewChange } from './view-store.ts';

/** How deep a document may nest (deeper is almost certainly a cycle or a bug; jsonb has a limit too). */
export const MAX_DEPTH = 100;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Any U+0000 or surrogate at all: one scan that nearly every string passes, before the exact checks. */
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

function textProblem(value: string): string | null {
  if (!SUSPECT.test(value)) return null;
  if (value.includes('\u0000')) return 'contains U+0000';
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate';
  return null;
}

/**
 * Longest names, in UTF-8 bytes. A PostgreSQL b-tree entry holds at most ~2.7 kB, and the index
 * (collection, ord, key) holds both, so every adapter refuses what one of them could not index.
 */
export const MAX_NAME_BYTES = 1000;

/** A collection, key, consumer, meta name or position: a non-empty string without U+0000 or lone surrogates, at most MAX_NAME_BYTES. */
export function checkName(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${what} must be a non-empty string`);
  const problem = textProblem(value);
  if (problem) throw new TypeError(`${what} ${problem}`);
  if (value.length > MAX_NAME_BYTES / 3 && Buffer.byteLength(value) > MAX_NAME_BYTES) {
    throw new RangeError(`${what} is longer than ${MAX_NAME_BYTES} bytes`);
  }
}

/** A meta value: any string without U+0000 or lone surrogates (empty allowed). */
export function checkText(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  const problem = textProblem(value);
  if (problem) throw new TypeError(`${what} ${problem}`);
}

export function checkOrder(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer, got ${String(value)}`);
}

export function checkTimeout(value: unknown): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) throw new RangeError(`timeoutMs must be a number >= 0, got ${String(value)}`);
}

/**
 * What is wrong at some place in a document: the message, given the place's path. The path is
 * built only when something is wrong, on the way back up (a document's thousands of members cost
 * no string each when it is fine, as nearly all are).
 */
class JsonProblem {
  readonly segments: string[] = [];
  constructor(readonly range: boolean, readonly message: (path: string) => string) {}
}

function checkJson(value: unknown, path: string, depth: number): void {
  try {
    checkValue(value, depth);
  } catch (error) {
    if (!(error instanceof JsonProblem)) throw error;
    const at = path + error.segments.reverse().join('');
    throw error.range ? new RangeError(error.message(at)) : new TypeError(error.message(at));
  }
}

function checkValue(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new JsonProblem(true, (p) => `${p} nests deeper than ${MAX_DEPTH} levels (a cycle?)`);
  switch (typeof value) {
    case 'string': {
      const problem = textProblem(value);
      if (problem) throw new JsonProblem(false, (p) => `${p} ${problem}`);
      return;
    }
    case 'number':
      if (!Number.isFinite(value)) throw new JsonProblem(false, (p) => `${p} is ${String(value)}, which JSON cannot hold`);
      return;
    case 'boolean':
      return;
    case 'object': {
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          try {
            checkValue(value[i], depth + 1);
          } catch (error) {
            if (error instanceof JsonProblem) error.segments.push(`[${i}]`);
            throw error;
          }
        }
        return;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new JsonProblem(false, (p) => `${p} is not a plain object`);
      for (const name in value) {
        if (!Object.hasOwn(value, name)) continue;
        const problem = textProblem(name);
        if (problem) throw new JsonProblem(false, (p) => `a member name in ${p} ${problem}`);
        try {
          checkValue((value as Record<string, unknown>)[name], depth + 1);
        } catch (error) {
          if (error instanceof JsonProblem) error.segments.push(`[${JSON.stringify(name)}]`);
          throw error;
        }
      }
      return;
    }
    default:
      throw new JsonProblem(false, (p) => `${p} is ${typeof value}, which JSON cannot hold`);
  }
}

/**
 * Whether a value is JSON that JSON.stringify writes as it is, strings aside: finite numbers, plain
 * objects and arrays, no undefined, functions, symbols or bigints, not too deep. Strings are checked
 * on the text instead (serialiseDoc): one scan of it, not a regular expression per string.
 */
function plainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!plainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      // own enumerable members: what JSON.stringify writes
      const names = Object.keys(value);
      for (let i = 0; i < names.length; i++) if (!plainJson((value as Record<string, unknown>)[names[i]!], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** The document as JSON text, after checking that it is a JSON object that survives the round trip unchanged. */
export function serialiseDoc(doc: unknown, what = 'doc'): string {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TypeError(`${what} must be a JSON object or null`);
  if (plainJson(doc, 0)) {
    const text = JSON.stringify(doc);
    // JSON.stringify writes U+0000 and lone surrogates (in values and member names) as \u escapes:
    // text without any \u holds neither (the exact check below says where, when there is one)
    if (!text.includes('\\u')) return text;
  }
  checkJson(doc, what, 0); // throws, naming the place, when something is wrong
  return JSON.stringify(doc);
}

export function parseDoc(text: string): JsonObject {
  return JSON.parse(text) as JsonObject;
}

export interface Upsert {
  collection: string;
  key: string;
  order: number;
  json: string;
}

export interface Deletion {
  collection: string;
  key: string;
}

export interface NormalisedChanges {
  upserts: Upsert[];
  deletes: Deletion[];
}

/**
 * Checks and serialises every change BEFORE a transaction starts (so a bad change applies
 * nothing), and keeps only the last change of each (collection, key): a batch then touches each
 * row once (PostgreSQL's INSERT … ON CONFLICT cannot update a row twice in one statement).
 */
export function normaliseChanges(changes: unknown): NormalisedChanges {
  if (!Array.isArray(changes)) throw new TypeError('changes must be an array');
  // each (collection, key)'s place in `all`, per collection: a batch of 100,000 changes builds no
  // combined key string per change (its key's hash is cached on the string it came with)
  const places = new Map<string, Map<string, number>>();
  const all: (Upsert | Deletion | null)[] = [];
  const checkedCollections = new Set<string>();
  const list = changes as readonly unknown[];
  for (let i = 0; i < list.length; i++) {
    const change = list[i];
    if (typeof change !== 'object' || change === null) throw new TypeError(`changes[${i}] must be an object`);
    const { collection, key, order, doc } = change as Partial<Record<keyof ViewChange, unknown>>;
    if (typeof collection !== 'string' || !checkedCollections.has(collection)) {
      checkName(`changes[${i}].collection`, collection);
      checkedCollections.add(collection);
    }
    checkName(`changes[${i}].key`, key);
    let normalised: Upsert | Deletion;
    if (doc === null) {
      if (order !== undefined) checkOrder(`changes[${i}].order`, order);
      normalised = { collection, key };
    } else {
      const ord = order ?? 0;
      checkOrder(`changes[${i}].order`, ord);
      normalised = { collection, key, order: ord, json: serialiseDoc(doc, `changes[${i}].doc`) };
    }
    let keys = places.get(collection);
    if (!keys) places.set(collection, (keys = new Map()));
    const earlier = keys.get(key);
    if (earlier !== undefined) all[earlier] = null; // only the last change of a key counts, in its place
    keys.set(key, all.length);
    all.push(normalised);
  }
  const upserts: Upsert[] = [];
  const deletes: Deletion[] = [];
  for (const change of all) {
    if (change === null) continue;
    if ('json' in change) upserts.push(change);
    else deletes.push(change);
  }
  return { upserts, deletes };
}

export interface CheckedListOptions {
  prefix: string | null;
  after: { order: number; key: string } | null;
  limit: number | null;
}

export function checkListOptions(options: ListOptions | undefined): CheckedListOptions {
  const { prefix, after, limit } = options ?? {};
  if (prefix !== undefined && prefix !== '') checkName('prefix', prefix);
  if (after !== undefined) {
    if (typeof after !== 'object' || after === null) throw new TypeError('after must be { order, key }');
    checkOrder('after.order', after.order);
    checkName('after.key', after.key);
  }
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0)) {
    throw new RangeError(`limit must be an integer >= 0, got ${String(limit)}`);
  }
  return { prefix: prefix || null, after: after ? { order: after.order, key: after.key } : null, limit: limit ?? null };
}

export function checkPrefix(prefix: unknown): string | null {
  if (prefix === undefined || prefix === '') return null;
  checkName('prefix', prefix);
  return prefix;
}

/**
 * Compares two well-formed strings by Unicode code point, which is the order of their UTF-8 bytes:
 * SQLite's BINARY collation and PostgreSQL's "C" collation. (JavaScript's `<` compares UTF-16
 * code units, which puts U+10000 and above before U+E000–U+FFFF.)
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // surrogates (D800–DFFF) stand for code points above FFFF: move them above E000–FFFF
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * The smallest string greater than every string that starts with `prefix` (in code point order),
 * so that "starts with prefix" is the index range [prefix, bound). null when there is none (the
 * prefix is all U+10FFFF): then the range has no upper end.
 */
export function prefixUpperBound(prefix: string): string | null {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}

/** Checks a commit's checkpoint moves: at least one, each consumer once, names and positions valid. */
export function checkMoves(moves: readonly { consumer: string; expected: string | null; next: string }[]): void {
  if (!Array.isArray(moves) || moves.length === 0) throw new TypeError('a commit moves at least one checkpoint');
  const seen = new Set<string>();
  moves.forEach((m, i) => {
    checkName(`moves[${i}].consumer`, m.consumer);
    if (m.expected !== null) checkName(`moves[${i}].expected`, m.expected);
    checkName(`moves[${i}].next`, m.next);
    if (seen.has(m.consumer)) throw new TypeError(`moves[${i}].consumer ${JSON.stringify(m.consumer)} is moved twice`);
    seen.add(m.consumer);
  });
}
