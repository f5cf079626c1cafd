// Stored events for the projection specifications, stamped as the command handler stamps them:
// consecutive revisions on the consultation's stream, and per command one commandId, actor and
// recordedAt. Plus a replay that freezes every view it passes on, so a reducer that mutates its
// input fails the test (ES modules run in strict mode: writing to a frozen object throws).
import type { Test } from 'tap';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { Actor } from '../../src/domain/schemas.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { consultationView, type PerConsultationView, type Projection, type ProjectionEvent } from '../../src/projections/projection.ts';
import type { JsonObject } from '../../src/store/port.ts';
import { CONSULTATION_ID, COORDINATOR } from '../helpers/domain-spec.ts';

export const T0 = '2027-03-01T09:00:00.000Z';

/** When the command whose first event has this revision was recorded: one minute per revision after `start`. */
export function at(revision: number, start = T0): string {
  return new Date(Date.parse(start) + revision * 60_000).toISOString();
}

/** The events of one command: a single event, several, or with its actor or time given. */
export type Command = DomainEvent | DomainEvent[] | { events: DomainEvent[]; actor?: Actor; at?: string };

export interface StreamOptions {
  consultationId?: string;
  /** the revision of the first event (to continue a stream) */
  firstRevision?: number;
  start?: string;
}

/** Stamps commands' events as the handler would append them to `consultation-<id>`. */
export function recorded(commands: Command[], options: StreamOptions = {}): ProjectionEvent[] {
  const consultationId = options.consultationId ?? CONSULTATION_ID;
  const streamName = streamNameFor(consultationId);
  let revision = options.firstRevision ?? 0;
  const out: ProjectionEvent[] = [];
  for (const command of commands) {
    const { events, actor = COORDINATOR, at: time = at(revision, options.start) } =
      Array.isArray(command) ? { events: command } : 'type' in command ? { events: [command] } : command;
    const commandId = `cmd-${consultationId.slice(0, 8)}-${revision}`;
    for (const e of events) {
      const metadata: JsonObject = {
        commandId, commandHash: `hash-of-${commandId}`, actor: { ...actor }, recordedAt: time, prevHash: `h${revision - 1}`, hash: `h${revision}`,
      };
      // a JSON round trip, as stored: undefined fields disappear
      out.push({ streamName, revision, type: e.type, data: JSON.parse(JSON.stringify(e.data)) as JsonObject, metadata, created: time });
      revision++;
    }
  }
  return out;
}

/** An event of a type this code does not know (one added later). */
export function unknownEvent(revision: number, consultationId = CONSULTATION_ID): ProjectionEvent {
  return {
    streamName: streamNameFor(consultationId), revision, type: 'ConsultationArchived', data: { archive: 'box 12' },
    metadata: { commandId: `cmd-archive-${revision}`, recordedAt: at(revision) }, created: at(revision),
  };
}

/** Applies events one at a time, each to a deep-frozen view. */
export function replay<V>(projection: Projection<V>, events: readonly ProjectionEvent[], from: V = projection.initial()): V {
  let view = deepFreeze(from);
  for (const e of events) view = deepFreeze(projection.apply(view, e));
  return view;
}

/** Replays and returns the view of one consultation (the default one unless given); fails when it has none. */
export function viewAfter<T>(projection: Projection<PerConsultationView<T>>, events: readonly ProjectionEvent[], consultationId = CONSULTATION_ID): T {
  const view = consultationView(replay(projection, events), consultationId);
  if (view === null) throw new Error(`no view of consultation ${consultationId}`);
  return view;
}

export function deepFreeze<X>(value: X): X {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Fails unless the value is plain JSON: objects with Object.prototype, arrays, strings, finite numbers, booleans, null. */
export function assertPlainJson(t: Test, value: unknown, path = 'view'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) t.fail(`${path} is ${value}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertPlainJson(t, item, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, child] of Object.entries(value)) assertPlainJson(t, child, `${path}.${key}`);
    return;
  }
  t.fail(`${path} is not plain JSON: ${Object.prototype.toString.call(value)} ${String(value)}`);
}
