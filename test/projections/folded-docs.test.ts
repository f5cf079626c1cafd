// The documents of a one-off fold (src/projections/folded-docs.ts), held as objects: after any
// sequence of gets, puts (with and without an order) and deletes, they read exactly as the same
// sequence committed batch by batch to the in-memory view store reads through docReader; and once
// read, they can no longer change.
import t from 'tap';
import { z } from 'zod';
import { DocBatch, docReader } from '../../src/projections/doc-batch.ts';
import { FoldedDocs } from '../../src/projections/folded-docs.ts';
import { collection, type DocPlace, type DocReader, type Docs } from '../../src/projections/projection.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import { seededRandom as random } from '../helpers/seeded-random.ts';

const Items = collection('items', z.object({ n: z.number(), tags: z.array(z.string()) }));
const Heads = collection('', z.object({ seen: z.number() }));

type Op = { kind: 'put'; key: string; order: number | undefined; n: number } | { kind: 'delete'; key: string } | { kind: 'touch'; key: string };

/** Batches of operations on keys of two consultations ("a/…", "b/…"), as a reducer makes them: read, then change in place and put. */
function operations(seed: number): Op[][] {
  const next = random(seed);
  const keys = Array.from({ length: 30 }, (_, i) => `${i % 3 === 0 ? 'b' : 'a'}/${String.fromCharCode(97 + (i % 26))}${i}`);
  return Array.from({ length: 12 }, () => Array.from({ length: 1 + Math.floor(next() * 20) }, (): Op => {
    const key = keys[Math.floor(next() * keys.length)]!;
    const r = next();
    if (r < 0.15) return { kind: 'delete', key };
    if (r < 0.3) return { kind: 'touch', key };
    return { kind: 'put', key, order: next() < 0.5 ? undefined : Math.floor(next() * 8), n: Math.floor(next() * 1000) };
  }));
}

async function apply(docs: Docs, op: Op): Promise<void> {
  const head = (await docs.get(Heads, 'h')) ?? { seen: 0 };
  head.seen++;
  docs.put(Heads, 'h', head);
  const doc = await docs.get(Items, op.key);
  if (op.kind === 'delete') docs.delete(Items, op.key);
  else if (op.kind === 'put') {
    const changed = doc ?? { n: 0, tags: [] };
    changed.n = op.n;
    changed.tags.push(`t${op.n}`); // nested state changed in place, as reducers do
    docs.put(Items, op.key, changed, op.order);
  }
}

async function readAll(reader: DocReader): Promise<unknown> {
  const pages: unknown[] = [];
  for (const prefix of ['a/', 'b/', '']) {
    let after: DocPlace | undefined;
    for (;;) {
      const page = await reader.listPage(Items, prefix, { ...(after ? { after } : {}), limit: 4 });
      pages.push(page);
      if (page.length < 4) break;
      after = page.at(-1)!;
    }
  }
  return {
    lists: await Promise.all(['a/', 'b/', ''].map((p) => reader.list(Items, p))),
    pages,
    gets: await Promise.all(['a/a0', 'b/a0', 'a/b1', 'nothing'].map((k) => reader.get(Items, k))),
    head: await reader.get(Heads, 'h'),
  };
}

t.test('reads as the same batches committed to a view store read', async (t) => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const batches = operations(seed);
    const store = new MemoryViewStore();
    let committed: string | null = null;
    const folded = new FoldedDocs();
    for (const [i, ops] of batches.entries()) {
      const batch = new DocBatch(store, 'p@1');
      for (const op of ops) {
        await apply(batch, op);
        await apply(folded, op);
      }
      await store.commit('p@1', committed, String(i), batch.changes());
      committed = String(i);
    }
    t.strictSame(await readAll(folded.reader()), await readAll(docReader(store, 'p@1')), `seed ${seed}`);
  }
});

t.test('a listing goes by (order, key); a put without an order keeps the order the document had', async (t) => {
  const docs = new FoldedDocs();
  docs.put(Items, 'c/z', { n: 1, tags: [] }, 1);
  docs.put(Items, 'c/a', { n: 2, tags: [] }, 2);
  docs.put(Items, 'c/m', { n: 3, tags: [] }, 1);
  docs.put(Items, 'c/z', { n: 4, tags: [] }); // order stays 1
  docs.put(Items, 'c/new', { n: 5, tags: [] }); // a new one: 0
  const reader = docs.reader();
  t.strictSame((await reader.listPage(Items, 'c/')).map((p) => [p.order, p.key]), [[0, 'c/new'], [1, 'c/m'], [1, 'c/z'], [2, 'c/a']]);
  t.strictSame((await reader.listPage(Items, 'c/', { after: { order: 1, key: 'c/m' }, limit: 1 })).map((p) => p.key), ['c/z']);
  t.strictSame((await reader.listPage(Items, 'c/', { after: { order: 1, key: 'c/n' } })).map((p) => p.key), ['c/z', 'c/a'], 'after a place no document holds');
  t.strictSame(await reader.list(Items, 'd/'), []);
});

t.test('once read, the documents are frozen and the fold takes no more changes', async (t) => {
  const docs = new FoldedDocs();
  docs.put(Items, 'c/1', { n: 1, tags: ['x'] }, 1);
  const reader = docs.reader();
  const doc = await reader.get(Items, 'c/1');
  t.throws(() => { doc!.n = 2; }, TypeError, 'a read function that changed a document fails');
  t.throws(() => { doc!.tags.push('y'); }, TypeError, 'nested values too');
  t.throws(() => docs.put(Items, 'c/2', { n: 2, tags: [] }), /the fold is over/);
  t.throws(() => docs.delete(Items, 'c/1'), /the fold is over/);
  t.strictSame(await reader.get(Items, 'c/1'), { n: 1, tags: ['x'] });
});
