// The EventStoreDB protocol test double (test-server.ts), exercised only through the real
// @eventstore/db-client: what a client sees must be what EventStoreDB documents.
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  binaryEvent,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import { startTestEventStoreDB, type TestEventStoreDB } from './test-server.ts';

// gRPC servers and reconnecting clients: more than tap's default 30 s on a slow machine.
t.setTimeout(60_000);

const WAIT_MS = 5000;

async function serverAndClient(
  t: Test,
  options?: Parameters<typeof startTestEventStoreDB>[0],
): Promise<{ server: TestEventStoreDB; client: EventStoreDBClient }> {
  const server = await startTestEventStoreDB(options);
  const client = EventStoreDBClient.connectionString(server.url);
  t.teardown(async () => {
    await client.dispose();
    await server.stop();
  });
  return { server, client };
}

function event(type = 'Happened', data: Record<string, unknown> = {}) {
  return jsonEvent({ id: randomUUID(), type, data, metadata: { correlationId: randomUUID() } });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function readStream(client: EventStoreDBClient, stream: string, options = {}): Promise<ResolvedEvent[]> {
  return collect(client.readStream(stream, options));
}

function revisions(events: ResolvedEvent[]): bigint[] {
  return events.map((e) => e.event?.revision ?? -1n);
}

function positionOf(e: AllStreamResolvedEvent | ResolvedEvent | undefined): Position {
  const position = e?.event?.position;
  if (!position) throw new Error('event without a position');
  return position;
}

function before(a: Position, b: Position): boolean {
  return a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare);
}

async function expectWrongVersion(
  t: Test,
  append: Promise<unknown>,
  expected: AppendExpectedRevision,
  actual: bigint | 'no_stream',
): Promise<void> {
  const error = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, WrongExpectedVersionError, `WrongExpectedVersionError for expected ${String(expected)}`);
  if (error instanceof WrongExpectedVersionError) {
    t.equal(error.expectedVersion, expected, 'expectedVersion is what was sent');
    t.equal(error.actualVersion, actual, 'actualVersion is the current revision');
  }
}

/** Pulls from an async iterator with a bound, so a missing event fails instead of hanging. */
function puller<T>(iterable: AsyncIterable<T>): (label: string) => Promise<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  return async (label) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}`)), WAIT_MS);
    });
    try {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`iteration ended while waiting for ${label}`);
      return next.value;
    } finally {
      clearTimeout(timer);
    }
  };
}

function within<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${label}`)), WAIT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
}

t.test('append then read: revisions from 0, event fields and system metadata as the server sends them', async (t) => {
  const { client } = await serverAndClient(t);
  const stream = `order-${randomUUID()}`;
  const first = jsonEvent({ id: randomUUID(), type: 'OrderPlaced', data: { total: 3, items: ['a'] }, metadata: { by: 'me' } });
  const second = binaryEvent({ id: randomUUID(), type: 'Scanned', data: new Uint8Array([1, 2, 3]) });
  const beforeMs = Date.now();
  const result = await client.appendToStream(stream, [first, second], { expectedRevision: NO_STREAM });
  const afterMs = Date.now();
  t.equal(result.success, true);
  t.equal(result.nextExpectedRevision, 1n, 'the revision of the last event written');

  const [a, b] = await readStream(client, stream);
  t.match(a?.event, {
    streamId: stream,
    id: first.id,
    revision: 0n,
    type: 'OrderPlaced',
    isJson: true,
    data: { total: 3, items: ['a'] },
    metadata: { by: 'me' },
  });
  t.equal(b?.event?.revision, 1n);
  t.equal(b?.event?.isJson, false, 'octet-stream content comes back as binary');
  t.same(b?.event?.data, new Uint8Array([1, 2, 3]));
  t.equal(b?.event?.metadata, undefined, 'no custom metadata, none read back');
  const created = a?.event?.created.getTime() ?? 0;
  t.ok(created >= beforeMs && created <= afterMs, '`created` is the append time');

  const pa = positionOf(a);
  const pb = positionOf(b);
  t.equal(pa.commit, pa.prepare, 'commit == prepare for every event in this double');
  t.ok(before(pa, pb), 'events of one append get distinct, increasing positions');
  t.same(result.position, pb, 'the append reports the position of its last event');
});

t.test('expected revision: each form, and the wrong-expected-version the client raises', async (t) => {
  const { client } = await serverAndClient(t);
  const stream = `exp-${randomUUID()}`;
  const missing = `exp-missing-${randomUUID()}`;

  await expectWrongVersion(t, client.appendToStream(missing, event(), { expectedRevision: STREAM_EXISTS }), 'stream_exists', 'no_stream');
  await expectWrongVersion(t, client.appendToStream(missing, event(), { expectedRevision: 0n }), 0n, 'no_stream');

  t.equal((await client.appendToStream(stream, event(), { expectedRevision: NO_STREAM })).nextExpectedRevision, 0n);
  await expectWrongVersion(t, client.appendToStream(stream, event(), { expectedRevision: NO_STREAM }), 'no_stream', 0n);
  t.equal((await client.appendToStream(stream, event(), { expectedRevision: STREAM_EXISTS })).nextExpectedRevision, 1n);
  t.equal((await client.appendToStream(stream, event(), { expectedRevision: 1n })).nextExpectedRevision, 2n);
  await expectWrongVersion(t, client.appendToStream(stream, event(), { expectedRevision: 1n }), 1n, 2n);
  await expectWrongVersion(t, client.appendToStream(stream, event(), { expectedRevision: 7n }), 7n, 2n);
  t.equal((await client.appendToStream(stream, event(), { expectedRevision: ANY })).nextExpectedRevision, 3n);
  const fresh = `exp-any-${randomUUID()}`;
  t.equal((await client.appendToStream(fresh, event(), { expectedRevision: ANY })).nextExpectedRevision, 0n, 'any creates');
  t.same(revisions(await readStream(client, stream)), [0n, 1n, 2n, 3n], 'failed appends wrote nothing');
});

t.test('idempotent append: a retry with the same ids at the same expected revision writes nothing', async (t) => {
  const { client } = await serverAndClient(t);
  const stream = `idem-${randomUUID()}`;
  const a = event('A');
  const b = event('B');
  const created = await client.appendToStream(stream, [a, b], { expectedRevision: NO_STREAM });
  const retried = await client.appendToStream(stream, [a, b], { expectedRevision: NO_STREAM });
  t.equal(retried.success, true, 'acknowledged');
  t.equal(retried.nextExpectedRevision, 1n, 'with the original revision');
  t.same(retried.position, created.position, 'and the original position');

  const c = event('C');
  await client.appendToStream(stream, c, { expectedRevision: 1n });
  const again = await client.appendToStream(stream, c, { expectedRevision: 1n });
  t.equal(again.nextExpectedRevision, 2n);
  t.same(revisions(await readStream(client, stream)), [0n, 1n, 2n], 'nothing written twice');

  await expectWrongVersion(t, client.appendToStream(stream, [c, event('D')], { expectedRevision: 1n }), 1n, 2n);
  await expectWrongVersion(t, client.appendToStream(stream, [b, a], { expectedRevision: NO_STREAM }), 'no_stream', 2n);
  const all = await collect(client.readAll());
  t.equal(all.filter((e) => e.event?.streamId === stream).length, 3, '$all holds each event once');
});

t.test('reading a stream: directions, START/END/revision, maxCount, stream not found', async (t) => {
  const { client } = await serverAndClient(t);
  const stream = `read-${randomUUID()}`;
  await client.appendToStream(stream, [event(), event(), event(), event(), event()]);

  t.same(revisions(await readStream(client, stream)), [0n, 1n, 2n, 3n, 4n], 'forwards from START');
  t.same(revisions(await readStream(client, stream, { fromRevision: 2n })), [2n, 3n, 4n], 'from a revision, inclusive');
  t.same(revisions(await readStream(client, stream, { maxCount: 2 })), [0n, 1n], 'maxCount');
  t.same(revisions(await readStream(client, stream, { fromRevision: END })), [], 'forwards from END: nothing');
  t.same(revisions(await readStream(client, stream, { fromRevision: 9n })), [], 'past the end: nothing');
  t.same(revisions(await readStream(client, stream, { direction: BACKWARDS, fromRevision: END })), [4n, 3n, 2n, 1n, 0n]);
  t.same(revisions(await readStream(client, stream, { direction: BACKWARDS, fromRevision: 2n })), [2n, 1n, 0n]);
  t.same(revisions(await readStream(client, stream, { direction: BACKWARDS, fromRevision: START })), [0n]);
  t.same(revisions(await readStream(client, stream, { direction: BACKWARDS, fromRevision: END, maxCount: 2 })), [4n, 3n]);

  for (const direction of ['forwards', 'backwards'] as const) {
    const error = await readStream(client, `nope-${randomUUID()}`, { direction }).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.type(error, StreamNotFoundError, `a missing stream read ${direction} raises StreamNotFoundError`);
  }
});

t.test('reading $all: increasing positions, inclusive forwards and exclusive backwards from a position', async (t) => {
  const { client, server } = await serverAndClient(t);
  const stream = `all-${randomUUID()}`;
  await client.appendToStream(stream, [event(), event()]);
  await client.appendToStream(`other-${randomUUID()}`, event());
  await client.appendToStream(stream, event());

  const all = await collect(client.readAll());
  t.match(all[0]?.event, { streamId: '$settings', type: '$settings' }, '$all starts with system events, as on a server');
  for (let i = 1; i < all.length; i += 1) {
    t.ok(before(positionOf(all[i - 1]), positionOf(all[i])), `position ${i} is after position ${i - 1}`);
    t.equal(all[i]?.commitPosition, positionOf(all[i]).commit, 'the read event carries the commit position too');
  }
  t.same(positionOf(all.at(-1)), server.headPosition(), 'the last event is the head');

  const [, second, third] = all.filter((e) => e.event?.streamId === stream);
  const from = positionOf(second);
  const forwards = await collect(client.readAll({ fromPosition: from, maxCount: 2 }));
  t.equal(forwards[0]?.event?.id, second?.event?.id, 'forwards from a position includes the event at it');
  t.equal(forwards.length, 2, 'maxCount');
  const backwards = await collect(client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: 1 }));
  t.same(positionOf(backwards[0]), positionOf(all[all.findIndex((e) => e.event?.id === second?.event?.id) - 1]), 'backwards from a position starts before it');
  t.same(await collect(client.readAll({ fromPosition: END })), [], 'forwards from END: nothing');
  t.same(await collect(client.readAll({ fromPosition: START, direction: BACKWARDS })), [], 'backwards from START: nothing');
  const last = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
  t.equal(last[0]?.event?.id, third?.event?.id, 'backwards from END starts at the last event');
});

t.test('subscribeToAll with a stream-name prefix filter: catch-up, caught-up, then live', async (t) => {
  const { client } = await serverAndClient(t);
  const prefix = `sub${randomUUID().replaceAll('-', '')}-`;
  await client.appendToStream(`${prefix}1`, [event(), event()]);
  await client.appendToStream(`elsewhere-${randomUUID()}`, event());

  const subscription = client.subscribeToAll({ fromPosition: START, filter: streamNameFilter({ prefixes: [prefix] }) });
  const caughtUp = new Promise<void>((resolve) => subscription.once('caughtUp', () => resolve()));
  const next = puller(subscription);
  t.same([(await next('catch-up 1')).event?.revision, (await next('catch-up 2')).event?.revision], [0n, 1n]);
  await within(caughtUp, 'caughtUp');

  await client.appendToStream(`elsewhere-${randomUUID()}`, event());
  await client.appendToStream(`${prefix}2`, event('Live'));
  const live = await next('live event');
  t.match(live.event, { streamId: `${prefix}2`, type: 'Live' }, 'live events arrive; others are filtered out server-side');
  await subscription.unsubscribe();
});

t.test('subscribeToAll from a position starts after it; from END only new events', async (t) => {
  const { client } = await serverAndClient(t);
  const prefix = `pos${randomUUID().replaceAll('-', '')}-`;
  const filter = streamNameFilter({ prefixes: [prefix] });
  await client.appendToStream(`${prefix}1`, [event('One'), event('Two'), event('Three')]);
  const events = (await collect(client.readAll())).filter((e) => e.event?.streamId.startsWith(prefix));

  const fromSecond = client.subscribeToAll({ fromPosition: positionOf(events[1]), filter });
  t.equal((await puller(fromSecond)('event after the position')).event?.type, 'Three', 'exclusive of the position');
  await fromSecond.unsubscribe();

  const fromEnd = client.subscribeToAll({ fromPosition: END, filter });
  await within(new Promise((resolve) => fromEnd.once('caughtUp', resolve)), 'caughtUp from END');
  await client.appendToStream(`${prefix}1`, event('Four'));
  t.equal((await puller(fromEnd)('live event')).event?.type, 'Four');
  await fromEnd.unsubscribe();
});

t.test('a filtered subscription reports checkpoints through events that do not match', async (t) => {
  const { client, server } = await serverAndClient(t);
  const checkpoints: Position[] = [];
  const filter = streamNameFilter({
    prefixes: [`never-${randomUUID()}`],
    maxSearchWindow: 2,
    checkpointInterval: 1,
    checkpointReached: (_subscription, position) => {
      checkpoints.push(position);
    },
  });
  const subscription = client.subscribeToAll({ fromPosition: END, filter });
  await within(new Promise((resolve) => subscription.once('caughtUp', resolve)), 'caughtUp');
  const consume = collect(subscription).catch(() => []);
  await client.appendToStream(`unrelated-${randomUUID()}`, [event(), event(), event(), event()]);
  const deadline = Date.now() + WAIT_MS;
  while (checkpoints.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(checkpoints.length, 2, 'one checkpoint every checkpointInterval × maxSearchWindow events considered');
  t.ok(checkpoints[0] && checkpoints[1] && before(checkpoints[0], checkpoints[1]), 'checkpoints advance');
  t.same(checkpoints[1], server.headPosition(), 'the last one is at the last event considered');
  await subscription.unsubscribe();
  t.same(await consume, [], 'no event matched');
});

t.test('dropSubscriptions: the client sees the drop and can resubscribe from its last position', async (t) => {
  const { client, server } = await serverAndClient(t);
  const prefix = `drop${randomUUID().replaceAll('-', '')}-`;
  const filter = streamNameFilter({ prefixes: [prefix] });
  await client.appendToStream(`${prefix}1`, [event('One'), event('Two')]);

  const subscription = client.subscribeToAll({ fromPosition: START, filter });
  const seen: AllStreamResolvedEvent[] = [];
  const ended = (async () => {
    for await (const e of subscription) seen.push(e);
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  await within(new Promise((resolve) => subscription.once('caughtUp', resolve)), 'caughtUp');
  t.equal(server.activeSubscriptions(), 1);
  t.equal(server.dropSubscriptions(), 1);
  const error = await within(ended, 'the drop');
  t.match(error, { type: 'timeout' }, 'for await throws the client\'s TimeoutError (gRPC ABORTED)');
  t.equal(server.activeSubscriptions(), 0);

  await client.appendToStream(`${prefix}1`, event('Three'));
  const last = positionOf(seen.at(-1));
  const resumed = client.subscribeToAll({ fromPosition: last, filter });
  t.equal((await puller(resumed)('the event after the last one seen')).event?.type, 'Three');
  await resumed.unsubscribe();
});

t.test('restart: same port and data; open subscriptions end with an error; the client reconnects', async (t) => {
  const { client, server } = await serverAndClient(t);
  const stream = `restart-${randomUUID()}`;
  await client.appendToStream(stream, event());
  const port = server.port;

  const subscription = client.subscribeToAll({ fromPosition: END });
  await within(new Promise((resolve) => subscription.once('caughtUp', resolve)), 'caughtUp');
  const ended = collect(subscription).then(
    () => undefined,
    (e: unknown) => e,
  );
  await server.restart();
  const error = await within(ended, 'the subscription to end');
  // grpc-js cancels open calls when the server shuts down: the client reports CancelledError here;
  // a real server going away may show up as UnavailableError instead. Both make the client reconnect.
  t.match(error, { type: /^(cancelled|unavailable)$/ }, 'the subscription fails with a connection error');
  t.equal(server.port, port, 'same port');

  // The client reconnects on its own; the first call after the restart may still fail.
  let appended = false;
  for (let attempt = 0; attempt < 20 && !appended; attempt += 1) {
    appended = await client.appendToStream(stream, event(), { expectedRevision: 0n }).then(
      () => true,
      () => new Promise<boolean>((r) => setTimeout(() => r(false), 100)),
    );
  }
  t.ok(appended, 'appending works again');
  t.same(revisions(await readStream(client, stream)), [0n, 1n], 'the data survived the restart');
});

t.test('the client appends with Append whichever way ServerFeatures answers', async (t) => {
  for (const serverFeatures of ['unimplemented', 'without-batch-append'] as const) {
    const { client, server } = await serverAndClient(t, { serverFeatures });
    await client.appendToStream(`features-${randomUUID()}`, event());
    const counts = server.callCounts();
    t.equal(counts['/event_store.client.streams.Streams/Append'], 1, `${serverFeatures}: Append was used`);
    if (serverFeatures === 'without-batch-append') {
      t.equal(counts['/event_store.client.server_features.ServerFeatures/GetSupportedMethods'], 1, 'features were asked once');
    }
  }
});

t.test('Streams.Read of $all with a server-side filter (raw gRPC: db-client 6.2.1 readAll sends none)', async (t) => {
  const { client, server } = await serverAndClient(t);
  const prefix = `raw${randomUUID().replaceAll('-', '')}-`;
  await client.appendToStream(`${prefix}1`, event());
  await client.appendToStream(`other-${randomUUID()}`, event());
  await client.appendToStream(`${prefix}2`, event());

  const { ReadReq } = streamsPb;
  const expression = new ReadReq.Options.FilterOptions.Expression().setPrefixList([prefix]);
  const filter = new ReadReq.Options.FilterOptions()
    .setStreamIdentifier(expression)
    .setCount(new sharedPb.Empty())
    .setCheckpointintervalmultiplier(1);
  const options = new ReadReq.Options()
    .setAll(new ReadReq.Options.AllOptions().setStart(new sharedPb.Empty()))
    .setReadDirection(ReadReq.Options.ReadDirection.FORWARDS)
    .setCount('100')
    .setFilter(filter)
    .setUuidOption(new ReadReq.Options.UUIDOption().setStructured(new sharedPb.Empty()));
  const raw = new streamsGrpc.StreamsClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  t.teardown(() => raw.close());
  const responses = await collect(raw.read(new ReadReq().setOptions(options)));
  const names = responses.map((r) => new TextDecoder().decode(r.getEvent()?.getEvent()?.getStreamIdentifier()?.getStreamName_asU8()));
  t.same(names, [`${prefix}1`, `${prefix}2`], 'only the matching streams, in order');
  t.ok(responses[0]?.getEvent()?.getEvent()?.getId()?.hasStructured(), 'structured UUIDs when asked for');
});
