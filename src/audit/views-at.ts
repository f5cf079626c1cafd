// The views of one consultation computed from its events alone: folded through this version's
// reducers into documents held in memory (projections/folded-docs.ts), then read as the routes read
// them, at a given time (several views derive fields from the time, such as whether the comment
// period is still open).
// What an export bundle carries and its verifier replays, and what a view route answers for
// `?revision=N` or `?at=<instant>`.
import { fromRecorded } from '../domain/decode.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import { FoldedDocs } from '../projections/folded-docs.ts';
import { commentMatrix, consultationsList, drafts, signOff, stakeholders, type ConsultationView, type DocReader, type Projection, type ProjectionEvent } from '../projections/index.ts';
import type { EventStore } from '../store/port.ts';

/** The views an auditor can ask for, by the name the bundle gives them (the route each one is). */
export const AUDITED_VIEWS = {
  consultation: consultationsList, // GET /consultations/:id
  stakeholders, // …/stakeholders
  comments: commentMatrix, // …/comments
  'sign-off': signOff, // …/sign-off
  drafts, // …/drafts
} as const satisfies Record<string, Projection & ConsultationView<unknown>>;

export type AuditedViewName = keyof typeof AUDITED_VIEWS;

/** An event as stored (the fields a bundle keeps): what a projection sees, before decoding. */
export type FoldableEvent = Omit<ProjectionEvent, 'event'>;

/** Folds pages of events (what is read at once) through the projection into `docs`. */
export async function foldInto(docs: FoldedDocs, projection: Projection, pages: AsyncIterable<readonly FoldableEvent[]> | Iterable<readonly FoldableEvent[]>): Promise<void> {
  for await (const page of pages) {
    for (const e of page) {
      // the fields a projection reads, named (a spread of the stored event would copy whatever else it carries)
      const { streamName, revision, type, data, metadata, created } = e;
      await projection.apply(docs, { streamName, revision, type, data, metadata, created, event: fromRecorded(e).event });
    }
  }
}

/** Each view as it stood after `events` (one consultation's, from revision 0, in order), read at `now`; null where the view has no such consultation. */
export async function viewsAt(events: readonly FoldableEvent[], consultationId: string, now: string): Promise<Record<AuditedViewName, unknown>> {
  const out = {} as Record<AuditedViewName, unknown>;
  for (const [name, projection] of Object.entries(AUDITED_VIEWS) as [AuditedViewName, Projection & ConsultationView<unknown>][]) {
    const docs = new FoldedDocs();
    await foldInto(docs, projection, [events]);
    // a JSON round trip, as a route serialises it: undefined fields disappear
    const slot = await projection.read(docs.reader(), consultationId, now);
    out[name] = slot === null ? null : JSON.parse(JSON.stringify(slot.view)) as unknown;
  }
  return out;
}

/** Where a past view stops: after revision `revision`, or after the last event recorded at or before `at`. */
export type PastPoint = { revision: number } | { at: string };

/** What a past view reflects: the last event folded (its revision and time). */
export interface Reflected {
  revision: number;
  recordedAt: string;
}

const PAGE = 1000;
/** pages between two turns of the event loop (about 0.1 s of folding) */
const YIELD_EVERY = 10;

/**
 * A consultation's views as they stood at a past point, read from the event store: each
 * projection folded when a route first reads it (a route reads one or two), streaming the
 * stream's events a page at a time, so memory holds the documents, not the history.
 */
export class PastViews {
  private readonly folded = new Map<Projection, Promise<DocReader>>();
  private reflected_: Reflected | null = null;

  constructor(private readonly store: EventStore, private readonly consultationId: string, private readonly point: PastPoint) {}

  /** A reader over the projection's documents at that point (folded on first use). */
  reader(projection: Projection): DocReader {
    const ready = () => this.fold(projection);
    return {
      stale: false,
      async get(c, key) {
        return (await ready()).get(c, key);
      },
      async list(c, prefix) {
        return (await ready()).list(c, prefix);
      },
      async listPage(c, prefix, options) {
        return (await ready()).listPage(c, prefix, options);
      },
    };
  }

  /** The last event the views reflect; null until a view was read (or when the consultation had no event by then). */
  get reflected(): Reflected | null {
    return this.reflected_;
  }

  private fold(projection: Projection): Promise<DocReader> {
    let folding = this.folded.get(projection);
    if (!folding) {
      folding = (async () => {
        const docs = new FoldedDocs();
        await foldInto(docs, projection, this.pages());
        return docs.reader();
      })();
      this.folded.set(projection, folding);
    }
    return folding;
  }

  /** The stream's events up to the point, a page at a time; records the last one. */
  private async *pages(): AsyncIterable<readonly FoldableEvent[]> {
    const streamName = streamNameFor(this.consultationId);
    let pages = 0;
    for (let from = 0; ;) {
      const page = await this.store.readStream(streamName, { fromRevision: from, maxCount: PAGE });
      const upTo = page.findIndex((e) => 'revision' in this.point ? e.revision > this.point.revision : String(e.metadata.recordedAt) > this.point.at);
      const kept = upTo < 0 ? page : page.slice(0, upTo);
      const last = kept.at(-1);
      if (last) this.reflected_ = { revision: last.revision, recordedAt: String(last.metadata.recordedAt) };
      if (kept.length > 0) yield kept;
      // let the event loop run between pages: other requests are served meanwhile (a fold of
      // 200,000 events takes seconds), and so are V8's incremental GC tasks
      if (++pages % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (upTo >= 0 || page.length < PAGE) return;
      from = page.at(-1)!.revision + 1;
    }
  }
}
