// Keyset paging over a view's listing (src/projections/paging.ts): pages concatenate to the
// listing, a filter that passes over many documents still fills its pages, and `next` is null
// exactly when no further row would be kept.
import t from 'tap';
import { z } from 'zod';
import { docReader } from '../../src/projections/doc-batch.ts';
import { pageFrom, pageOf, type PageRequest } from '../../src/projections/paging.ts';
import { collection, type DocPlace } from '../../src/projections/projection.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';

const Items = collection('items', z.object({ n: z.number() }));

/** n documents under "c/", ordered 1…n (keys "c/000001", …), and a few of another consultation. */
async function readerWith(n: number) {
  const store = new MemoryViewStore();
  const key = (i: number) => `c/${String(i).padStart(6, '0')}`;
  const changes = Array.from({ length: n }, (_, i) => ({ collection: 'base/items', key: key(i + 1), order: i + 1, doc: { n: i + 1 } }));
  changes.push({ collection: 'base/items', key: 'd/000001', order: 1, doc: { n: -1 } });
  await store.commit('base', null, '1', changes);
  return { reader: docReader(store, 'base'), key };
}

async function allPages(reader: Awaited<ReturnType<typeof readerWith>>['reader'], limit: number, keep?: (n: number) => boolean): Promise<number[][]> {
  const pages: number[][] = [];
  let after: DocPlace | null = null;
  do {
    const page: Awaited<ReturnType<typeof pageOf<{ n: number }, number>>> = await pageOf(reader, Items, 'c/', { after, limit }, (d) => d.n, keep);
    pages.push(page.rows);
    after = page.next;
  } while (after !== null);
  return pages;
}

t.test('pages of the prefix\'s documents in order, concatenating to the listing; the last page\'s next is null', async (t) => {
  const { reader } = await readerWith(7);
  t.strictSame(await allPages(reader, 3), [[1, 2, 3], [4, 5, 6], [7]]);
  t.strictSame(await allPages(reader, 7), [[1, 2, 3, 4, 5, 6, 7]], 'a full page exactly: no empty page after it');
  t.strictSame(await allPages(reader, 100), [[1, 2, 3, 4, 5, 6, 7]]);
  const { reader: empty } = await readerWith(0);
  t.strictSame(await allPages(empty, 3), [[]]);
});

t.test('a filter passing over many documents (across read chunks) fills each page; next is null when no kept row follows', async (t) => {
  const { reader } = await readerWith(450);
  const every50th = (n: number) => n % 50 === 0;
  t.strictSame(await allPages(reader, 2, every50th), [[50, 100], [150, 200], [250, 300], [350, 400], [450]]);
  t.strictSame(await allPages(reader, 3, (n) => n <= 6), [[1, 2, 3], [4, 5, 6]], 'no further kept row in the 444 after: no next');
  t.strictSame(await allPages(reader, 3, () => false), [[]]);
});

t.test('a cursor after the end gives an empty last page; a limit below 1 is refused', async (t) => {
  const { reader, key } = await readerWith(5);
  t.strictSame(await pageOf(reader, Items, 'c/', { after: { order: 99, key: key(99) }, limit: 3 }, (d) => d.n), { rows: [], next: null });
  await t.rejects(pageOf(reader, Items, 'c/', { after: null, limit: 0 }, (d) => d.n), RangeError);
});

t.test('pageFrom pages rows already read, by the same places', async (t) => {
  const placed = [1, 2, 3, 4, 5].map((n) => ({ place: { order: n, key: `c/${n}` }, row: n }));
  const page = (after: DocPlace | null, limit: number): ReturnType<typeof pageFrom<number>> => pageFrom(placed, { after, limit } satisfies PageRequest);
  t.strictSame(page(null, 2), { rows: [1, 2], next: { order: 2, key: 'c/2' } });
  t.strictSame(page({ order: 2, key: 'c/2' }, 2), { rows: [3, 4], next: { order: 4, key: 'c/4' } });
  t.strictSame(page({ order: 4, key: 'c/4' }, 2), { rows: [5], next: null });
  t.strictSame(page({ order: 3, key: 'c/2' }, 2), { rows: [3, 4], next: { order: 4, key: 'c/4' } }, 'a place between rows (a row gone from the filter)');
  t.strictSame(page({ order: 9, key: 'c/9' }, 2), { rows: [], next: null });
});
