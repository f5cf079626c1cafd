// RFC 8785 canonical JSON, as the `canonicalize` library (4.x) writes it, for the hash chain: the
// same text for every value and the same refusals (NaN, Infinity, lone surrogates, cycles), two to
// three times faster on events. Every event's hash is computed from this text when it is appended
// and again on every fold, verify and export, so it is on the hot path of everything. The library
// stays the reference: test/audit/canonical-json.test.ts compares the two on random values.
//
// Where it is faster: no Set of the objects on the path (nesting deeper than MAX_DEPTH hands over to
// the library, which finds cycles), one native regular-expression scan per string instead of a loop
// in JavaScript (none at all for a string with nothing to escape), no closures per array element.
import canonicalize from 'canonicalize';

/** Any UTF-16 surrogate: only a string that has one can hold a lone one. */
const SURROGATE = /[\uD800-\uDFFF]/;
/** A lone surrogate: a high one not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 200;

class TooDeep extends Error {}

/** What JSON.stringify escapes in a string (quote, backslash, control characters) or may (surrogates). */
const NOT_PLAIN = /["\\\u0000-\u001f\uD800-\uDFFF]/;

function string(s: string): string {
  if (!NOT_PLAIN.test(s)) return `"${s}"`; // most strings: nothing to escape, nothing to refuse
  if (SURROGATE.test(s) && LONE_SURROGATE.test(s)) throw new Error('Lone surrogate is not allowed');
  return JSON.stringify(s);
}

function write(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return string(value);
    case 'number':
      if (Number.isNaN(value)) throw new Error('NaN is not allowed');
      if (!Number.isFinite(value)) throw new Error('Infinity is not allowed');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth > MAX_DEPTH) throw new TooDeep();
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return write((toJSON as () => unknown).call(value), depth + 1);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          if (i > 0) out += ',';
          // as the library: undefined and symbols stand as null; what cannot be written, as nothing
          out += write(v === undefined || typeof v === 'symbol' ? null : v, depth + 1) ?? '';
        }
        return `${out}]`;
      }
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const v = o[key];
        if (v === undefined || typeof v === 'symbol') continue;
        if (!first) out += ',';
        first = false;
        out += `${string(key)}:${write(v, depth + 1)}`;
      }
      return `${out}}`;
    }
    default:
      // undefined, functions (undefined, as JSON.stringify gives), bigint (a TypeError, as the library)
      return JSON.stringify(value);
  }
}

/** The canonical JSON text of `value`; undefined where the library gives undefined (undefined, a function). */
export function canonicalText(value: unknown): string | undefined {
  try {
    return write(value, 0);
  } catch (error) {
    if (error instanceof TooDeep) return canonicalize(value);
    throw error;
  }
}
