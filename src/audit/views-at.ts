// The views of one consultation computed from its events alone: folded through this version's
// reducers into a fresh in-memory view store, then read as the routes read them, at a given time
// (several views derive fields from the time, such as whether the comment period is still open).
// What an export bundle carries and what its verifier replays; what any view at a past revision is.
import { fromRecorded } from '../domain/decode.ts';
import { DocBatch, docReader, projectionBase } from '../projections/doc-batch.ts';
import { commentMatrix, consultationsList, drafts, signOff, stakeholders, type ConsultationView, type Projection } from '../projections/index.ts';
import type { JsonObject } from '../store/port.ts';
import { MemoryViewStore } from '../views/memory-view-store.ts';

/** The views an auditor can ask for, by the name the bundle gives them (the route each one is). */
export const AUDITED_VIEWS = {
  consultation: consultationsList, // GET /consultations/:id
  stakeholders, // …/stakeholders
  comments: commentMatrix, // …/comments
  'sign-off': signOff, // …/sign-off
  drafts, // …/drafts
} as const satisfies Record<string, Projection & ConsultationView<unknown>>;

export type AuditedViewName = keyof typeof AUDITED_VIEWS;

/** An event as stored (the fields a bundle keeps). */
export interface FoldableEvent {
  streamName: string;
  revision: number;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  created: string;
}

/** Each view as it stood after `events` (one consultation's, from revision 0, in order), read at `now`; null where the view has no such consultation. */
export async function viewsAt(events: readonly FoldableEvent[], consultationId: string, now: string): Promise<Record<AuditedViewName, unknown>> {
  const store = new MemoryViewStore();
  const decoded = events.map((e) => ({ ...e, event: fromRecorded(e).event }));
  const out = {} as Record<AuditedViewName, unknown>;
  for (const [name, projection] of Object.entries(AUDITED_VIEWS) as [AuditedViewName, Projection & ConsultationView<unknown>][]) {
    const base = projectionBase(projection);
    const batch = new DocBatch(store, base); // one batch: the documents stay in memory until the one commit
    for (const e of decoded) await projection.apply(batch, e);
    await store.commit(base, null, String(events.length), batch.changes());
    // a JSON round trip, as a route serialises it: undefined fields disappear
    const slot = await projection.read(docReader(store, base), consultationId, now);
    out[name] = slot === null ? null : JSON.parse(JSON.stringify(slot.view)) as unknown;
  }
  return out;
}
