// The shape every projection has: a versioned name, the collections of documents it keeps, and a
// reducer that applies one event to those documents.
//
// A view is documents, not one value: per consultation a small head document (keyed by the
// consultation id) and, where a view would grow with the consultation, one document per comment or
// per stakeholder in collections of their own (keyed "<consultation id>/<id>"). Applying an event
// reads and writes only the documents it concerns, so its cost follows what changed, not the size
// of the consultation. Derived fields are computed when a view is read (see each projection's
// `read`), so a change to the consultation does not rewrite every row.
//
// Reducers do no I/O of their own and read no clock: they see documents through `Docs`, which the
// runner backs with the view store and a per-batch cache (the same object for the same key within
// a batch; the reducer changes it in place and says so with `put`). A batch that fails is thrown
// away whole, so a half-applied event is never stored.
import { z } from 'zod';
import type { DomainEvent, EventOf } from '../domain/events.ts';
import { consultationIdOf } from '../domain/stream-name.ts';
import { AppError } from '../errors/catalogue.ts';
import type { JsonObject } from '../store/port.ts';

/** what a reducer sees of a stored event (no store positions: views never depend on the store) */
export interface ProjectionEvent {
  streamName: string;
  revision: number;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  created: string;
  /** the event through the domain's one decode path (upcasters included); null: a type this code does not know */
  event: DomainEvent | null;
}

/**
 * A collection of documents of one shape. `name` is relative to its projection ("" for the head
 * documents); the stored collection's name carries the projection's name and version, so a new
 * version builds beside the old one. The schema is the document's one definition: its TypeScript
 * type is inferred from it, and the routes serve documents with it.
 */
export interface Collection<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
}

export function collection<T>(name: string, schema: z.ZodType<T>): Collection<T> {
  return { name, schema };
}

/** The documents of one projection, as a reducer sees them. */
export interface Docs {
  /** the document, or null; within a batch the same object for the same key (change it, then `put` it) */
  get<T>(c: Collection<T>, key: string): Promise<T | null>;
  /** stores the document (a new one, or one from `get` changed in place); `order` sorts listings (default: the order it had; 0 for a new one) */
  put<T>(c: Collection<T>, key: string, doc: T, order?: number): void;
  delete<T>(c: Collection<T>, key: string): void;
}

/** The documents of one projection, as a route reads them (what the last commit holds). */
export interface DocReader {
  /** true: these are the documents of an older version (or generation) of the view, served while the current one builds */
  readonly stale: boolean;
  get<T>(c: Collection<T>, key: string): Promise<T | null>;
  /** the documents whose key starts with `prefix`, by (order, key) */
  list<T>(c: Collection<T>, prefix: string): Promise<T[]>;
  /**
   * A page of that listing, each document with its place in it: those after `after` (the place of
   * the previous page's last document), at most `limit` of them (default: all).
   */
  listPage<T>(c: Collection<T>, prefix: string, options?: { after?: DocPlace; limit?: number }): Promise<Placed<T>[]>;
}

/** A document's place in a listing: listings go by (order, key). */
export interface DocPlace {
  order: number;
  key: string;
}

export interface Placed<T> extends DocPlace {
  doc: T;
}

/**
 * A named consumer of the log, with its own durable checkpoint in the view store: the runner hands
 * it each event at least once, in order (after a crash, the events of the batch that was not
 * committed come again), with the documents it keeps. A projection is one whose `apply` only reads
 * and writes its documents; another consumer (the mail relay) may do more, idempotently.
 */
export interface Projection {
  /** kebab-case; documents stored under another name or version are not read: that version builds from the start */
  name: string;
  version: number;
  collections: readonly Collection<unknown>[];
  apply(docs: Docs, event: ProjectionEvent): Promise<void>;
  /**
   * Where a consumer with no checkpoint yet starts: 'beginning' (default: a view must see every
   * event) or 'head' (only what is appended from its first start on: a relay never acts on the past).
   */
  startAt?: 'beginning' | 'head';
}

/** What the mail relay and other consumers are: see Projection. */
export type LogConsumer = Projection;

/**
 * Thrown by a consumer's `apply` that cannot act on an event now (the mail relay while Redis is
 * down): the runner does not stop the consumer, as it does for any other error, but drops the
 * batch, keeps the checkpoint before it and tries again with backoff, so that nothing the consumer
 * could not do is passed over. Every consumer of that runner waits meanwhile: give such a consumer
 * a runner of its own.
 */
export class ConsumerRetryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConsumerRetryError';
  }
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
  /** who gave the command that produced it (`metadata.actor`); null when the metadata names none */
  actor: EventActor | null;
}

/** An actor as event metadata names it. */
export interface EventActor {
  role: string;
  id: string;
}

export function actorOf(e: Pick<ProjectionEvent, 'metadata'>): EventActor | null {
  const actor = e.metadata['actor'];
  if (typeof actor !== 'object' || actor === null || Array.isArray(actor)) return null;
  const { role, id } = actor;
  return typeof role === 'string' && typeof id === 'string' ? { role, id } : null;
}

export function recordedAtOf(e: Pick<ProjectionEvent, 'metadata' | 'created'>): string {
  const at = e.metadata['recordedAt'];
  return typeof at === 'string' ? at : e.created;
}

/** A consultation's head document: the revision of its stream the view reflects, and the reducer's own head. */
export interface Head<H> {
  /**
   * The revision of the last event of this consultation's stream that was applied (whatever its
   * type). An event at or below it is a redelivery and is ignored.
   */
  lastRevision: number;
  view: H;
}

/** A per-consultation reducer: its documents start at the consultation's ConsultationOpened. */
export interface ConsultationReducer<H> {
  name: string;
  version: number;
  /** the head document's shape (one per consultation, small: it is read and written on every event) */
  head: z.ZodType<H>;
  /** the reducer's other collections (documents keyed "<consultation id>/<id>") */
  collections?: readonly Collection<unknown>[];
  open(event: EventOf<'ConsultationOpened'>, at: EventContext, docs: Docs): H | Promise<H>;
  /** every later event of a known type: change `head` in place (and other documents through `docs`) */
  apply(head: H, event: DomainEvent, at: EventContext, docs: Docs): void | Promise<void>;
}

/**
 * How a per-consultation view is read: from its head (and the consultation's other documents),
 * with derived fields computed now; `now` (ISO-8601) is the time of the read, for the fields that
 * depend on the time (whether a comment period is still open).
 */
export type ReadView<H, V> = (head: H, reader: DocReader, consultationId: string, now: string) => V | Promise<V>;

/**
 * A view as a route reads it: one consultation's, with the stream revision it reflects; null when
 * the view has not seen it opened. `now` is the time of the read (a route gives its request's
 * time; default: the wall clock).
 */
export interface ConsultationView<V> {
  read(reader: DocReader, consultationId: string, now?: string): Promise<{ view: V; lastRevision: number; stale: boolean } | null>;
}

export interface ConsultationProjection<H, V> extends Projection, ConsultationView<V> {
  readonly heads: Collection<Head<H>>;
  /**
   * One consultation's head (for reads of part of a view: one comment, one stakeholder), or null.
   * Read it before the other documents: the revision it gives is then never later than theirs.
   */
  head(reader: DocReader, consultationId: string): Promise<Head<H> | null>;
}

/**
 * On a stale reader (an older version's documents, served while this version builds), a document
 * this version cannot parse is not served: 503 VIEWS_REBUILDING until the new version has built.
 */
export function readable<T>(reader: DocReader, c: Collection<T>, doc: T | null, view: string): T | null {
  if (doc !== null && reader.stale && !c.schema.safeParse(doc).success) {
    throw new AppError('VIEWS_REBUILDING', `the ${view} view is being built by a new version; retry shortly`);
  }
  return doc;
}

/**
 * Wraps a per-consultation reducer as a projection over all streams:
 * - events of streams that are not `consultation-<id>` change nothing;
 * - a consultation's documents start at its ConsultationOpened; earlier events of a stream never
 *   opened are ignored;
 * - an event at or below the head's `lastRevision` is a redelivery and changes nothing, so
 *   replaying the same events twice yields the same documents;
 * - an event of an unknown type changes only `lastRevision`.
 */
export function perConsultation<H, V>(reducer: ConsultationReducer<H>, read: ReadView<H, V>): ConsultationProjection<H, V> {
  const heads: Collection<Head<H>> = { name: '', schema: z.object({ lastRevision: z.number().int(), view: reducer.head }) as z.ZodType<Head<H>> };
  return {
    name: reducer.name,
    version: reducer.version,
    heads,
    collections: [heads, ...(reducer.collections ?? [])],
    async head(reader, consultationId) {
      return readable(reader, heads, await reader.get(heads, consultationId), reducer.name);
    },
    async read(reader, consultationId, now = new Date().toISOString()) {
      const head = await this.head(reader, consultationId);
      if (!head) return null;
      return { view: await read(head.view, reader, consultationId, now), lastRevision: head.lastRevision, stale: reader.stale };
    },
    async apply(docs, e) {
      const consultationId = consultationIdOf(e.streamName);
      if (!consultationId) return;
      const head = await docs.get(heads, consultationId);
      if (head && e.revision <= head.lastRevision) return;
      const at: EventContext = { consultationId, revision: e.revision, recordedAt: recordedAtOf(e), actor: actorOf(e) };
      if (!head) {
        if (e.event?.type !== 'ConsultationOpened') return;
        docs.put(heads, consultationId, { lastRevision: e.revision, view: await reducer.open(e.event, at, docs) });
        return;
      }
      if (e.event) await reducer.apply(head.view, e.event, at, docs);
      head.lastRevision = e.revision;
      docs.put(heads, consultationId, head);
    },
  };
}

/** The key of a document of a consultation's other collections. */
export function docKey(consultationId: string, id: string): string {
  return `${consultationId}/${id}`;
}

// Time comparisons are the domain's own (ISO-8601 instants whatever their offsets).
export { isAfter as isLater, later } from '../domain/rules.ts';
import { later } from '../domain/rules.ts';

/** The held replies (by id) still awaiting a coordinator's decision after a held-reply event; other events leave them. */
export function pendingHeldAfter(pending: string[], e: DomainEvent): string[] {
  if (e.type === 'InboundReplyHeld') return pending.includes(e.data.heldId) ? pending : [...pending, e.data.heldId];
  if (e.type === 'InboundReplyAccepted' || e.type === 'InboundReplyDiscarded') return pending.filter((id) => id !== e.data.heldId);
  return pending;
}

/**
 * A stakeholder's organisation, to label what a view lists: one document per stakeholder
 * ("<consultation>/<stakeholder id>", in a collection of the view's own) rather than a list in the
 * head, which every event rewrites.
 */
export const OrganisationLabels = collection('organisations', z.object({ stakeholderId: z.string(), organisation: z.string() }));

/** Keeps the organisation labels up to date with an invitation (the first one stands) or a rename; other events leave them. */
export async function labelOrganisation(docs: Docs, consultationId: string, e: DomainEvent): Promise<void> {
  if (e.type !== 'StakeholderInvited' && e.type !== 'StakeholderDetailsChanged') return;
  const key = docKey(consultationId, e.data.stakeholderId);
  const known = await docs.get(OrganisationLabels, key);
  if (e.type === 'StakeholderInvited') {
    if (!known) docs.put(OrganisationLabels, key, { stakeholderId: e.data.stakeholderId, organisation: e.data.organisation });
  } else if (known && e.data.organisation !== undefined) {
    known.organisation = e.data.organisation;
    docs.put(OrganisationLabels, key, known);
  }
}

/** The organisations of a consultation's stakeholders, by stakeholder id (`view` names the view for VIEWS_REBUILDING). */
export async function readOrganisations(reader: DocReader, consultationId: string, view: string): Promise<Map<string, string>> {
  const labels = await reader.list(OrganisationLabels, `${consultationId}/`);
  return new Map(labels.map((l) => {
    const { stakeholderId, organisation } = readable(reader, OrganisationLabels, l, view)!;
    return [stakeholderId, organisation];
  }));
}

/** One stakeholder's organisation, or null when the view does not know it. */
export async function readOrganisation(reader: DocReader, consultationId: string, stakeholderId: string, view: string): Promise<string | null> {
  return readable(reader, OrganisationLabels, await reader.get(OrganisationLabels, docKey(consultationId, stakeholderId)), view)?.organisation ?? null;
}

/** The later of an instant that may not be set yet and another. */
export function latest(current: string | null, value: string): string {
  return current === null ? value : later(current, value);
}
