// The per-consultation wrapper every view uses: which events reach a consultation's reducer, which
// leave its documents as they were, and how the documents are read back.
import t from 'tap';
import { z } from 'zod';
import { fixtureContacts } from '../helpers/contact-ids.ts';
import { event } from '../../src/domain/events.ts';
import { DocBatch, DocCache, keyHash, projectionBase, storedCollection } from '../../src/projections/doc-batch.ts';
import { collection, docKey, perConsultation, recordedAtOf, type ProjectionEvent } from '../../src/projections/projection.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import { CONSULTATION_ID, cso, draft, opened } from '../helpers/domain-spec.ts';
import { OTHER_ID } from './fixtures/history.ts';
import { at, CountingViewStore, recorded, replay, unknownEvent } from './fixtures/recorded.ts';

const Notes = collection('notes', z.object({ text: z.string() }));

/** A reducer that lists the types and revisions it was given (what reached it, in order), and keeps one note per draft. */
const projection = perConsultation<string[], string[]>({
  name: 'seen',
  version: 1,
  head: z.array(z.string()),
  collections: [Notes],
  open: (e, ctx) => [`${ctx.revision}:${e.type}@${ctx.recordedAt}`],
  apply(head, e, ctx, docs) {
    if (e.type === 'StakeholderContactsChanged') return;
    head.push(`${ctx.revision}:${e.type}`);
    if (e.type === 'DraftPublished') docs.put(Notes, docKey(ctx.consultationId, String(e.data.version)), { text: `v${e.data.version}` }, e.data.version);
  },
}, async (head, reader, consultationId) => [...head, ...(await reader.list(Notes, `${consultationId}/`)).map((n) => n.text)]);

const [openedE, draftE, csoE] = recorded([opened, draft(1), cso]) as [ProjectionEvent, ProjectionEvent, ProjectionEvent];

async function viewOf(events: ProjectionEvent[], consultationId = CONSULTATION_ID) {
  const replayed = await replay(projection, events);
  return { replayed, slot: await projection.read(replayed.reader, consultationId) };
}

t.test('the projection carries the reducer’s name and version, and its collections: the heads first', async (t) => {
  t.equal(projection.name, 'seen');
  t.equal(projection.version, 1);
  t.same(projection.collections.map((c) => storedCollection(projectionBase(projection), c)), ['seen@1', 'seen@1/notes']);
});

t.test('given a ConsultationOpened, then the consultation has a view that starts there, at that revision', async (t) => {
  const { slot } = await viewOf([openedE, draftE]);
  t.strictSame(slot, { view: [`0:ConsultationOpened@${at(0)}`, '1:DraftPublished', 'v1'], lastRevision: 1, stale: false });
});

t.test('given events of a stream that is not a consultation, then no document is written', async (t) => {
  const store = new MemoryViewStore();
  for (const streamName of ['$stats-127.0.0.1', 'mailbox-1', 'consultation-', 'Consultation-abc']) {
    const docs = new DocBatch(store, projectionBase(projection));
    await projection.apply(docs, { ...openedE, streamName });
    t.same(docs.changes(), [], streamName);
  }
});

t.test('given events of a consultation before its ConsultationOpened, then they are ignored', async (t) => {
  const { slot, replayed } = await viewOf([{ ...draftE, revision: 0 }]);
  t.equal(slot, null);
  t.same(await replayed.documents(), {});
});

t.test('given a redelivered event (revision at or below the last applied), then nothing is written', async (t) => {
  const { replayed } = await viewOf([openedE, draftE, csoE]);
  for (const e of [csoE, draftE, openedE]) {
    const docs = new DocBatch(replayed.store, projectionBase(projection));
    await projection.apply(docs, e);
    t.same(docs.changes(), [], `revision ${e.revision}`);
  }
});

t.test('given an event of an unknown type, then only lastRevision moves on', async (t) => {
  const { slot: before } = await viewOf([openedE, draftE]);
  const { slot: after } = await viewOf([openedE, draftE, unknownEvent(2)]);
  t.same(after?.view, before?.view);
  t.equal(after?.lastRevision, 2);
});

t.test('given an event the reducer does not handle, then the view is as before but for its revision', async (t) => {
  const [changed] = recorded([event('StakeholderContactsChanged', { stakeholderId: 'sh-x', contacts: fixtureContacts('sh-x', [{ name: 'A', email: 'a@b.example' }]) })], { firstRevision: 2 });
  const { slot: before } = await viewOf([openedE, draftE]);
  const { slot: after } = await viewOf([openedE, draftE, changed!]);
  t.same(after?.view, before?.view);
});

t.test('given two consultations, then each has its own documents', async (t) => {
  const other = recorded([{ ...opened, data: { ...opened.data, consultationId: OTHER_ID } }], { consultationId: OTHER_ID });
  const replayed = await replay(projection, [...other, openedE, draftE]);
  t.same(await projection.read(replayed.reader, OTHER_ID), { view: [`0:ConsultationOpened@${at(0)}`], lastRevision: 0, stale: false });
  t.same((await projection.read(replayed.reader, CONSULTATION_ID))?.lastRevision, 1);
  t.equal(await projection.read(replayed.reader, 'no-such-consultation'), null);
});

t.test('a batch reads a document once and hands the same object to every event in it; the changes hold each document once', async (t) => {
  const store = new CountingViewStore();
  const docs = new DocBatch(store, projectionBase(projection));
  for (const e of recorded([opened, draft(1), cso, draft(2)])) await projection.apply(docs, e);
  t.equal(store.gets, 1, 'the head was read from the store once (absent), then kept');
  t.same(docs.changes().map((c) => [c.collection, c.key, c.order]), [
    ['seen@1', CONSULTATION_ID, 0], ['seen@1/notes', `${CONSULTATION_ID}/1`, 1], ['seen@1/notes', `${CONSULTATION_ID}/2`, 2],
  ]);
});

t.test('a document put again without an order keeps the order it had', async (t) => {
  const store = new MemoryViewStore();
  const base = projectionBase(projection);
  const first = new DocBatch(store, base);
  first.put(Notes, 'k', { text: 'a' }, 7);
  await store.commit(base, null, '1', first.changes());
  const second = new DocBatch(store, base);
  const doc = await second.get(Notes, 'k');
  doc!.text = 'b';
  second.put(Notes, 'k', doc!);
  t.same(second.changes(), [{ collection: 'seen@1/notes', key: 'k', order: 7, doc: { text: 'b' } }]);
});

t.test('recordedAtOf: metadata.recordedAt, else the store’s created time', async (t) => {
  t.equal(recordedAtOf({ metadata: { recordedAt: '2027-03-01T09:00:00.000Z' }, created: '2027-03-01T09:00:01.000Z' }), '2027-03-01T09:00:00.000Z');
  t.equal(recordedAtOf({ metadata: {}, created: '2027-03-01T09:00:01.000Z' }), '2027-03-01T09:00:01.000Z');
});

t.test('the events handed to projections are decoded: a known type narrowed, an unknown type null', async (t) => {
  t.equal(draftE.event?.type, 'DraftPublished');
  t.equal(unknownEvent(3).event, null);
});

t.test('a writer that built its documents from nothing knows which exist: no store read for an absent one, a read for any other', async (t) => {
  const store = new CountingViewStore();
  const base = projectionBase(projection);
  const cache = new DocCache();
  cache.startEmpty();
  const first = new DocBatch(store, base, cache);
  t.equal(await first.get(Notes, 'a'), null);
  first.put(Notes, 'a', { text: 'a' });
  await store.commit(base, null, '1', first.changes());
  cache.absorb(first);
  t.equal(store.gets, 0, 'built from nothing: nothing read back');
  const second = new DocBatch(store, base, cache);
  t.same(await second.get(Notes, 'a'), { text: 'a' }, 'a document it wrote comes from the cache');
  t.equal(await second.get(Notes, 'b'), null);
  t.equal(store.gets, 0, 'one it never wrote is absent without a read');
  cache.clear();
  t.equal(cache.knowsAbsent('seen@1/notes', 'b'), 0, 'after a failure it knows nothing');
  const third = new DocBatch(store, base, cache);
  t.same(await third.get(Notes, 'a'), { text: 'a' });
  t.equal(store.gets, 1, 'and reads the store');
  t.not(keyHash('ab', 'c'), keyHash('a', 'bc'), 'the collection and the key are kept apart in the hash');
});

t.test('a batch begun while the previous one commits works on copies of what that one changed; the cache never forgets what the store lacks', async (t) => {
  const store = new CountingViewStore();
  const base = projectionBase(projection);
  const cache = new DocCache(1); // evicts at every batch it can
  cache.startEmpty();
  const first = new DocBatch(store, base, cache);
  first.put(Notes, 'a', { text: 'a' });
  first.put(Notes, 'b', { text: 'b' });
  const committing = first.changes();
  // not committed yet: the next batch begins (and the cache, over its size, evicts what it can)
  const second = new DocBatch(store, base, cache);
  const a = await second.get(Notes, 'a');
  t.same(a, { text: 'a' }, 'the previous batch’s document, from the cache: the store does not hold it yet');
  t.equal(store.gets, 0, 'not read from the store (it would be absent there)');
  a!.text = 'a, changed by the second batch';
  second.put(Notes, 'a', a!);
  second.put(Notes, 'b', { text: 'b, replaced by the second batch' });
  t.same(first.changes(), committing, 'what the first batch commits is unchanged');
  t.same(first.changes().map((c) => c.doc), [{ text: 'a' }, { text: 'b' }]);
  t.same(second.changes().map((c) => [c.key, c.doc]), [['a', { text: 'a, changed by the second batch' }], ['b', { text: 'b, replaced by the second batch' }]],
    'the second batch has its own changes of both');

  await store.commit(base, null, '1', first.changes());
  cache.absorb(first);
  const third = new DocBatch(store, base, cache); // evicts the first batch's (stored), keeps the second's (not stored yet)
  t.same(await third.get(Notes, 'a'), { text: 'a, changed by the second batch' }, 'the second batch’s, though it is not in the store');
  t.equal(store.gets, 0);
  await store.commit(base, '1', '2', second.changes());
  cache.absorb(second);
  third.put(Notes, 'c', { text: 'c' });
  const fourth = new DocBatch(store, base, cache);
  t.same(await fourth.get(Notes, 'b'), { text: 'b, replaced by the second batch' }, 'once stored, an evicted document is read back');
  t.equal(store.gets, 1);
});
