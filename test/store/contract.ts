// The event store contract: one function that every adapter's test file runs unchanged.
// It asserts only what EventStoreDB itself guarantees, and it never assumes the store is empty:
// every test uses its own stream names (a fresh UUID in each prefix), so it may run against a
// shared server. Waits are bounded and fail with a message; nothing asserts on speed.
import { bounded as boundedBy } from '../helpers/bounded.ts';
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import {
  InvalidPositionError,
  WrongExpectedVersionError,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
} from '../../src/store/port.ts';

export interface StoreUnderTest {
  store: EventStore;
  /** closes the store (if the test did not) and removes what makeStore created */
  cleanup(): Promise<void>;
  /**
   * Replaces the stored text of an event's data and/or metadata behind the store's back (a damaged
   * disk, an intruder). Adapters whose tests can do this run the damaged-event part of the contract.
   */
  tamper?(streamName: string, revision: number, change: { data?: string; metadata?: string }): Promise<void>;
}

export type MakeStore = () => Promise<StoreUnderTest>;

// Bounded waits, also used by adapter-specific tests.
export const WAIT_MS = 5000;

function event(type: string, data: JsonObject = {}): EventData {
  return { id: randomUUID(), type, data, metadata: { correlationId: randomUUID() } };
}

function uniquePrefix(): string {
  return `contract${randomUUID().replaceAll('-', '')}-`;
}

async function expectWrongVersion(
  t: Test,
  append: Promise<unknown>,
  expected: ExpectedRevision,
  actual: number | 'no_stream',
): Promise<void> {
  try {
    await append;
    t.fail(`append expecting ${String(expected)} should fail: the stream is at ${String(actual)}`);
  } catch (error) {
    t.ok(error instanceof WrongExpectedVersionError, 'fails with WrongExpectedVersionError');
    if (error instanceof WrongExpectedVersionError) {
      t.equal(error.code, 'WRONG_EXPECTED_VERSION');
      t.equal(error.expected, expected, 'error carries the expected revision');
      t.equal(error.actual, actual, `error carries the actual revision ${String(actual)}`);
    }
  }
}

/** The next message, or a clear failure after a bounded wait. */
export async function nextMessage(it: AsyncIterator<SubscriptionMessage>, waitingFor: string): Promise<SubscriptionMessage> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no subscription message within ${WAIT_MS} ms while waiting for ${waitingFor}`)), WAIT_MS);
  });
  try {
    const result = await Promise.race([it.next(), timeout]);
    if (result.done) throw new Error(`the subscription ended while waiting for ${waitingFor}`);
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

export async function nextEventIds(it: AsyncIterator<SubscriptionMessage>, count: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < count) {
    const message = await nextMessage(it, `event ${ids.length + 1} of ${count}`);
    if (message.kind !== 'event') throw new Error(`expected an event, got ${message.kind}`);
    ids.push(message.event.id);
  }
  return ids;
}

async function expectCaughtUp(t: Test, it: AsyncIterator<SubscriptionMessage>): Promise<void> {
  const message = await nextMessage(it, 'caught-up');
  t.equal(message.kind, 'caught-up', 'then the caught-up signal');
}

/** Runs the whole contract as subtests of `t`. Each subtest gets its own store from makeStore. */
export function eventStoreContract(t: Test, makeStore: MakeStore): void {
  const withStore = (name: string, body: (t: Test, store: EventStore) => Promise<void>) =>
    t.test(name, async (t) => {
      const { store, cleanup } = await makeStore();
      t.teardown(cleanup);
      await body(t, store);
    });
  damagedEventContract(t, makeStore);

  withStore('revisions start at 0, are contiguous, and events read back as written', async (t, store) => {
    const stream = `consultation-${randomUUID()}`;
    const first = [event('ConsultationOpened', { title: 'Draft NAP', sections: [1, 2] }), event('StakeholderInvited')];
    const second = [event('CommentSubmitted', { text: 'ok', nested: { a: null, b: true } })];
    t.equal((await store.append(stream, first, 'no_stream')).nextExpectedRevision, 1);
    t.equal((await store.append(stream, second, 1)).nextExpectedRevision, 2);
    const read = await store.readStream(stream);
    t.same(read.map((e) => e.revision), [0, 1, 2]);
    t.same(
      read.map(({ id, type, data, metadata, streamName }) => ({ id, type, data, metadata, streamName })),
      [...first, ...second].map((e) => ({ ...e, streamName: stream })),
    );
    for (const e of read) t.ok(!Number.isNaN(Date.parse(e.created)) && e.created.endsWith('Z'), 'created is ISO-8601 UTC');
  });

  withStore("'no_stream' succeeds on a new stream and fails on an existing one", async (t, store) => {
    const stream = `consultation-${randomUUID()}`;
    t.equal((await store.append(stream, [event('A')], 'no_stream')).nextExpectedRevision, 0);
    await expectWrongVersion(t, store.append(stream, [event('B')], 'no_stream'), 'no_stream', 0);
  });

  withStore("'stream_exists' fails on a new stream and succeeds on an existing one", async (t, store) => {
    const stream = `consultation-${randomUUID()}`;
    await expectWrongVersion(t, store.append(stream, [event('A')], 'stream_exists'), 'stream_exists', 'no_stream');
    t.same(await store.readStream(stream), [], 'the failed append wrote nothing');
    await store.append(stream, [event('A')], 'no_stream');
    t.equal((await store.append(stream, [event('B')], 'stream_exists')).nextExpectedRevision, 1);
  });

  withStore("'any' succeeds on new and existing streams", async (t, store) => {
    const stream = `consultation-${randomUUID()}`;
    t.equal((await store.append(stream, [event('A')], 'any')).nextExpectedRevision, 0);
    t.equal((await store.append(stream, [event('B'), event('C')], 'any')).nextExpectedRevision, 2);
  });

  withStore('an exact revision succeeds when it is current and fails with the actual revision otherwise', async (t, store) => {
    const stream = `consultation-${randomUUID()}`;
    await expectWrongVersion(t, store.append(stream, [event('A')], 0), 0, 'no_stream');
    await store.append(stream, [event('A'), event('B')], 'no_stream');
    await expectWrongVersion(t, store.append(stream, [event('C')], 0), 0, 1);
    await expectWrongVersion(t, store.append(stream, [event('C')], 5), 5, 1);
    t.equal((await store.append(stream, [event('C')], 1)).nextExpectedRevision, 2);
    t.same((await store.readStream(stream)).map((e) => e.type), ['A', 'B', 'C'], 'only the successful appends were written');
  });

  withStore('a retried append (same event ids, same expected revision) is stored once and returns the same result', async (t, store) => {
    const stream = `consultation-${randomUUID()}`;
    const opening = [event('A'), event('B')];
    const first = await store.append(stream, opening, 'no_stream');
    const retry = await store.append(stream, opening, 'no_stream');
    t.equal(retry.nextExpectedRevision, first.nextExpectedRevision, "retry at 'no_stream': same revision");
    t.equal(store.positions.compare(retry.position, first.position), 0, "retry at 'no_stream': same position");

    const next = [event('C')];
    const appended = await store.append(stream, next, 1);
    await store.append(stream, [event('D')], 2);
    const retried = await store.append(stream, next, 1);
    t.equal(retried.nextExpectedRevision, appended.nextExpectedRevision, 'retry at a revision: same revision');
    t.equal(store.positions.compare(retried.position, appended.position), 0, 'retry at a revision: same position');
    t.same((await store.readStream(stream)).map((e) => e.type), ['A', 'B', 'C', 'D'], 'each event is stored once');

    await expectWrongVersion(t, store.append(stream, [event('E')], 1), 1, 3);
  });

  withStore('reading a stream that does not exist gives []', async (t, store) => {
    t.same(await store.readStream(`consultation-${randomUUID()}`), []);
  });

  withStore('readStream reads from a revision (inclusive) and at most maxCount events', async (t, store) => {
    const stream = `consultation-${randomUUID()}`;
    await store.append(stream, ['A', 'B', 'C', 'D', 'E'].map((type) => event(type)), 'no_stream');
    t.same((await store.readStream(stream, { fromRevision: 2 })).map((e) => e.revision), [2, 3, 4]);
    t.same((await store.readStream(stream, { maxCount: 2 })).map((e) => e.revision), [0, 1]);
    t.same((await store.readStream(stream, { fromRevision: 1, maxCount: 3 })).map((e) => e.type), ['B', 'C', 'D']);
    t.same(await store.readStream(stream, { fromRevision: 5 }), [], 'past the end');
  });

  withStore('all streams are read in one global order, with strictly increasing positions', async (t, store) => {
    const prefix = uniquePrefix();
    const [a, b, c] = [`${prefix}a`, `${prefix}b`, `${prefix}c`];
    const written: { stream: string; id: string }[] = [];
    const appendTo = async (stream: string, expected: ExpectedRevision, count: number) => {
      const events = Array.from({ length: count }, () => event('Happened'));
      const result = await store.append(stream, events, expected);
      written.push(...events.map((e) => ({ stream, id: e.id })));
      return result;
    };
    await appendTo(a, 'no_stream', 2);
    await appendTo(b, 'no_stream', 1);
    await appendTo(a, 1, 1);
    const last = await appendTo(c, 'any', 2);

    const all = await store.readAll({ streamPrefix: prefix });
    t.same(all.map((e) => ({ stream: e.streamName, id: e.id })), written, 'in the order they were appended');
    for (let i = 1; i < all.length; i++) {
      t.ok(store.positions.compare(all[i - 1]!.position, all[i]!.position) < 0, `position ${i - 1} < position ${i}`);
    }
    t.equal(store.positions.compare(last.position, all.at(-1)!.position), 0, "an append's position is its last event's");
    t.same(
      (await store.readStream(a)).map((e) => e.position).map((p) => store.positions.serialise(p)),
      all.filter((e) => e.streamName === a).map((e) => store.positions.serialise(e.position)),
      'readStream and readAll agree on positions',
    );
  });

  withStore('readAll from a position starts after it, and honours maxCount', async (t, store) => {
    const prefix = uniquePrefix();
    const events = ['A', 'B', 'C', 'D'].map((type) => event(type));
    await store.append(`${prefix}1`, events, 'no_stream');
    const all = await store.readAll({ streamPrefix: prefix });
    const after = await store.readAll({ streamPrefix: prefix, from: all[1]!.position });
    t.same(after.map((e) => e.type), ['C', 'D'], 'exclusive of the position itself');
    t.same(await store.readAll({ streamPrefix: prefix, from: all[3]!.position }), [], 'nothing after the last');
    t.same((await store.readAll({ streamPrefix: prefix, maxCount: 3 })).map((e) => e.type), ['A', 'B', 'C']);
    t.same((await store.readAll({ streamPrefix: prefix, from: all[0]!.position, maxCount: 2 })).map((e) => e.type), ['B', 'C']);
  });

  withStore('readAll filters by stream prefix', async (t, store) => {
    const mine = uniquePrefix();
    const other = uniquePrefix();
    const head = await store.headPosition(); // bounds the unfiltered read below on a shared store
    await store.append(`${mine}x`, [event('Mine')], 'no_stream');
    await store.append(`${other}x`, [event('Other')], 'no_stream');
    await store.append(`${mine}y`, [event('Mine')], 'no_stream');
    const read = await store.readAll({ streamPrefix: mine });
    t.same(read.map((e) => e.streamName), [`${mine}x`, `${mine}y`]);
    t.same(await store.readAll({ streamPrefix: uniquePrefix() }), [], 'a prefix nothing matches');
    const unfiltered = (await store.readAll({ from: head ?? 'start' })).map((e) => e.streamName);
    t.ok(unfiltered.includes(`${other}x`) && unfiltered.includes(`${mine}x`), 'without a prefix, every stream');
  });

  withStore('readAll filters by event type, within a prefix or not; maxCount counts what matches', async (t, store) => {
    const mine = uniquePrefix();
    const head = await store.headPosition(); // bounds the unprefixed read below on a shared store
    await store.append(`${mine}x`, ['A', 'Rare', 'B', 'C'].map((type) => event(type)), 'no_stream');
    await store.append(`${uniquePrefix()}x`, [event('Rare')], 'no_stream');
    await store.append(`${mine}y`, ['Rare', 'D', 'Other'].map((type) => event(type)), 'no_stream');
    const rare = await store.readAll({ streamPrefix: mine, types: ['Rare'] });
    t.same(rare.map((e) => `${e.streamName.slice(mine.length)}@${e.revision}`), ['x@1', 'y@0'], 'only that type, in order, in the prefix');
    t.same(rare, (await store.readAll({ streamPrefix: mine })).filter((e) => e.type === 'Rare'), 'the same events as an unfiltered read gives');
    t.same((await store.readAll({ streamPrefix: mine, types: ['Rare', 'Other'], maxCount: 2 })).map((e) => e.type), ['Rare', 'Rare'], 'maxCount counts matching events');
    t.same((await store.readAll({ streamPrefix: mine, types: ['Rare'], from: rare[0]!.position })).map((e) => e.revision), [0], 'from a position');
    t.same(await store.readAll({ streamPrefix: mine, types: [] }), [], 'no types: nothing');
    t.equal((await store.readAll({ from: head ?? 'start', types: ['Rare'] })).length, 3, 'without a prefix, every stream');
  });

  withStore('positions serialise to strings that parse back, and garbage is rejected', async (t, store) => {
    const prefix = uniquePrefix();
    const { position } = await store.append(`${prefix}1`, [event('A')], 'no_stream');
    const text = store.positions.serialise(position);
    t.type(text, 'string');
    t.equal(store.positions.compare(store.positions.parse(text), position), 0, 'round trip');
    t.equal(store.positions.serialise(store.positions.parse(text)), text, 'stable text');
    const [first] = await store.readAll({ streamPrefix: prefix });
    t.equal(store.positions.compare(store.positions.parse(text), first!.position), 0);
    for (const garbage of ['', 'garbage', 'position', '{}', '12abc', `${text}x`, ` ${text}`]) {
      t.throws(() => store.positions.parse(garbage), InvalidPositionError, `rejects ${JSON.stringify(garbage)}`);
    }
  });

  withStore('headPosition is the last event of the store or of the matching streams', async (t, store) => {
    const prefix = uniquePrefix();
    t.equal(await store.headPosition({ streamPrefix: prefix }), null, 'null when nothing matches');
    await store.append(`${prefix}1`, [event('A'), event('B')], 'no_stream');
    const { position } = await store.append(`${prefix}2`, [event('C')], 'no_stream');
    const matching = await store.headPosition({ streamPrefix: prefix });
    t.ok(matching && store.positions.compare(matching, position) === 0, 'the last matching event');
    const head = await store.headPosition();
    t.ok(head && store.positions.compare(head, position) >= 0, 'the whole store is at least there');
  });

  withStore('ping answers', async (t, store) => {
    await t.resolves(store.ping());
  });

  withStore('probeWrite succeeds on a store that takes writes', async (t, store) => {
    await t.resolves(store.probeWrite());
    await t.resolves(store.probeWrite(), 'and again');
  });

  withStore('a subscription delivers history, then caught-up, then live events', async (t, store) => {
    const prefix = uniquePrefix();
    const history = [event('A'), event('B')];
    await store.append(`${prefix}1`, history, 'no_stream');
    await store.append(`${prefix}2`, [event('C')], 'no_stream');
    const subscription = store.subscribeToAll({ streamPrefix: prefix });
    t.teardown(() => subscription.close());
    const it = subscription[Symbol.asyncIterator]();
    t.equal((await nextEventIds(it, 3)).length, 3, 'the three historical events');
    await expectCaughtUp(t, it);

    await store.append(`${uniquePrefix()}x`, [event('NotMine')], 'no_stream');
    const live = [event('D'), event('E')];
    await store.append(`${prefix}1`, live, 1);
    const single = event('F');
    await store.append(`${prefix}3`, [single], 'no_stream');
    t.same(await nextEventIds(it, 3), [...live, single].map((e) => e.id), 'live events of matching streams, in order');
  });

  withStore('a subscription of an empty selection is caught up at once', async (t, store) => {
    const prefix = uniquePrefix();
    const subscription = store.subscribeToAll({ streamPrefix: prefix });
    t.teardown(() => subscription.close());
    const it = subscription[Symbol.asyncIterator]();
    await expectCaughtUp(t, it);
    const first = event('A');
    await store.append(`${prefix}1`, [first], 'no_stream');
    t.same(await nextEventIds(it, 1), [first.id]);
  });

  withStore('a subscription from a position starts after it', async (t, store) => {
    const prefix = uniquePrefix();
    const events = ['A', 'B', 'C'].map((type) => event(type));
    await store.append(`${prefix}1`, events, 'no_stream');
    const [first] = await store.readAll({ streamPrefix: prefix, maxCount: 1 });
    const subscription = store.subscribeToAll({ streamPrefix: prefix, from: first!.position });
    t.teardown(() => subscription.close());
    const it = subscription[Symbol.asyncIterator]();
    t.same(await nextEventIds(it, 2), [events[1]!.id, events[2]!.id]);
    await expectCaughtUp(t, it);
  });

  withStore('a recorded event delivered live carries its stream, revision and position', async (t, store) => {
    const prefix = uniquePrefix();
    const subscription = store.subscribeToAll({ streamPrefix: prefix });
    t.teardown(() => subscription.close());
    const it = subscription[Symbol.asyncIterator]();
    await expectCaughtUp(t, it);
    const e = event('A', { n: 1 });
    const result = await store.append(`${prefix}1`, [e], 'no_stream');
    const message = await nextMessage(it, 'the live event');
    if (message.kind !== 'event') return void t.fail('expected an event');
    t.match(message.event, { streamName: `${prefix}1`, revision: 0, id: e.id, type: 'A', data: { n: 1 } });
    t.equal(store.positions.compare(message.event.position, result.position), 0);
  });

  withStore('close() ends the iteration cleanly, also while it waits for live events', async (t, store) => {
    const prefix = uniquePrefix();
    await store.append(`${prefix}1`, [event('A')], 'no_stream');
    const subscription: Subscription = store.subscribeToAll({ streamPrefix: prefix });
    const seen: string[] = [];
    const loop = (async () => {
      for await (const message of subscription) seen.push(message.kind);
    })();
    await waitUntil(() => seen.includes('caught-up'), 'the caught-up signal');
    await subscription.close();
    await t.resolves(bounded(loop, 'the for-await loop to end after close()'));
    t.same(seen, ['event', 'caught-up']);
    await store.append(`${prefix}1`, [event('B')], 0);
  });

  withStore('breaking out of for-await ends the subscription', async (t, store) => {
    const prefix = uniquePrefix();
    await store.append(`${prefix}1`, [event('A'), event('B')], 'no_stream');
    const subscription = store.subscribeToAll({ streamPrefix: prefix });
    let count = 0;
    for await (const message of subscription) {
      t.equal(message.kind, 'event');
      if (++count === 1) break;
    }
    await t.resolves(subscription.close(), 'closing again is harmless');
  });

  withStore('a subscription reports its state and the last position it delivered', async (t, store) => {
    const prefix = uniquePrefix();
    const result = await store.append(`${prefix}1`, [event('A'), event('B')], 'no_stream');
    const subscription = store.subscribeToAll({ streamPrefix: prefix });
    t.teardown(() => subscription.close());
    t.equal(subscription.status().state, 'catching-up');
    t.equal(subscription.status().lastPosition, null, 'from the start: no position yet');
    const it = subscription[Symbol.asyncIterator]();
    await nextEventIds(it, 2);
    await expectCaughtUp(t, it);
    const status = subscription.status();
    t.equal(status.state, 'live');
    t.equal(store.positions.compare(status.lastPosition!, result.position), 0, 'the last delivered position');
    await subscription.close();
    t.equal(subscription.status().state, 'closed');
  });

  withStore('distance tells how far one position is ahead of another, in the store\'s own unit', async (t, store) => {
    const stream = `consultation-${randomUUID()}`;
    const a = (await store.append(stream, [event('A')], 'no_stream')).position;
    const b = (await store.append(stream, [event('B')], 0)).position;
    t.ok(store.positions.distance(a, b) > 0);
    t.equal(store.positions.distance(b, a), 0, 'not ahead: 0');
    t.equal(store.positions.distance(a, a), 0);
  });
}

/**
 * One event whose stored bytes are not a JSON object: the adapter never throws for it. Reads and
 * subscriptions return it in its place, with its stream, revision, id and type, `data` and
 * `metadata` empty and `unreadable` saying why, and go on with the events after it.
 */
function damagedEventContract(t: Test, makeStore: MakeStore): void {
  const withTamperableStore = (name: string, body: (t: Test, store: EventStore, tamper: NonNullable<StoreUnderTest['tamper']>) => Promise<void>) =>
    t.test(`damaged events: ${name}`, async (t) => {
      const { store, cleanup, tamper } = await makeStore();
      t.teardown(cleanup);
      if (!tamper) return void t.plan(0, 'this adapter\'s test cannot damage a stored event');
      await body(t, store, tamper);
    });

  withTamperableStore('data that is not valid JSON is read back as an unreadable event, and the others as written', async (t, store, tamper) => {
    const prefix = uniquePrefix();
    const stream = `${prefix}1`;
    const written = [event('A', { n: 0 }), event('B', { n: 1 }), event('C', { n: 2 })];
    await store.append(stream, written, 'no_stream');
    await tamper(stream, 1, { data: '{"n": 1,' });

    const expectDamagedInPlace = (read: RecordedEvent[], how: string) => {
      t.same(read.map((e) => [e.revision, e.id, e.type, e.streamName]), written.map((e, i) => [i, e.id, e.type, stream]), `${how}: every event, in place`);
      t.match(read[1], { data: {}, metadata: {}, unreadable: /^data is not valid JSON: / }, `${how}: the damaged one says why`);
      t.same([read[0]!.data, read[2]!.data], [{ n: 0 }, { n: 2 }], `${how}: its neighbours read as written`);
      t.same([read[0]!.unreadable, read[2]!.unreadable], [undefined, undefined], `${how}: and are not marked`);
    };
    expectDamagedInPlace(await store.readStream(stream), 'readStream');
    expectDamagedInPlace(await store.readAll({ streamPrefix: prefix }), 'readAll');

    const subscription = store.subscribeToAll({ streamPrefix: prefix });
    t.teardown(() => subscription.close());
    const it = subscription[Symbol.asyncIterator]();
    const delivered: RecordedEvent[] = [];
    for (let i = 0; i < 3; i++) {
      const message = await nextMessage(it, `event ${i} of the damaged stream`);
      if (message.kind === 'event') delivered.push(message.event);
    }
    expectDamagedInPlace(delivered, 'a subscription');
    await expectCaughtUp(t, it);
    const later = event('D');
    await store.append(stream, [later], 2);
    t.same(await nextEventIds(it, 1), [later.id], 'the subscription goes on live');
  });

  withTamperableStore('metadata that is not valid JSON, and data that is JSON but not an object, are unreadable too', async (t, store, tamper) => {
    const stream = `${uniquePrefix()}1`;
    await store.append(stream, [event('A'), event('B'), event('C')], 'no_stream');
    await tamper(stream, 0, { metadata: '{"correlationId": ' });
    await tamper(stream, 1, { data: '[1, 2]' });
    const [a, b, c] = await store.readStream(stream);
    t.match(a, { revision: 0, type: 'A', data: {}, metadata: {}, unreadable: /^metadata is not valid JSON: / });
    t.match(b, { revision: 1, type: 'B', data: {}, metadata: {}, unreadable: 'data is not a JSON object (it is an array)' });
    t.equal(c?.unreadable, undefined);
  });
}

export function bounded<T>(promise: Promise<T>, what: string, waitMs = WAIT_MS): Promise<T> {
  return boundedBy(promise, what, waitMs);
}

export async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
