// Commands that wait together for one consultation are decided one after another and appended in one
// append (one commit): each still gets its own events, revision and answer; a refusal, a repeated
// command id or an expected revision is answered as it would be alone; another writer's append in
// between makes each run alone again on the re-read state. A batch window gathers commands that
// arrive close together, ending early when as many as it waits for have come.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { verifyStream } from '../../src/audit/hash-chain.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { RevisionMismatchError } from '../../src/commands/handler-errors.ts';
import { commands } from '../../src/commands/index.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import type { EventStore } from '../../src/store/port.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { COORDINATOR, comment, invite, openWithDraft } from '../helpers/consultation.ts';

/** The store, counting the appends made to it. */
function counting(store: EventStore): { store: EventStore; appends: () => number } {
  let appends = 0;
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'append') {
        return (...args: Parameters<EventStore['append']>) => {
          appends++;
          return target.append(...args);
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, appends: () => appends };
}

t.test('commands arriving together for one consultation are appended together, each with its own events and revision', async (t) => {
  const temp = tempStore(t);
  const { store, appends } = counting(temp.store);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women in Security Network');
  const before = appends();
  const results = await Promise.all(Array.from({ length: 10 }, (_, n) => comment(handler, id, sid, `Comment ${n}`)));
  t.ok(appends() - before <= 2, `10 comments in ${appends() - before} append(s)`);
  t.same(results.map((r) => r.revision), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'each its own revision, in arrival order');
  t.same(results.map((r) => r.events.map((e) => e.revision)), results.map((r) => [r.revision]), 'each its own event');
  t.same(results.map((r) => r.events[0]!.data['text']), Array.from({ length: 10 }, (_, n) => `Comment ${n}`));
  const refs = results.map((r) => r.state.comments.get(String(r.events[0]!.data['commentId']))?.ref);
  t.equal(new Set(refs).size, 10, 'ten comments, each its own reference');
  t.match(await verifyStream(temp.store, streamNameFor(id)), { ok: true, events: 13 }, 'the hash chain holds across the batch');
  const fresh = new CommandHandler({ store: temp.store });
  t.equal((await fresh.load(id)).comments.size, 10, 'a fresh fold finds all ten');
});

t.test('in a batch, a refusal, a repeated command id and an expected revision are answered as alone', async (t) => {
  const temp = tempStore(t);
  const { store, appends } = counting(temp.store);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Peace Institute');
  const repeated = randomUUID();
  const first = await comment(handler, id, sid, 'Once', repeated);
  const blocker = comment(handler, id, sid, 'Keeps the stream busy while the others arrive');
  const before = appends();
  const [a, refused, again, stale, b] = await Promise.allSettled([
    comment(handler, id, sid, 'A'),
    handler.execute(commands.submitComment, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input: { stakeholderId: sid, draftVersion: 7, sectionKey: 's1', text: 'On a draft that does not exist', channel: 'api' } }),
    comment(handler, id, sid, 'Once', repeated),
    handler.execute(commands.submitComment, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, expectedRevision: 2, input: { stakeholderId: sid, draftVersion: 1, sectionKey: 's1', text: 'Stale', channel: 'api' } }),
    comment(handler, id, sid, 'B'),
  ]);
  await blocker;
  t.equal(a.status, 'fulfilled');
  t.equal(b.status, 'fulfilled');
  t.ok(appends() - before <= 2, 'A and B appended together (with the first one)');
  t.ok(refused.status === 'rejected' && refused.reason instanceof DomainError, 'the refusal is its own');
  t.ok(again.status === 'fulfilled' && again.value.replayed && again.value.revision === first.revision, 'the repeated id replays its first result');
  t.ok(stale.status === 'rejected' && stale.reason instanceof RevisionMismatchError, 'the stale expected revision fails as alone');
  const texts = (await temp.store.readStream(streamNameFor(id))).filter((e) => e.type === 'CommentSubmitted').map((e) => e.data['text']);
  t.same(texts.sort(), ['A', 'B', 'Keeps the stream busy while the others arrive', 'Once'].sort(), 'nothing else stored, nothing twice');
});

t.test('another writer appended first: each command of the batch runs again alone, on the re-read state', async (t) => {
  const { store } = tempStore(t);
  const mine = new CommandHandler({ store });
  const other = new CommandHandler({ store });
  const id = await openWithDraft(mine);
  const sid = await invite(mine, id, 'Gender Studies Centre');
  await comment(other, id, sid, 'From another process'); // mine's cached state is one behind
  const results = await Promise.all([comment(mine, id, sid, 'X'), comment(mine, id, sid, 'Y'), comment(mine, id, sid, 'Z')]);
  t.same(results.map((r) => r.revision).sort(), [4, 5, 6]);
  const stored = await store.readStream(streamNameFor(id));
  t.same(stored.filter((e) => e.type === 'CommentSubmitted').map((e) => e.data['text']).sort(), ['From another process', 'X', 'Y', 'Z']);
  t.match(await verifyStream(store, streamNameFor(id)), { ok: true, events: 7 });
});

t.test('a batch window gathers commands arriving close together, and ends once as many as it waits for have come', async (t) => {
  const temp = tempStore(t);
  const { store, appends } = counting(temp.store);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Mothers for Peace');
  const record = (text: string) => handler.execute(commands.submitComment, {
    consultationId: id, commandId: randomUUID(), actor: COORDINATOR,
    input: { stakeholderId: sid, draftVersion: 1, sectionKey: 's1', text, channel: 'api' },
    // a window far longer than the test's timeout: only its end on the third arrival lets this pass
    batchWindow: { ms: 600_000, upTo: 3 },
  });
  const before = appends();
  const first = record('first');
  await new Promise((resolve) => setImmediate(resolve));
  const second = record('second');
  await new Promise((resolve) => setTimeout(resolve, 10));
  const third = record('third');
  const results = await Promise.all([first, second, third]);
  t.equal(appends() - before, 1, 'three commands, arriving apart, in one append');
  t.same(results.map((r) => r.revision), [3, 4, 5]);
});
