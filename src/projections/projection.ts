// The shape every projection has, and the per-consultation wrapper all four views use.
//
// A projection is a pure reducer `(view, event) → view` with a versioned name. Views are plain
// JSON (no Map/Set/Date/class instances), so a persistent view store can hold them without any
// change here. Reducers do no I/O, read no clock, and never mutate the view they are given: they
// return new objects and share the parts that did not change.
import { fromRecorded } from '../domain/decode.ts';
import type { DomainEvent, EventOf } from '../domain/events.ts';
import { consultationIdOf } from '../domain/stream-name.ts';
import type { JsonObject } from '../store/port.ts';

/** what a reducer sees of a stored event (no store positions: views never depend on the store) */
export interface ProjectionEvent {
  streamName: string;
  revision: number;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  created: string;
}

export interface Projection<V> {
  /** kebab-case; a view stored under another name or version is rebuilt from the start */
  name: string;
  version: number;
  initial(): V;
  apply(view: V, event: ProjectionEvent): V;
}

/**
 * The typed event through the domain's one decode path (upcasters included), or null for a type
 * this code does not know (one added later). Throws UndecodableEventError for a damaged event.
 */
export function asDomainEvent(e: ProjectionEvent): DomainEvent | null {
  return fromRecorded(e).event;
}

/** What a per-consultation reducer knows about an event besides its type and data. */
export interface EventContext {
  consultationId: string;
  revision: number;
  /**
   * When the event was recorded: `metadata.recordedAt` (the command handler's clock), else the
   * store's `created`. Every "…At" field a view derives from an event (rather than copies from its
   * data, like `sentAt` or `madeAt`) is this.
   */
  recordedAt: string;
}

export function recordedAtOf(e: Pick<ProjectionEvent, 'metadata' | 'created'>): string {
  const at = e.metadata['recordedAt'];
  return typeof at === 'string' ? at : e.created;
}

/** A per-consultation reducer: its view starts at the consultation's ConsultationOpened. */
export interface ConsultationReducer<T> {
  name: string;
  version: number;
  open(event: EventOf<'ConsultationOpened'>, at: EventContext): T;
  /** every later event of a known type; return `view` itself when the event changes nothing */
  apply(view: T, event: DomainEvent, at: EventContext): T;
}

export interface ConsultationSlot<T> {
  consultationId: string;
  /**
   * The revision of the last event of this consultation's stream that was applied (whatever its
   * type, so the view reflects the stream up to here). An event at or below it is a redelivery and
   * is ignored.
   */
  lastRevision: number;
  view: T;
}

/** A view per consultation, in the order the consultations were opened. */
export interface PerConsultationView<T> {
  consultations: ConsultationSlot<T>[];
}

/**
 * Wraps a per-consultation reducer as a projection over all streams:
 * - events of streams that are not `consultation-<id>` leave the view unchanged (the same object);
 * - a consultation's view starts at its ConsultationOpened; earlier events of a stream never opened
 *   are ignored;
 * - an event whose revision is at or below the consultation's `lastRevision` is a redelivery and
 *   leaves the view unchanged, so replaying the same events twice yields identical views;
 * - an event of an unknown type leaves the consultation's view unchanged (only `lastRevision`
 *   moves on), and so does any event the reducer does not handle.
 *
 * Consultations are kept in an array, not a record keyed by id: copying a record with thousands of
 * keys on every event is far slower than copying an array (a linear search over it is cheap).
 */
export function perConsultation<T>(reducer: ConsultationReducer<T>): Projection<PerConsultationView<T>> {
  return {
    name: reducer.name,
    version: reducer.version,
    initial: () => ({ consultations: [] }),
    apply(view, e) {
      const consultationId = consultationIdOf(e.streamName);
      if (!consultationId) return view;
      const index = view.consultations.findIndex((s) => s.consultationId === consultationId);
      const slot = view.consultations[index];
      if (slot && e.revision <= slot.lastRevision) return view;
      const event = asDomainEvent(e);
      const at: EventContext = { consultationId, revision: e.revision, recordedAt: recordedAtOf(e) };
      if (!slot) {
        if (event?.type !== 'ConsultationOpened') return view;
        return { ...view, consultations: [...view.consultations, { consultationId, lastRevision: e.revision, view: reducer.open(event, at) }] };
      }
      const next = event ? reducer.apply(slot.view, event, at) : slot.view;
      return { ...view, consultations: replaceAt(view.consultations, index, { consultationId, lastRevision: e.revision, view: next }) };
    },
  };
}

/** One consultation's view, or null when the projection has not seen it opened. */
export function consultationView<T>(view: PerConsultationView<T>, consultationId: string): T | null {
  return view.consultations.find((s) => s.consultationId === consultationId)?.view ?? null;
}

// Small immutable helpers shared by the reducers.

/** A copy of `items` with the item at `index` replaced. */
export function replaceAt<X>(items: readonly X[], index: number, item: X): X[] {
  const copy = items.slice();
  copy[index] = item;
  return copy;
}

/**
 * Replaces the last item matching `match` with `update(item)`; returns `items` itself when none
 * matches or the update returns the item unchanged. Searches from the end: recent items change most.
 */
export function updateLast<X>(items: X[], match: (x: X) => boolean, update: (x: X) => X): X[] {
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index]!;
    if (!match(item)) continue;
    const next = update(item);
    return next === item ? items : replaceAt(items, index, next);
  }
  return items;
}

/** Maps every item; returns `items` itself when every item comes back unchanged. */
export function mapShared<X>(items: X[], f: (x: X) => X): X[] {
  let copy: X[] | null = null;
  items.forEach((item, i) => {
    const next = f(item);
    if (next !== item) {
      copy ??= items.slice();
      copy[i] = next;
    }
  });
  return copy ?? items;
}

// Time comparisons are the domain's own (ISO-8601 instants whatever their offsets).
export { isAfter as isLater, later } from '../domain/rules.ts';
