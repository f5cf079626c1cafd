// The view store contract: one function that every adapter's test file runs unchanged. It never
// assumes the store is empty (every test names its own collections and consumers with a fresh
// UUID), so it may run against a shared PostgreSQL schema. Waits are bounded and fail with a
// message; nothing asserts on speed.
import { bounded as boundedBy } from '../helpers/bounded.ts';
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import {
  CheckpointConflictError,
  CheckpointTimeoutError,
  ViewStoreClosedError,
  type JsonObject,
  type ViewChange,
  type ViewStore,
  type WriterLease,
} from '../../src/views/view-store.ts';

export interface ViewStoreUnderTest {
  store: ViewStore;
  /** closes the store (if the test did not) and removes what open created */
  cleanup(): Promise<void>;
}

export type OpenViewStore = () => Promise<ViewStoreUnderTest>;

export const WAIT_MS = 10_000;

/** A name no other test uses. */
export const unique = (what: string) => `${what}-${randomUUID()}`;

export const put = (collection: string, key: string, doc: JsonObject, order?: number): ViewChange =>
  order === undefined ? { collection, key, doc } : { collection, key, order, doc };

export function bounded<T>(promise: Promise<T>, what: string, waitMs = WAIT_MS): Promise<T> {
  return boundedBy(promise, what, waitMs);
}

/** Whether the promise is still unsettled after `ms` (a promise that must NOT settle yet). */
export async function stillPending(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return !settled;
}

/** The error a promise rejects with (it must reject). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Positions in these tests are decimal sequence numbers; the store itself never compares them. */
const atLeast = (n: number) => (position: string) => Number(position) >= n;

export function viewStoreContract(t: Test, open: OpenViewStore): void {
  const withStore = (name: string, body: (t: Test, store: ViewStore) => Promise<void>) =>
    t.test(name, async (t) => {
      const { store, cleanup } = await open();
      t.teardown(cleanup);
      await body(t, store);
    });

  withStore('a document reads back as committed; an absent one is null', async (t, store) => {
    const c = unique('docs');
    const doc: JsonObject = {
      title: 'Draft NAP — revisión 2 ✓ 𝄞',
      sections: [1, 2.5, -3, 0, 1e21, 5e-324],
      nested: { a: null, b: true, c: false, d: [], e: {}, f: [[{ g: 'h' }]] },
      quotes: 'he said "no" \\ and left\n\ttabbed',
    };
    t.equal(await store.get(c, 'k'), null);
    await store.commit(unique('consumer'), null, '1', [put(c, 'k', doc, 7), put(c, 'plain', { x: 1 })]);
    t.same(await store.get(c, 'k'), { key: 'k', order: 7, doc });
    t.same(await store.get(c, 'plain'), { key: 'plain', order: 0, doc: { x: 1 } }, 'order defaults to 0');
    t.equal(await store.get(c, 'K'), null, 'keys are case-sensitive');
    t.equal(await store.get(unique('other'), 'k'), null, 'collections are separate');
  });

  withStore('callers never share objects with the store', async (t, store) => {
    const c = unique('docs');
    const doc = { list: [1, 2], inner: { a: 1 } };
    await store.commit(unique('consumer'), null, '1', [put(c, 'k', doc)]);
    doc.list.push(3);
    doc.inner.a = 2;
    const read = await store.get(c, 'k');
    t.same(read?.doc, { list: [1, 2], inner: { a: 1 } }, 'a mutation after commit does not reach the store');
    (read!.doc['list'] as number[]).push(4);
    t.same((await store.get(c, 'k'))?.doc, { list: [1, 2], inner: { a: 1 } }, 'nor a mutation of what was read');
  });

  withStore('a later change replaces the whole document and its order; null deletes', async (t, store) => {
    const c = unique('docs');
    const consumer = unique('consumer');
    await store.commit(consumer, null, '1', [put(c, 'a', { v: 1, old: true }, 5), put(c, 'b', { v: 1 })]);
    await store.commit(consumer, '1', '2', [put(c, 'a', { v: 2 }), { collection: c, key: 'b', doc: null }, { collection: c, key: 'never', doc: null }]);
    t.same(await store.get(c, 'a'), { key: 'a', order: 0, doc: { v: 2 } }, 'replaced, not merged; the order is restated (0 when omitted)');
    t.equal(await store.get(c, 'b'), null, 'deleted');
    t.equal(await store.count(c), 1, 'deleting an absent key is no error');
  });

  withStore('commitMany moves several checkpoints with the changes in one transaction; one conflict applies nothing', async (t, store) => {
    const c = unique('docs');
    const [a, b] = [unique('consumer-a'), unique('consumer-b')];
    await store.commitMany([{ consumer: a, expected: null, next: '1' }, { consumer: b, expected: null, next: '1' }], [put(c, 'x', { v: 1 })]);
    t.equal((await store.checkpoint(a))?.position, '1');
    t.equal((await store.checkpoint(b))?.position, '1');
    const conflict = await rejection(store.commitMany([{ consumer: a, expected: '1', next: '2' }, { consumer: b, expected: '0', next: '2' }], [put(c, 'x', { v: 2 })]));
    t.ok(conflict instanceof CheckpointConflictError, 'the second move conflicts');
    t.equal((conflict as CheckpointConflictError).consumer, b);
    t.equal((await store.checkpoint(a))?.position, '1', 'the first move was not applied either');
    t.same((await store.get(c, 'x'))?.doc, { v: 1 }, 'nor the change');
    t.ok(await rejection(store.commitMany([], [])) instanceof TypeError, 'no move at all is refused');
    t.ok(await rejection(store.commitMany([{ consumer: a, expected: '1', next: '2' }, { consumer: a, expected: '1', next: '3' }], [])) instanceof TypeError, 'a consumer moved twice is refused');
    t.equal((await store.checkpoint(a))?.position, '1');
  });

  withStore('several changes of one key in one commit: the last wins', async (t, store) => {
    const c = unique('docs');
    const consumer = unique('consumer');
    await store.commit(consumer, null, '1', [
      put(c, 'a', { v: 1 }, 1), put(c, 'a', { v: 2 }, 2),
      put(c, 'b', { v: 1 }), { collection: c, key: 'b', doc: null },
      { collection: c, key: 'c', doc: null }, put(c, 'c', { v: 3 }, 3),
    ]);
    t.same(await store.list(c), [{ key: 'a', order: 2, doc: { v: 2 } }, { key: 'c', order: 3, doc: { v: 3 } }]);
  });

  withStore('list orders by (order, key), ties by key in code point order', async (t, store) => {
    const c = unique('docs');
    // code point order: 'B' < 'a' < 'é' < U+FF5E < U+1F600 (UTF-16 order would put U+1F600 before U+FF5E)
    const keys = ['\u{1F600}', 'é', 'a', 'B', '\uFF5E'];
    await store.commit(unique('consumer'), null, '1', [
      ...keys.map((k) => put(c, k, { k }, 1)),
      put(c, 'z-first', { k: 'z' }, -5),
      put(c, 'a-last', { k: 'last' }, 9_007_199_254_740_991),
    ]);
    const listed = await store.list(c);
    t.same(listed.map((d) => d.key), ['z-first', 'B', 'a', 'é', '\uFF5E', '\u{1F600}', 'a-last']);
    t.same(listed.map((d) => d.order), [-5, 1, 1, 1, 1, 1, 9_007_199_254_740_991], 'orders are integers, negative and large ones included');
    t.same(await store.list(unique('empty')), [], 'an empty collection lists as []');
    t.same((await store.list(c, { limit: 2 })).map((d) => d.key), ['z-first', 'B']);
    t.same(await store.list(c, { limit: 0 }), []);
  });

  withStore('a prefix filters keys exactly: % and _ are ordinary characters', async (t, store) => {
    const c = unique('docs');
    const keys = ['a%b/1', 'a%bc', 'a_b/1', 'axb/1', 'a%', 'a\\b/1', 'a\\%b', 'b%b/1', '%', '_x', 'a%b\u{10FFFF}x', 'A%b/1'];
    await store.commit(unique('consumer'), null, '1', keys.map((k, i) => put(c, k, { i }, i % 3)));
    const listed = async (prefix: string) => (await store.list(c, { prefix })).map((d) => d.key).sort();
    t.same(await listed('a%b'), ['a%b/1', 'a%bc', 'a%b\u{10FFFF}x'].sort());
    t.same(await listed('a_b'), ['a_b/1']);
    t.same(await listed('a\\'), ['a\\%b', 'a\\b/1'].sort(), 'a backslash is no escape');
    t.same(await listed('%'), ['%']);
    t.same(await listed('_'), ['_x']);
    t.same(await listed('a%b\u{10FFFF}'), ['a%b\u{10FFFF}x'], 'a prefix ending in the last code point');
    t.same(await listed('\u{10FFFF}'), []);
    t.same(await listed('zzz'), []);
    t.equal((await store.list(c, { prefix: '' })).length, keys.length, 'an empty prefix filters nothing');
    t.equal(await store.count(c, 'a%b'), 3);
    t.equal(await store.count(c, 'a_'), 1);
    t.equal(await store.count(c), keys.length);
    t.equal(await store.count(unique('empty')), 0);
    const ordered = await store.list(c, { prefix: 'a%' });
    t.same(ordered.map((d) => [d.order, d.key]), [...ordered].sort((x, y) => x.order - y.order || (x.key < y.key ? -1 : 1)).map((d) => [d.order, d.key]), 'a prefixed listing is in (order, key) order too');
  });

  withStore('keyset paging: pages after a cursor concatenate to the whole listing', async (t, store) => {
    const c = unique('docs');
    const consumer = unique('consumer');
    // 3 orders × many ties, inserted out of order
    const changes = Array.from({ length: 25 }, (_, i) => put(c, `k${String((i * 7) % 25).padStart(2, '0')}`, { i }, i % 3));
    await store.commit(consumer, null, '1', changes);
    await store.commit(consumer, '1', '2', [put(unique('other'), 'k00', { noise: true })]);
    const whole = await store.list(c);
    t.equal(whole.length, 25);
    const pages: string[][] = [];
    let after: { order: number; key: string } | undefined;
    for (;;) {
      const page = await store.list(c, after ? { limit: 7, after } : { limit: 7 });
      if (page.length === 0) break;
      pages.push(page.map((d) => d.key));
      const last = page.at(-1)!;
      after = { order: last.order, key: last.key };
    }
    t.same(pages.map((p) => p.length), [7, 7, 7, 4]);
    t.same(pages.flat(), whole.map((d) => d.key));
    t.same(await store.list(c, { after: { order: 99, key: 'a' } }), [], 'a cursor after the end');
    t.same((await store.list(c, { after: { order: 0, key: 'k24' } })).map((d) => d.order)[0], 1, 'a cursor between orders');
    const prefixed = await store.list(c, { prefix: 'k1', after: { order: 0, key: 'k0' }, limit: 3 });
    t.ok(prefixed.every((d) => d.key.startsWith('k1')), 'prefix and cursor combine');
  });

  withStore('checkpoints: none at first, then the committed position with its time', async (t, store) => {
    const consumer = unique('consumer');
    t.equal(await store.checkpoint(consumer), null);
    const before = Date.now();
    await store.commit(consumer, null, '10', []);
    const checkpoint = await store.checkpoint(consumer);
    t.equal(checkpoint?.position, '10', 'a commit without changes moves the checkpoint');
    t.match(checkpoint?.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'updatedAt is ISO-8601 UTC');
    t.ok(Date.parse(checkpoint!.updatedAt) >= before - 60_000, 'and recent');
    await store.commit(consumer, '10', '12', []);
    t.equal((await store.checkpoint(consumer))?.position, '12');
    t.equal(await store.checkpoint(unique('consumer')), null, 'consumers are separate');
  });

  withStore('a commit whose expected checkpoint is stale conflicts and applies nothing', async (t, store) => {
    const c = unique('docs');
    const consumer = unique('consumer');
    await store.commit(consumer, null, '5', [put(c, 'a', { v: 1 })]);
    const stale = await rejection(store.commit(consumer, '4', '6', [put(c, 'a', { v: 2 }), put(c, 'b', { v: 2 }), { collection: c, key: 'a', doc: null }]));
    t.ok(stale instanceof CheckpointConflictError, 'CheckpointConflictError');
    if (stale instanceof CheckpointConflictError) {
      t.equal(stale.code, 'CHECKPOINT_CONFLICT');
      t.same([stale.consumer, stale.expected, stale.actual], [consumer, '4', '5']);
    }
    t.same(await store.list(c), [{ key: 'a', order: 0, doc: { v: 1 } }], 'no change applied');
    t.equal((await store.checkpoint(consumer))?.position, '5', 'the checkpoint did not move');
    const none = await rejection(store.commit(unique('consumer'), '5', '6', [put(c, 'c', {})]));
    t.ok(none instanceof CheckpointConflictError && none.actual === null, 'expecting a position where there is none conflicts');
    t.equal(await store.get(c, 'c'), null);
  });

  withStore('expecting no checkpoint twice: the second conflicts', async (t, store) => {
    const c = unique('docs');
    const consumer = unique('consumer');
    await store.commit(consumer, null, '1', [put(c, 'first', {})]);
    const second = await rejection(store.commit(consumer, null, '2', [put(c, 'second', {})]));
    t.ok(second instanceof CheckpointConflictError && second.expected === null && second.actual === '1');
    t.same((await store.list(c)).map((d) => d.key), ['first']);
  });

  withStore('concurrent first commits of one consumer: exactly one wins', async (t, store) => {
    const c = unique('docs');
    const consumer = unique('consumer');
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.commit(consumer, null, String(i + 1), [put(c, `k${i}`, { i })])));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    t.equal(won.length, 1, 'one commit succeeded');
    t.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof CheckpointConflictError), 'the others conflicted');
    t.equal((await store.checkpoint(consumer))?.position, String(won[0]! + 1));
    t.same((await store.list(c)).map((d) => d.key), [`k${won[0]}`], 'only the winner’s changes are there');
  });

  withStore('an invalid change rejects the whole commit before anything is applied', async (t, store) => {
    const c = unique('docs');
    const consumer = unique('consumer');
    await store.commit(consumer, null, '1', [put(c, 'a', { v: 1 })]);
    const bad: [string, unknown][] = [
      ['a lone surrogate in a document', { text: 'x\uD800y' }],
      ['U+0000 in a document', { text: 'x\u0000y' }],
      ['NaN', { n: Number.NaN }],
      ['Infinity', { n: Number.POSITIVE_INFINITY }],
      ['undefined', { u: undefined }],
      ['a Date', { at: new Date(0) }],
      ['a lone surrogate in a member name', { nested: [{ ['k\uDBFF']: 1 }] }],
      ['U+0000 in a member name', { ['a\u0000']: true }],
      ['a function', { f: () => 1 }],
      ['an instance of a class', { m: new Map() }],
      ['NaN deep inside', { a: [{ b: [1, Number.NaN] }] }],
      ['an array as the document', [1, 2]],
      ['a string as the document', 'text'],
    ];
    for (const [what, doc] of bad) {
      const changes = [put(c, 'a', { v: 2 }), put(c, 'b', {}), { collection: c, key: 'x', doc } as unknown as ViewChange];
      t.ok((await rejection(store.commit(consumer, '1', '2', changes))) instanceof TypeError, `${what} is a TypeError`);
    }
    const badKeys: [string, ViewChange][] = [
      ['an empty key', { collection: c, key: '', doc: {} }],
      ['an empty collection', { collection: '', key: 'k', doc: {} }],
      ['U+0000 in a key', { collection: c, key: 'a\u0000b', doc: {} }],
      ['a lone surrogate in a key', { collection: c, key: '\uDC00', doc: {} }],
      ['a key longer than 1,000 bytes', { collection: c, key: 'é'.repeat(501), doc: {} }],
      ['a fractional order', { collection: c, key: 'k', order: 1.5, doc: {} }],
      ['an unsafe order', { collection: c, key: 'k', order: 2 ** 53, doc: {} }],
    ];
    for (const [what, change] of badKeys) {
      t.ok((await rejection(store.commit(consumer, '1', '2', [put(c, 'b', {}), change]))) instanceof Error, `${what} is refused`);
    }
    t.same(await store.list(c), [{ key: 'a', order: 0, doc: { v: 1 } }], 'nothing was applied');
    t.equal((await store.checkpoint(consumer))?.position, '1', 'the checkpoint did not move');
    await store.commit(consumer, '1', '2', [put(c, 'é'.repeat(500), { longest: true })]);
    t.equal((await store.get(c, 'é'.repeat(500)))?.key.length, 500, 'a key of exactly 1,000 bytes is fine');
  });

  withStore('documents with text JSON escapes are stored unchanged: control characters, a backslash and u, emoji', async (t, store) => {
    const c = unique('docs');
    const doc = { text: 'tab\there \u0001 \\u0000 not U+0000 \uD83D\uDE00', ['key \u001f \\uD800']: ['\\u', 1.5, -0, null, false] };
    await store.commit(unique('consumer'), null, '1', [put(c, 'k', doc)]);
    t.same((await store.get(c, 'k'))?.doc, JSON.parse(JSON.stringify(doc)));
  });

  withStore('a batch of 2,000 changes commits in one go', async (t, store) => {
    const c = unique('docs');
    const consumer = unique('consumer');
    const changes = Array.from({ length: 2000 }, (_, i) => put(c, `doc-${String(i).padStart(5, '0')}`, { i, text: `comment ${i}` }, i));
    await store.commit(consumer, null, '1', changes);
    t.equal(await store.count(c), 2000);
    await store.commit(consumer, '1', '2', changes.map((ch) => ({ ...ch, doc: null })));
    t.equal(await store.count(c), 0, 'and 2,000 deletions too');
  });

  withStore('drop removes the collections and the consumer’s checkpoint, nothing else', async (t, store) => {
    const [a, b, kept] = [unique('a'), unique('b'), unique('kept')];
    const [consumer, other] = [unique('consumer'), unique('other')];
    await store.commit(consumer, null, '3', [put(a, 'k', {}), put(a, 'l', {}), put(b, 'k', {})]);
    await store.commit(other, null, '9', [put(kept, 'k', { stays: true })]);
    await store.drop([a, b], consumer);
    t.equal(await store.count(a), 0);
    t.equal(await store.count(b), 0);
    t.equal(await store.checkpoint(consumer), null, 'the checkpoint is gone: a rebuild starts from nothing');
    t.same((await store.get(kept, 'k'))?.doc, { stays: true });
    t.equal((await store.checkpoint(other))?.position, '9');
    await store.commit(consumer, null, '1', [put(a, 'k', { again: true })]);
    t.same((await store.get(a, 'k'))?.doc, { again: true }, 'and it commits from null again');
    await store.drop([a]);
    t.equal(await store.count(a), 0);
    t.equal((await store.checkpoint(consumer))?.position, '1', 'without a consumer, checkpoints stay');
    await store.drop([], other);
    t.equal(await store.checkpoint(other), null);
  });

  withStore('meta: a named pointer, set, replaced, removed', async (t, store) => {
    const name = unique('active');
    t.equal(await store.getMeta(name), null);
    await store.setMeta(name, '1');
    t.equal(await store.getMeta(name), '1');
    await store.setMeta(name, '2');
    t.equal(await store.getMeta(name), '2');
    await store.setMeta(name, '');
    t.equal(await store.getMeta(name), '', 'an empty value is a value');
    await store.setMeta(name, null);
    t.equal(await store.getMeta(name), null);
    t.equal(await store.getMeta(unique('other')), null);
  });

  withStore('names from outside are ordinary: __proto__, constructor, toString', async (t, store) => {
    const consumer = '__proto__';
    const already = (await store.checkpoint(consumer))?.position ?? null; // a shared server may hold one
    const changes: ViewChange[] = [];
    for (const collection of ['__proto__', 'constructor', 'toString']) {
      for (const key of ['__proto__', 'constructor', 'hasOwnProperty']) {
        changes.push({ collection, key, doc: JSON.parse(`{"__proto__": {"polluted": "${collection}/${key}"}, "constructor": 1}`) as JsonObject });
      }
    }
    const next = unique('pos');
    await store.commit(consumer, already, next, changes);
    const read = await store.get('__proto__', 'constructor');
    t.equal(read?.key, 'constructor');
    t.ok(read && Object.hasOwn(read.doc, '__proto__'), '__proto__ in a document is an own member');
    t.same(read && (read.doc['__proto__'] as JsonObject)['polluted'], '__proto__/constructor');
    t.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype is untouched');
    t.equal(await store.count('constructor'), 3);
    t.same((await store.list('toString')).map((d) => d.key), ['__proto__', 'constructor', 'hasOwnProperty']);
    t.equal((await store.checkpoint('__proto__'))?.position, next);
    t.equal(await store.checkpoint('constructor'), null);
    await store.setMeta('__proto__', 'x');
    t.equal(await store.getMeta('__proto__'), 'x');
    t.equal(await store.getMeta('constructor'), null);
    await store.drop(['__proto__', 'constructor', 'toString'], '__proto__');
    await store.setMeta('__proto__', null);
    t.equal(await store.count('__proto__'), 0);
  });

  withStore('waitForCheckpoint resolves at once when reached, on a later commit, and times out otherwise', async (t, store) => {
    const consumer = unique('consumer');
    await store.commit(consumer, null, '3', []);
    await t.resolves(bounded(store.waitForCheckpoint(consumer, atLeast(3), 5000), 'an already reached checkpoint'));
    const seen: string[] = [];
    const waiting = store.waitForCheckpoint(consumer, (p) => (seen.push(p), Number(p) >= 5), WAIT_MS);
    t.ok(await stillPending(waiting, 50), 'it waits');
    await store.commit(consumer, '3', '4', []);
    await store.commit(consumer, '4', '5', []);
    await t.resolves(bounded(waiting, 'the later commit'));
    t.ok(seen.includes('3') && seen.at(-1) === '5', `the predicate saw the stored positions (${seen.join(', ')})`);
    const error = await rejection(store.waitForCheckpoint(consumer, atLeast(6), 100));
    t.ok(error instanceof CheckpointTimeoutError, 'CheckpointTimeoutError');
    if (error instanceof CheckpointTimeoutError) t.same([error.code, error.consumer, error.lastPosition], ['CHECKPOINT_TIMEOUT', consumer, '5']);
    const never = await rejection(store.waitForCheckpoint(unique('nobody'), () => true, 50));
    t.ok(never instanceof CheckpointTimeoutError && never.lastPosition === null, 'no checkpoint never reaches anything');
    const zero = await rejection(store.waitForCheckpoint(consumer, atLeast(6), 0));
    t.ok(zero instanceof CheckpointTimeoutError, 'a zero timeout checks once');
  });

  withStore('waits on several consumers at once each end on their own', async (t, store) => {
    const [a, b] = [unique('a'), unique('b')];
    const waitA = store.waitForCheckpoint(a, atLeast(1), WAIT_MS);
    const waitB = store.waitForCheckpoint(b, atLeast(1), WAIT_MS);
    await store.commit(a, null, '1', []);
    await t.resolves(bounded(waitA, 'consumer a'));
    t.ok(await stillPending(waitB, 50), 'b still waits');
    await store.commit(b, null, '1', []);
    await t.resolves(bounded(waitB, 'consumer b'));
  });

  withStore('one writer per consumer: a second acquire waits until the first releases', async (t, store) => {
    const consumer = unique('consumer');
    const first = await bounded(store.acquireWriter(consumer), 'the first lease');
    t.equal(first.consumer, consumer);
    const lost: unknown[] = [];
    first.onLost((e) => lost.push(e));
    const second = store.acquireWriter(consumer);
    t.ok(await stillPending(second, 300), 'the second waits');
    const other = await bounded(store.acquireWriter(unique('other')), 'another consumer’s lease');
    t.pass('another consumer is not blocked');
    await first.release();
    await first.release(); // idempotent
    const lease: WriterLease = await bounded(second, 'the second lease after release');
    t.equal(lease.consumer, consumer);
    const third = store.acquireWriter(consumer);
    t.ok(await stillPending(third, 200), 'a third waits for the second');
    await lease.release();
    await (await bounded(third, 'the third lease')).release();
    await other.release();
    t.same(lost, [], 'a released lease is not lost');
  });

  withStore('a waiting acquire ends when its signal aborts, and never holds the lease', async (t, store) => {
    const consumer = unique('consumer');
    const held = await store.acquireWriter(consumer);
    const controller = new AbortController();
    const waiting = store.acquireWriter(consumer, { signal: controller.signal });
    t.ok(await stillPending(waiting, 100));
    controller.abort(new Error('stop waiting'));
    const error = await rejection(bounded(waiting, 'the aborted acquire'));
    t.match(String(error), /stop waiting/, 'rejects with the signal’s reason');
    const already = await rejection(store.acquireWriter(consumer, { signal: AbortSignal.abort(new Error('gone')) }));
    t.match(String(already), /gone/, 'an aborted signal rejects at once');
    await held.release();
    const next = await bounded(store.acquireWriter(consumer), 'the lease after the aborted waiter');
    await next.release();
  });

  t.test('closing ends waits and leases, and refuses further calls', async (t) => {
    const { store, cleanup } = await open();
    t.teardown(cleanup);
    const consumer = unique('consumer');
    const lease = await store.acquireWriter(consumer);
    const lost = new Promise<unknown>((resolve) => lease.onLost(resolve));
    const waitingLease = store.acquireWriter(consumer);
    const waitingCheckpoint = store.waitForCheckpoint(consumer, () => true, WAIT_MS);
    await stillPending(waitingLease, 50);
    const waitEnded = rejection(bounded(waitingCheckpoint, 'the wait to end'));
    const acquireEnded = rejection(bounded(waitingLease, 'the acquire to end'));
    await store.close();
    await store.close(); // idempotent
    t.ok((await waitEnded) instanceof ViewStoreClosedError, 'a wait rejects');
    t.ok((await acquireEnded) instanceof ViewStoreClosedError, 'a waiting acquire rejects');
    t.match(String(await bounded(lost, 'onLost')), /closed/, 'the holder is told its lease ended');
    const late: unknown[] = [];
    lease.onLost((e) => late.push(e));
    await new Promise((resolve) => setTimeout(resolve, 10));
    t.equal(late.length, 1, 'a listener added after the loss hears of it at once');
    t.ok((await rejection(store.get('c', 'k'))) instanceof ViewStoreClosedError);
    t.ok((await rejection(store.commit(consumer, null, '1', []))) instanceof ViewStoreClosedError);
  });
}
