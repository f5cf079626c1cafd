// Any view at any point: `?revision=N` or `?at=<ISO instant>` on the view routes answers the view as
// it stood then, folded from the stream with the same reducers (src/audit/views-at.ts), with the
// time-derived fields (is the comment period open? is the plan ready for adoption?) computed at
// that point, and `asOf` naming the revision it reflects. Without either, the live views.
import { z } from 'zod';
import { PastViews } from '../audit/views-at.ts';
import { DomainError } from '../domain/errors.ts';
import { Instant } from '../domain/schemas.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import { AppError } from '../errors/catalogue.ts';
import type { DocReader, Projection } from '../projections/projection.ts';
import type { HttpContext } from './context.ts';
import { requestTime } from './views.ts';

/** The query fields every view route takes. */
export const PointInTimeQuery = {
  revision: z.coerce.number().int().min(0).optional()
    .describe('the view as it stood right after this stream revision (see GET …/events); its derived fields at that event\'s time'),
  at: Instant.optional().describe('the view as it stood at this instant: after the last event recorded at or before it'),
};

/** The field a past view's response gains. */
export const AsOf = {
  asOf: z.object({
    revision: z.number().int().describe('the last event the view reflects'),
    recordedAt: z.string().describe('when that event was recorded'),
    at: z.string().describe('the time the view\'s derived fields are computed at: `at`, or the event\'s time for `revision`'),
  }).optional().describe('present only for ?revision or ?at: which point of the history this is'),
};

/** Where a route reads its views from: the live ones, or a past point's. */
export interface ViewSource {
  reader(projection: Projection): DocReader;
  /** the time views are read at */
  now(): string;
  /** the ETag for a view at this revision tag: a past view's names its point (its derived fields are of that time) */
  etag(tag: string): string;
  /** `{ asOf }` for a past view (after it was read), else nothing */
  mark(): { asOf?: { revision: number; recordedAt: string; at: string } };
}

export async function viewSource(ctx: HttpContext, consultationId: string, query: { revision?: number | undefined; at?: string | undefined }): Promise<ViewSource> {
  const { revision, at } = query;
  if (revision === undefined && at === undefined) {
    return { reader: (p) => ctx.runner.reader(p), now: () => requestTime(ctx), etag: (tag) => tag, mark: () => ({}) };
  }
  if (revision !== undefined && at !== undefined) throw new AppError('POINT_IN_TIME_CONFLICT', 'give ?revision or ?at, not both');
  const atIso = at === undefined ? undefined : new Date(at).toISOString(); // stored times are UTC ISO strings: compare like with like
  if (atIso !== undefined && atIso > requestTime(ctx)) throw new AppError('POINT_IN_TIME_CONFLICT', `?at=${at} is in the future`);
  // the event the point names (revision) or the first one (at), read up front: the view's time is known before it is read
  const streamName = streamNameFor(consultationId);
  const [named] = await ctx.store.readStream(streamName, { fromRevision: revision ?? 0, maxCount: 1 });
  if (!named || named.revision !== (revision ?? 0)) {
    const [first] = await ctx.store.readStream(streamName, { maxCount: 1 });
    if (!first) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${consultationId}`);
    throw new AppError('REVISION_NOT_FOUND', `consultation ${consultationId} has no revision ${revision}`);
  }
  if (atIso !== undefined && String(named.metadata.recordedAt) > atIso) {
    throw new AppError('REVISION_NOT_FOUND', `consultation ${consultationId} was opened at ${String(named.metadata.recordedAt)}, after ${atIso}`);
  }
  const past = new PastViews(ctx.store, consultationId, revision !== undefined ? { revision } : { at: atIso! });
  const now = atIso ?? String(named.metadata.recordedAt);
  return {
    reader: (p) => past.reader(p),
    now: () => now,
    etag: (tag) => `${tag}-as-of-${now}`,
    mark: () => {
      const r = past.reflected ?? { revision: named.revision, recordedAt: String(named.metadata.recordedAt) };
      return { asOf: { revision: r.revision, recordedAt: r.recordedAt, at: now } };
    },
  };
}
