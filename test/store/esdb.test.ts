// The EventStoreDB adapter: the shared store contract, unchanged, over the real @eventstore/db-client
// talking to the protocol test double in test/esdb/ (no EventStoreDB server can be installed here;
// `npm run test:esdb` runs the same contract against a real one). Then what only this adapter
// does: resubscribing after a drop or a server restart, clear connection errors.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store.ts';
import { EventStoreUnavailableError } from '../../src/store/esdb/connection.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { verifyStream } from '../../src/audit/hash-chain.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { copyConsultations } from '../../src/store/copy.ts';
import type { EventData } from '../../src/store/port.ts';
import { startTestEventStoreDB, type TestEventStoreDB } from '../esdb/test-server.ts';
import { bounded, eventStoreContract, nextEventIds, nextMessage, waitUntil } from './contract.ts';
import { comment, invite, openWithDraft, seedConsultations } from '../helpers/consultation.ts';
import { tempStore } from '../helpers/temp-store.ts';

t.setTimeout(120_000);

const event = (type: string): EventData => ({ id: randomUUID(), type, data: { n: 1 }, metadata: {} });

async function server(t: { teardown(fn: () => unknown): void }): Promise<TestEventStoreDB> {
  const s = await startTestEventStoreDB();
  t.teardown(() => s.stop());
  return s;
}

async function storeOn(t: { teardown(fn: () => unknown): void }, s: TestEventStoreDB, backoffMs = 20): Promise<EsdbEventStore> {
  const store = await EsdbEventStore.open({ url: s.url, resubscribeBackoffMs: backoffMs });
  t.teardown(() => store.close());
  return store;
}

t.test('the store contract over the EventStoreDB protocol', async (t) => {
  const s = await server(t);
  eventStoreContract(t, async () => {
    const store = await EsdbEventStore.open({ url: s.url });
    return { store, cleanup: () => store.close(), tamper: async (stream, revision, change) => s.tamper(stream, revision, change) };
  });
});

t.test('a dropped subscription resubscribes from its last position: nothing lost, nothing twice', async (t) => {
  const s = await server(t);
  const store = await storeOn(t, s);
  const stream = `consultation-${randomUUID()}`;
  const before = [event('A'), event('B')];
  await store.append(stream, before, 'no_stream');
  const subscription = store.subscribeToAll({ streamPrefix: stream });
  t.teardown(() => subscription.close());
  const it = subscription[Symbol.asyncIterator]();
  t.same(await nextEventIds(it, 2), before.map((e) => e.id));
  t.match(await nextMessage(it, 'caught-up'), { kind: 'caught-up' });

  t.equal(s.dropSubscriptions(), 1, 'the server dropped our subscription');
  const after = [event('C')];
  await store.append(stream, after, 1);
  t.same(await nextEventIds(it, 1), after.map((e) => e.id), 'the event appended after the drop arrives once');
  t.ok(subscription.status().reconnects >= 1, 'the reconnect is counted');
  t.equal(subscription.status().state, 'live');
});

t.test('a server restart: the subscription comes back and the next append goes through', async (t) => {
  const s = await server(t);
  const store = await storeOn(t, s);
  const stream = `consultation-${randomUUID()}`;
  await store.append(stream, [event('A')], 'no_stream');
  const subscription = store.subscribeToAll({ streamPrefix: stream });
  t.teardown(() => subscription.close());
  const it = subscription[Symbol.asyncIterator]();
  await nextEventIds(it, 1);
  await nextMessage(it, 'caught-up');

  await s.restart();
  const next = event('B');
  // the client drops its channel on the first call after a restart; the caller retries
  await waitUntilAsync(async () => {
    try {
      await store.append(stream, [next], 0);
      return true;
    } catch {
      return false;
    }
  });
  t.same(await nextEventIds(it, 1), [next.id]);
  await waitUntil(() => subscription.status().state === 'live', 'the subscription to be live again');
});

t.test('an unreachable server gives a clear error naming the URL, never the password', async (t) => {
  const s = await server(t);
  await s.stop();
  const url = `esdb://admin:s3cret-pass@127.0.0.1:${s.port}?tls=false`;
  const error = await EsdbEventStore.open({ url, deadlineMs: 2000 }).then(() => null, (e: unknown) => e);
  t.ok(error instanceof EventStoreUnavailableError, String(error));
  t.match((error as Error).message, new RegExp(`EventStoreDB at esdb://127\\.0\\.0\\.1:${s.port}\\?tls=false is not reachable`));
  t.notMatch((error as Error).message, /s3cret-pass|admin/);
});

t.test('a malformed connection string is refused with the URL named', async (t) => {
  t.throws(() => new EsdbEventStore({ url: 'esdb://' }), /EVENTSTORE_URL esdb:\/\/ is not a valid connection string/);
});

t.test('the command handler on EventStoreDB: 50 concurrent commands from five handlers, every one once', async (t) => {
  const s = await server(t);
  const store = await storeOn(t, s);
  const pool = Array.from({ length: 5 }, () => new CommandHandler({ store }));
  const id = await openWithDraft(pool[0]!);
  const sid = await invite(pool[0]!, id, 'Peace Institute');
  const ids = Array.from({ length: 50 }, () => randomUUID());
  await Promise.all(ids.map((commandId, i) => comment(pool[i % 5]!, id, sid, `comment ${i}`, commandId)));
  const stored = await store.readStream(streamNameFor(id));
  t.equal(stored.filter((e) => e.type === 'CommentSubmitted').length, 50);
  t.same(stored.map((e) => e.revision), stored.map((_, i) => i), 'revisions contiguous');
  t.equal((await verifyStream(store, streamNameFor(id))).ok, true);
  // a repeated command on a fresh handler is answered from the state, not the store
  const again = await comment(new CommandHandler({ store }), id, sid, 'comment 0', ids[0]!);
  t.equal(again.replayed, true);
});

t.test('consult store copy from SQLite to EventStoreDB, then again: nothing twice', async (t) => {
  const s = await server(t);
  const target = await storeOn(t, s);
  const { store: source } = tempStore(t);
  const ids = await seedConsultations(source);
  t.match(await copyConsultations(source, target), { copied: 24, mismatches: [] });
  t.match(await copyConsultations(source, target), { copied: 0, skipped: 24, mismatches: [] });
  const strip = (e: { streamName: string; revision: number; id: string; type: string; data: unknown; metadata: unknown }) =>
    ({ streamName: e.streamName, revision: e.revision, id: e.id, type: e.type, data: e.data, metadata: e.metadata });
  t.same((await target.readAll({ streamPrefix: 'consultation-' })).map(strip), (await source.readAll()).map(strip));
  for (const id of ids) t.equal((await verifyStream(target, streamNameFor(id))).ok, true, 'hash chain holds after the copy');
});

async function waitUntilAsync(condition: () => Promise<boolean>): Promise<void> {
  await bounded((async () => {
    while (!(await condition())) await new Promise((r) => setTimeout(r, 50));
  })(), 'the server to answer again', 15_000);
}

t.test('an unfiltered read skips the server\'s own events and still pages by maxCount to the end', async (t) => {
  const s = await server(t);
  const store = await storeOn(t, s);
  // the server's own events sit among ours: more of them than a page of 2 (+1) could absorb
  await store.append(`$system-${randomUUID()}`, [event('$a'), event('$b'), event('$c')], 'no_stream');
  const stream = `consultation-${randomUUID()}`;
  const written = Array.from({ length: 5 }, (_, i) => event(`E${i}`));
  await store.append(stream, written.slice(0, 2), 'no_stream');
  await store.append(`$system-${randomUUID()}`, [event('$d'), event('$e'), event('$f')], 'no_stream');
  await store.append(stream, written.slice(2), 1);
  const seen: string[] = [];
  let from: Parameters<typeof store.readAll>[0] = { maxCount: 2 };
  for (;;) {
    const page = await store.readAll(from);
    t.ok(page.every((e) => !e.streamName.startsWith('$')), 'no $-prefixed events');
    seen.push(...page.map((e) => e.id));
    if (page.length < 2) break;
    from = { maxCount: 2, from: page.at(-1)!.position };
  }
  t.strictSame(seen, written.map((e) => e.id));
});

t.test('a filtered read from a position of another store fails as a bad position, not as an unreachable server', async (t) => {
  const s = await server(t);
  const store = await storeOn(t, s);
  const { store: sqlite } = tempStore(t);
  const foreign = (await sqlite.append(`consultation-${randomUUID()}`, [event('A')], 'no_stream')).position;
  await t.rejects(store.readAll({ streamPrefix: 'consultation-', from: foreign }), { code: 'INVALID_POSITION' });
});
