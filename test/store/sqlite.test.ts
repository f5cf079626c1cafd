// The SQLite adapter: the shared contract on real temp files, then what only SQLite promises:
// group commit, durability across reopen, several connections/processes sharing one file.
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SubscriptionDroppedError,
  WrongExpectedVersionError,
  type EventData,
  type SubscriptionMessage,
} from '../../src/store/port.ts';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../../src/store/sqlite/sqlite-event-store.ts';
import { sqliteStoreUnderTest } from './sqlite-under-test.ts';
import { bounded, eventStoreContract, nextEventIds, nextMessage } from './contract.ts';

// Spawns a child process (tsx start-up takes a second or two on a cold cache).
t.setTimeout(120_000);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('./fixtures/append-events.ts', import.meta.url));

async function tempFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'nested', 'events.db'); // the adapter creates the missing directory
}

async function tempStore(t: Test, options: Partial<SqliteEventStoreOptions> = {}) {
  const file = await tempFile(t);
  const store = new SqliteEventStore({ ...options, file });
  t.teardown(() => store.close()); // teardowns run in reverse: the store closes before its dir goes
  return { store, file };
}

const event = (type = 'Happened'): EventData => ({ id: randomUUID(), type, data: {}, metadata: {} });
const stream = () => `consultation-${randomUUID()}`;

async function caughtUp(it: AsyncIterator<SubscriptionMessage>): Promise<void> {
  const message = await nextMessage(it, 'caught-up');
  if (message.kind !== 'caught-up') throw new Error(`expected caught-up, got ${message.kind}`);
}

t.test('contract', async (t) => {
  eventStoreContract(t, sqliteStoreUnderTest());
});

t.test('group commit', async (t) => {
  t.test('appends made in the same tick are written in one transaction', async (t) => {
    const { store, file } = await tempStore(t);
    await store.append(stream(), [event()], 'no_stream');
    const walSize = () => statSync(`${file}-wal`).size;
    const before = walSize();
    const results = await Promise.all(Array.from({ length: 200 }, () => store.append(stream(), [event()], 'no_stream')));
    t.same(new Set(results.map((r) => r.nextExpectedRevision)), new Set([0]));
    // One commit per append would add at least 2 pages (table + index) each: 400+ WAL frames.
    const frames = (walSize() - before) / (4096 + 24);
    t.ok(frames < 100, `200 appends added ${frames} WAL frames`);
  });

  t.test('appends to one stream in the same tick see each other', async (t) => {
    const { store } = await tempStore(t);
    const s = stream();
    const results = await Promise.all([
      store.append(s, [event()], 'no_stream'),
      store.append(s, [event()], 0),
      store.append(s, [event(), event()], 1),
      store.append(s, [event()], 'stream_exists'),
      store.append(s, [event()], 4),
    ]);
    t.same(results.map((r) => r.nextExpectedRevision), [0, 1, 3, 4, 5]);
    for (let i = 1; i < results.length; i++) {
      t.ok(store.positions.compare(results[i - 1]!.position, results[i]!.position) < 0, 'positions increase in submission order');
    }
    t.same((await store.readStream(s)).map((e) => e.revision), [0, 1, 2, 3, 4, 5]);
  });

  t.test('many concurrent writers, each on its own stream, each with correct expectations', async (t) => {
    const { store } = await tempStore(t);
    const streams = Array.from({ length: 32 }, stream);
    await Promise.all(
      streams.map(async (s) => {
        for (let revision = 0; revision < 20; revision++) {
          await store.append(s, [event()], revision === 0 ? 'no_stream' : revision - 1);
        }
      }),
    );
    const all = await store.readAll({ streamPrefix: 'consultation-' });
    t.equal(all.length, 32 * 20);
    for (const s of streams) {
      t.same((await store.readStream(s)).map((e) => e.revision), Array.from({ length: 20 }, (_, i) => i), `${s} is contiguous`);
    }
  });

  t.test('a failing append does not fail the others in its group', async (t) => {
    const { store } = await tempStore(t);
    const existing = stream();
    await store.append(existing, [event()], 'no_stream');
    const [a, b, c, d, e] = await Promise.allSettled([
      store.append(stream(), [event()], 'no_stream'),
      store.append(existing, [event('Rejected')], 'no_stream'),
      store.append(stream(), [event(), event()], 'any'),
      store.append(existing, [event('Accepted')], 0),
      store.append(existing, [event('Rejected')], 0), // the append before it moved the stream to 1
    ]);
    t.equal(a?.status, 'fulfilled');
    t.equal(c?.status, 'fulfilled');
    t.equal(d?.status, 'fulfilled');
    t.ok(b?.status === 'rejected' && b.reason instanceof WrongExpectedVersionError && b.reason.actual === 0);
    t.ok(e?.status === 'rejected' && e.reason instanceof WrongExpectedVersionError && e.reason.actual === 1);
    t.same((await store.readStream(existing)).map((x) => x.type), ['Happened', 'Accepted']);
  });

  t.test('an invalid append is rejected on its own, before anything is written', async (t) => {
    const { store } = await tempStore(t);
    const s = stream();
    const results = await Promise.allSettled([
      store.append(s, [{ ...event(), id: 'not-a-uuid' }], 'any'),
      store.append(s, [event()], -1),
      store.append(s, [{ ...event(), data: [] as never }], 'any'),
      store.append('', [event()], 'any'),
      store.append(s, [event()], 'no_stream'),
    ]);
    t.same(results.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    t.equal((await store.readStream(s)).length, 1);
  });

  t.test('an empty append checks the expected revision and writes nothing', async (t) => {
    const { store } = await tempStore(t);
    const s = stream();
    t.equal((await store.append(s, [], 'no_stream')).nextExpectedRevision, -1);
    await t.rejects(store.append(s, [], 'stream_exists'), WrongExpectedVersionError);
    const { position } = await store.append(s, [event(), event()], 'no_stream');
    const empty = await store.append(s, [], 1);
    t.equal(empty.nextExpectedRevision, 1);
    t.equal(store.positions.compare(empty.position, position), 0, 'the position of the last event');
    t.equal((await store.append(s, [], 'any')).nextExpectedRevision, 1);
    const stale = await store.append(s, [], 0).catch((error: unknown) => error);
    t.ok(stale instanceof WrongExpectedVersionError && stale.actual === 1, 'a stale revision is still wrong');
    t.equal((await store.readStream(s)).length, 2);
  });
});

t.test('a reopened file reads back everything, and its sequence continues', async (t) => {
  const file = await tempFile(t);
  const first = new SqliteEventStore({ file });
  const s = stream();
  await first.append(s, [event('A'), event('B')], 'no_stream');
  await first.append(stream(), [event('C')], 'no_stream');
  const before = (await first.readAll()).map((e) => ({ ...e, position: first.positions.serialise(e.position) }));
  await first.close();

  const raw = new Database(file, { readonly: true });
  t.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION, 'the schema version is recorded');
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();

  const second = new SqliteEventStore({ file });
  t.teardown(() => second.close());
  const after = (await second.readAll()).map((e) => ({ ...e, position: second.positions.serialise(e.position) }));
  t.same(after, before);
  const { position } = await second.append(s, [event('D')], 1);
  t.ok(second.positions.compare(position, second.positions.parse(before.at(-1)!.position)) > 0);
});

t.test('another store on the same file: its appends reach a live subscriber (data_version polling)', async (t) => {
  const { store: mine, file } = await tempStore(t);
  const other = new SqliteEventStore({ file });
  t.teardown(() => other.close());
  const subscription = mine.subscribeToAll();
  t.teardown(() => subscription.close());
  const it = subscription[Symbol.asyncIterator]();
  await caughtUp(it);
  const events = [event(), event()];
  await other.append(stream(), events, 'no_stream');
  t.same(await nextEventIds(it, 2), events.map((e) => e.id));
  const later = event();
  await other.append(stream(), [later], 'no_stream');
  t.same(await nextEventIds(it, 1), [later.id], 'and keeps polling');
});

t.test('appends by another process reach a live subscriber', async (t) => {
  const { store, file } = await tempStore(t);
  await store.append(stream(), [event()], 'no_stream'); // the child opens an existing file
  const subscription = store.subscribeToAll({ streamPrefix: 'consultation-' });
  t.teardown(() => subscription.close());
  const it = subscription[Symbol.asyncIterator]();
  t.equal((await nextEventIds(it, 1)).length, 1);
  await caughtUp(it);

  const ids = [randomUUID(), randomUUID(), randomUUID()];
  const child = spawn(process.execPath, ['--import', 'tsx/esm', CHILD_SCRIPT, file, stream(), ...ids], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await bounded(
    new Promise<number | null>((resolve) => child.on('exit', resolve)),
    'the child process',
    60_000,
  ).finally(() => child.kill());
  t.equal(code, 0, `the child appended (stderr: ${stderr.trim() || 'none'})`);
  t.same(await nextEventIds(it, 3), ids);
});

t.test('a catch-up longer than a page delivers everything in order', async (t) => {
  const { store } = await tempStore(t);
  const s = stream();
  const events = Array.from({ length: 1234 }, () => event());
  await store.append(s, events, 'no_stream');
  const subscription = store.subscribeToAll();
  t.teardown(() => subscription.close());
  const it = subscription[Symbol.asyncIterator]();
  t.same(await nextEventIds(it, events.length), events.map((e) => e.id));
  await caughtUp(it);
});

t.test('closing the store writes queued appends and ends its subscriptions cleanly', async (t) => {
  const file = await tempFile(t);
  const store = new SqliteEventStore({ file });
  const subscription = store.subscribeToAll();
  const kinds: string[] = [];
  const loop = (async () => {
    for await (const message of subscription) kinds.push(message.kind);
  })();
  const it = store.subscribeToAll()[Symbol.asyncIterator]();
  await caughtUp(it);
  const s = stream();
  const queued = store.append(s, [event()], 'no_stream'); // not yet flushed
  await store.close();
  t.equal((await queued).nextExpectedRevision, 0, 'the queued append was written');
  await t.resolves(bounded(loop, 'the subscription to end'));
  t.same((await it.next()).done, true, 'a pending iterator is done');
  await t.rejects(store.append(s, [event()], 0), /closed/, 'appends after close are refused');
  await t.rejects(store.ping(), /closed/);

  const reopened = new SqliteEventStore({ file });
  t.teardown(() => reopened.close());
  t.equal((await reopened.readStream(s)).length, 1);
});

t.test('a row another connection writes that cannot be decoded reaches a live subscriber as unreadable, and the feed goes on', async (t) => {
  const { store, file } = await tempStore(t);
  const subscription = store.subscribeToAll();
  t.teardown(() => subscription.close());
  const it = subscription[Symbol.asyncIterator]();
  await caughtUp(it);
  const broken = stream();
  const raw = new Database(file);
  raw
    .prepare('INSERT INTO events (stream, revision, event_id, type, data, metadata, created) VALUES (?, 0, ?, ?, ?, ?, ?)')
    .run(broken, randomUUID(), 'Broken', '{not json', '{}', new Date().toISOString());
  raw.close();
  const message = await nextMessage(it, 'the damaged event');
  t.match(message, { kind: 'event', event: { streamName: broken, revision: 0, type: 'Broken', data: {}, unreadable: /^data is not valid JSON: / } });
  const next = event();
  await store.append(stream(), [next], 'no_stream');
  t.same(await nextEventIds(it, 1), [next.id], 'later events still arrive');
});

t.test('a subscription whose read fails is dropped with SubscriptionDroppedError', async (t) => {
  const { store, file } = await tempStore(t);
  const subscription = store.subscribeToAll();
  t.teardown(() => subscription.close());
  const it = subscription[Symbol.asyncIterator]();
  await caughtUp(it);
  // Another connection takes the table away: the next read fails.
  const raw = new Database(file);
  raw.exec('ALTER TABLE events RENAME TO events_gone');
  raw.close();
  await t.rejects(nextMessage(it, 'the drop'), SubscriptionDroppedError);
  t.same(await it.next(), { done: true, value: undefined }, 'and then ends');
});

t.test('positions parse only canonical decimal sequences', async (t) => {
  const { store } = await tempStore(t);
  for (const text of ['0', '1', '9007199254740991']) t.equal(store.positions.serialise(store.positions.parse(text)), text);
  for (const text of ['01', '-1', '1.0', '1e3', '9007199254740993', '99999999999999999']) {
    t.throws(() => store.positions.parse(text), { code: 'INVALID_POSITION' }, `rejects ${text}`);
  }
  t.throws(() => store.positions.compare({} as never, store.positions.parse('1')), { code: 'INVALID_POSITION' }, 'a foreign position');
});

