// The hash chain's canonical JSON (src/audit/canonical-json.ts) against the reference library
// (canonicalize, RFC 8785) and the Node-only verifier's (verifier/verify-bundle.mjs): the same text
// for thousands of random JSON values (unicode keys and strings, surrogate pairs, every kind of
// number, deep nesting, undefined members), and the same refusals.
import t from 'tap';
import canonicalize from 'canonicalize';
import { canonicalText } from '../../src/audit/canonical-json.ts';
import { canonicalJson as verifierCanonicalJson } from '../../verifier/verify-bundle.mjs';
import { seededRandom as random } from '../helpers/seeded-random.ts';

const PIECES = ['a', 'B', 'é', 'ß', '10', '9', '', ' ', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '€', '\ud83d\ude00', '\ufb01', '日本', '</script>', 'hash', 'prevHash'];
const NUMBERS = [0, -0, 1, -1, 0.1 + 0.2, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 2 ** 53, -(2 ** 53) - 2, 123456789.125, 1 / 3, 4.35, 100];

function text(next: () => number): string {
  let s = '';
  for (let n = Math.floor(next() * 5); n > 0; n--) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

function value(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 4 || r < 0.35) {
    const p = next();
    if (p < 0.4) return text(next);
    if (p < 0.7) {
      const n = NUMBERS[Math.floor(next() * NUMBERS.length)]! * (next() < 0.5 ? 1 : 1000);
      return Number.isFinite(n) ? n : -0;
    }
    if (p < 0.8) return next() < 0.5;
    return null;
  }
  if (r < 0.6) return Array.from({ length: Math.floor(next() * 5) }, () => (next() < 0.05 ? undefined : value(next, depth + 1)));
  const o: Record<string, unknown> = {};
  for (let n = Math.floor(next() * 6); n > 0; n--) o[text(next)] = next() < 0.05 ? undefined : value(next, depth + 1);
  return o;
}

t.test('the same text as the library and the verifier for 5,000 random values', async (t) => {
  const next = random(8785);
  let differing = 0;
  for (let i = 0; i < 5_000; i++) {
    const v = value(next, 0);
    const expected = canonicalize(v);
    if (canonicalText(v) !== expected || verifierCanonicalJson(v) !== expected) {
      differing++;
      if (differing <= 3) t.fail(`value ${i}: ${JSON.stringify(v)}: ${canonicalText(v)} vs ${expected}`);
    }
  }
  t.equal(differing, 0, 'no value written differently');
});

t.test('deep nesting is written as the library writes it', async (t) => {
  let deep: unknown = { leaf: [1, 'x'] };
  for (let i = 0; i < 500; i++) deep = i % 2 === 0 ? [deep] : { [`k${i}`]: deep, a: i };
  t.equal(canonicalText(deep), canonicalize(deep));
});

t.test('the same refusals as the library', async (t) => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  const refused: [string, unknown][] = [
    ['NaN', { a: [1, Number.NaN] }],
    ['Infinity', { a: Number.POSITIVE_INFINITY }],
    ['-Infinity', [Number.NEGATIVE_INFINITY]],
    ['a lone high surrogate in a value', { a: 'x\ud800y' }],
    ['a lone low surrogate at the end', ['ok\udc00']],
    ['a lone surrogate in a key', { 'k\udbff': 1 }],
    ['a cycle', cyclic],
    ['a bigint', { n: 1n }],
  ];
  for (const [name, v] of refused) {
    let expected: unknown;
    try {
      canonicalize(v);
    } catch (error) {
      expected = error;
    }
    t.ok(expected instanceof Error, `the library refuses ${name}`);
    t.throws(() => canonicalText(v), { name: (expected as Error).name, message: (expected as Error).message }, `refused: ${name}`);
  }
  t.equal(canonicalText('pair \ud83d\ude00 ok'), canonicalize('pair \ud83d\ude00 ok'), 'a surrogate pair is not refused');
  t.equal(canonicalText(undefined), undefined);
  t.equal(canonicalText({ toJSON: () => ({ b: 2, a: 1 }) }), '{"a":1,"b":2}', 'toJSON, as the library');
});
