// The generic command handler against a real SQLite store: results, metadata, idempotency,
// If-Match revisions, and several handlers (separate caches) racing for one stream.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { CommandHandler } from '../../src/commands/handler.ts';
import { RevisionMismatchError } from '../../src/commands/handler-errors.ts';
import { commands } from '../../src/commands/index.ts';
import { verifyStream, ZERO_HASH } from '../../src/audit/hash-chain.ts';
import { idFor } from '../../src/domain/ids.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { WrongExpectedVersionError } from '../../src/store/port.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { COORDINATOR, comment, invite, openWithDraft } from '../helpers/consultation.ts';

const fixedClock = () => new Date('2027-03-01T09:00:00.000Z');

t.test('a command appends its events with command id, actor, time and the hash chain in metadata', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store, clock: fixedClock });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Women in Security Network');
  const commandId = randomUUID();
  const result = await comment(handler, id, sid, 'Add a target on police recruitment.', commandId);

  t.equal(result.revision, 3, 'open, draft, invite, comment: revisions 0..3');
  t.equal(result.replayed, false);
  t.ok(result.position, 'a global position is returned');
  const stored = await store.readStream(streamNameFor(id));
  t.equal(stored.length, 4);
  const last = stored[3]!;
  t.equal(last.type, 'CommentSubmitted');
  t.equal(last.id, idFor(commandId, 'event-0'), 'event ids derive from the command id');
  t.match(last.metadata, { commandId, actor: COORDINATOR, recordedAt: '2027-03-01T09:00:00.000Z', prevHash: stored[2]!.metadata.hash });
  t.equal(stored[0]!.metadata.prevHash, ZERO_HASH, 'the first event chains from the zero hash');
  t.equal(store.positions.compare(result.position!, last.position), 0, 'the returned position is the last event\'s');
  t.same(await verifyStream(store, streamNameFor(id)), { ok: true, streamName: streamNameFor(id), events: 4, lastHash: last.metadata.hash });
});

t.test('the same command id again returns the first result and appends nothing, even from a fresh handler', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Peace Institute');
  const commandId = randomUUID();
  const first = await comment(handler, id, sid, 'First text', commandId);
  const again = await comment(handler, id, sid, 'First text', commandId);
  t.equal(again.replayed, true);
  t.equal(again.revision, first.revision);
  t.same(again.events, first.events, 'the first run\'s events, with the same comment id');
  t.equal(store.positions.compare(again.position!, first.position!), 0);

  const fresh = new CommandHandler({ store });
  const third = await comment(fresh, id, sid, 'First text', commandId);
  t.equal(third.replayed, true, 'idempotency lives in the consultation state, not in a cache');
  t.same(third.events, first.events);
  t.equal((await store.readStream(streamNameFor(id))).length, 4, 'nothing was appended twice');
});

t.test('the same command id with a different input is refused with COMMAND_ID_REUSED', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Peace Institute');
  const commandId = randomUUID();
  await comment(handler, id, sid, 'First text', commandId);
  await t.rejects(comment(handler, id, sid, 'Another text', commandId), { code: 'COMMAND_ID_REUSED' });
});

t.test('a caller-given expected revision fails instead of retrying when stale', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Peace Institute');
  const input = { stakeholderId: sid, draftVersion: 1, text: 'Whole-draft remark', channel: 'api' };
  await t.rejects(
    handler.execute(commands.submitComment, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input, expectedRevision: 1 }),
    new RevisionMismatchError(1, 2),
  );
  const ok = await handler.execute(commands.submitComment, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input, expectedRevision: 2 });
  t.equal(ok.revision, 3);

  // A second handler with a stale cache and a stale If-Match also fails rather than deciding again.
  const other = new CommandHandler({ store });
  await other.load(id);
  await comment(handler, id, sid, 'moves the stream on');
  await t.rejects(
    other.execute(commands.submitComment, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input, expectedRevision: 3 }),
    { code: 'REVISION_MISMATCH', expected: 3, actual: 4 },
  );
});

t.test('a handler whose cached state is behind another writer re-reads and decides again', async (t) => {
  const { store } = tempStore(t);
  const a = new CommandHandler({ store });
  const b = new CommandHandler({ store });
  const id = await openWithDraft(a);
  await b.load(id); // b caches revision 1
  const sid = await invite(a, id, 'Ministry of Justice and Security', true);
  // b has never seen the stakeholder: deciding on its cache alone would refuse STAKEHOLDER_NOT_FOUND.
  const result = await comment(b, id, sid, 'Comment through the other handler');
  t.equal(result.revision, 3);
  const types = (await store.readStream(streamNameFor(id))).map((e) => e.type);
  t.same(types, ['ConsultationOpened', 'DraftPublished', 'StakeholderInvited', 'CommentSubmitted']);
  t.equal((await verifyStream(store, streamNameFor(id))).ok, true);
});

t.test('a domain rule refused on the latest state stays refused', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  await t.rejects(comment(handler, id, randomUUID(), 'nobody'), { code: 'STAKEHOLDER_NOT_FOUND' });
  await t.rejects(
    handler.execute(commands.publishDraft, { consultationId: randomUUID(), commandId: randomUUID(), actor: COORDINATOR, input: { sections: [{ key: 'a', heading: 'A', text: '' }], commentDeadline: '2099-01-01T00:00:00Z' } }),
    { code: 'CONSULTATION_NOT_FOUND' },
  );
  t.equal((await store.readStream(streamNameFor(id))).length, 2, 'nothing appended when refused');
});

t.test('invalid input is refused by the command schema before anything is read', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  await t.rejects(
    handler.execute(commands.publishDraft, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input: { sections: [], commentDeadline: '2099-01-01T10:00:00' } }),
    { name: 'ZodError' },
  );
  await t.rejects(
    handler.execute(commands.openConsultation, { consultationId: 'not-a-uuid', commandId: randomUUID(), actor: COORDINATOR, input: {} }),
    { name: 'ZodError' },
  );
});

t.test('50 concurrent commands through one handler, and through five handlers sharing a store', async (t) => {
  for (const handlers of [1, 5]) {
    const { store } = tempStore(t);
    const pool = Array.from({ length: handlers }, () => new CommandHandler({ store }));
    const id = await openWithDraft(pool[0]!);
    const sid = await invite(pool[0]!, id, 'Peace Institute');
    const ids = Array.from({ length: 50 }, () => randomUUID());
    await Promise.all(ids.map((commandId, i) => comment(pool[i % handlers]!, id, sid, `comment ${i}`, commandId)));
    const stored = await store.readStream(streamNameFor(id));
    const comments = stored.filter((e) => e.type === 'CommentSubmitted');
    t.equal(comments.length, 50, `${handlers} handler(s): every command recorded`);
    t.same(new Set(comments.map((e) => e.metadata.commandId)), new Set(ids), 'each command exactly once');
    t.same(stored.map((e) => e.revision), stored.map((_, i) => i), 'revisions contiguous');
    t.equal((await verifyStream(store, streamNameFor(id))).ok, true, 'hash chain holds');
  }
});

t.test('a repeated command returns its first result even after other commands, and even with its stale expected revision', async (t) => {
  const { store } = tempStore(t);
  const handler = new CommandHandler({ store });
  const id = await openWithDraft(handler);
  const sid = await invite(handler, id, 'Peace Institute');
  const request = { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input: { stakeholderId: sid, draftVersion: 1, text: 'Whole-draft remark', channel: 'api' }, expectedRevision: 2 };
  const first = await handler.execute(commands.submitComment, request);
  t.equal(first.revision, 3);
  await comment(handler, id, sid, 'someone else moves the stream on');
  const retried = await handler.execute(commands.submitComment, request);
  t.equal(retried.replayed, true, 'the retry is answered, not refused with REVISION_MISMATCH');
  t.equal(retried.revision, 3, 'with the revision of its first run, not the stream\'s current one');
  t.same(retried.events, first.events);
  t.equal(store.positions.compare(retried.position!, first.position!), 0);
  const fresh = await new CommandHandler({ store }).execute(commands.submitComment, request);
  t.equal(fresh.revision, 3, 'the same from a handler that never saw the first run');
});

t.test('a store that keeps answering "wrong expected version" ends in CONTENTION, with or without an expected revision', async (t) => {
  const { store } = tempStore(t);
  const id = await openWithDraft(new CommandHandler({ store }));
  // a lagging reader: every append conflicts, yet reading finds nothing new
  const stubborn = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'append') return async (stream: string) => { throw new WrongExpectedVersionError(stream, 1, 2); };
      return Reflect.get(target, property, receiver);
    },
  });
  const handler = new CommandHandler({ store: stubborn, maxAttempts: 3 });
  const input = { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' };
  await t.rejects(handler.execute(commands.extendDeadline, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input }), { code: 'CONTENTION', attempts: 3 });
  await t.rejects(handler.execute(commands.extendDeadline, { consultationId: id, commandId: randomUUID(), actor: COORDINATOR, input, expectedRevision: 1 }), { code: 'CONTENTION', attempts: 3 });
});
