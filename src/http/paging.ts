// Paging a view's listing over HTTP: `?limit=` (how many rows) and `?cursor=` (where the previous
// page ended), answered with `next`, the cursor of the next page or null on the last one. A cursor
// is opaque to clients: base64url of the last row's place in the listing (its order and id). It
// stays valid while rows are added (they come last); a filter is applied again on every page, so
// pass the same filters with each cursor.
import { z } from 'zod';
import type { PageRequest } from '../projections/paging.ts';
import type { DocPlace } from '../projections/projection.ts';

export const DEFAULT_PAGE_LIMIT = 500;
export const MAX_PAGE_LIMIT = 1000;
/** the longest cursor this service gives out is far shorter */
const MAX_CURSOR_LENGTH = 400;

/** A cursor names a row by the part of its key after this prefix (the consultation's "<id>/"). */
export function cursorOf(place: DocPlace, prefix: string): string {
  if (!place.key.startsWith(prefix)) throw new Error(`the key ${place.key} is not under ${prefix}`);
  return Buffer.from(JSON.stringify([place.order, place.key.slice(prefix.length)]), 'utf8').toString('base64url');
}

/** The place a cursor names, or null when it is not one this service gives out. */
function decodeCursor(cursor: string): { order: number; id: string } | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [order, id] = value as unknown[];
  if (typeof order !== 'number' || !Number.isSafeInteger(order) || typeof id !== 'string' || id === '' || id.length > 200) return null;
  return { order, id };
}

const Cursor = z.string().max(MAX_CURSOR_LENGTH).transform((cursor, ctx) => {
  const place = decodeCursor(cursor);
  if (place === null) {
    ctx.addIssue({ code: 'custom', message: 'not a cursor this view gave out: pass a `next` from a previous page back unchanged' });
    return z.NEVER;
  }
  return place;
});

/** The query parameters of a paged listing, to spread into a route's querystring schema. */
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT)
    .describe(`how many rows a page holds at most (1 to ${MAX_PAGE_LIMIT}; default ${DEFAULT_PAGE_LIMIT})`),
  cursor: Cursor.optional().describe('the `next` of the previous page; omitted: the first page'),
};

/** The field a paged answer carries. */
export const PageNext = {
  next: z.string().nullable().describe('the cursor of the next page (pass it as `cursor`, with the same filters), or null on the last page'),
};

/** The page a query asks for, in the listing of the documents keyed under `prefix`. */
export function pageRequest(query: { limit: number; cursor?: { order: number; id: string } | undefined }, prefix: string): PageRequest {
  return { limit: query.limit, after: query.cursor ? { order: query.cursor.order, key: `${prefix}${query.cursor.id}` } : null };
}

/** The `next` cursor of a page. */
export function nextCursor(next: DocPlace | null, prefix: string): string | null {
  return next === null ? null : cursorOf(next, prefix);
}
