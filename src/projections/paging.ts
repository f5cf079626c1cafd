// Reading a listing a page at a time: keyset paging over a collection's (order, key) order, so a
// page costs its own documents (plus those a filter passes over), never a count or an offset, and
// a document added meanwhile (a new comment, a new stakeholder: always last) never shifts a page.
import { compareKeys } from '../views/validate.ts';
import type { Collection, DocPlace, DocReader } from './projection.ts';

export interface PageRequest {
  /** the place of the previous page's last row; null: the first page */
  after: DocPlace | null;
  /** at most this many rows (a positive whole number) */
  limit: number;
}

export interface Page<R> {
  rows: R[];
  /** the place of the page's last row when a further row follows; null on the last page */
  next: DocPlace | null;
}

/** The fewest documents read at a time when a filter may pass over many. */
const MIN_CHUNK = 100;

/**
 * One page of the documents whose key starts with `prefix`, each turned into its row, keeping the
 * rows `keep` accepts. Reads in chunks until it holds one accepted row more than the page (so
 * `next` is null exactly when no further row would be accepted) or the listing ends.
 */
export async function pageOf<T, R>(
  reader: DocReader, c: Collection<T>, prefix: string, request: PageRequest, row: (doc: T) => R, keep?: (row: R) => boolean,
): Promise<Page<R>> {
  if (!Number.isSafeInteger(request.limit) || request.limit < 1) throw new RangeError(`a page holds at least one row (limit ${request.limit})`);
  const chunk = keep ? Math.max(request.limit + 1, MIN_CHUNK) : request.limit + 1;
  const rows: R[] = [];
  let last: DocPlace | null = null;
  let after = request.after;
  for (;;) {
    const docs = await reader.listPage(c, prefix, { ...(after ? { after } : {}), limit: chunk });
    for (const d of docs) {
      const r = row(d.doc);
      if (keep && !keep(r)) continue;
      if (rows.length === request.limit) return { rows, next: last };
      rows.push(r);
      last = { order: d.order, key: d.key };
    }
    const end = docs.at(-1);
    if (docs.length < chunk || !end) return { rows, next: null };
    after = { order: end.order, key: end.key };
  }
}

/** The page of already-read rows (with their places) after `request.after`: for a view that must read every row anyway. */
export function pageFrom<R>(placed: readonly { place: DocPlace; row: R }[], request: PageRequest): Page<R> {
  const { after } = request;
  const start = after === null ? 0 : placed.findIndex(({ place }) => isAfterPlace(place, after));
  if (start < 0) return { rows: [], next: null };
  const page = placed.slice(start, start + request.limit);
  const more = start + request.limit < placed.length;
  return { rows: page.map((p) => p.row), next: more ? page.at(-1)!.place : null };
}

/** Listing order: by order, then by key in code point order (as every view store adapter sorts). */
function isAfterPlace(a: DocPlace, b: DocPlace): boolean {
  return a.order !== b.order ? a.order > b.order : compareKeys(a.key, b.key) > 0;
}
