// The event store port. Its semantics mirror EventStoreDB (not SQLite), so that every adapter
// promises exactly what the production store promises and nothing more:
// - per-stream revisions start at 0; an append states what it expects of the stream;
// - a global order over all streams, whose position is opaque: compare/serialise/parse it through
//   the store's `positions` codec, never as a number;
// - reading or subscribing to all streams "from" a position starts AFTER it (exclusive);
// - no cross-stream transactions; event-id de-duplication only for a retry at the same
//   expected revision (command idempotency lives in the domain state, not here).

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What an append expects of the stream: that it does not exist, that it exists, anything, or its exact current revision. */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

/** An event to append. `id` is a UUID chosen by the caller (the command handler derives it from the command id). */
export interface EventData {
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

declare const positionBrand: unique symbol;
/** A global position. Opaque: use the store's `positions` codec to compare, serialise or parse it. */
export interface Position {
  readonly [positionBrand]: true;
}

export interface PositionCodec {
  /** negative when a is before b, 0 when equal, positive when after */
  compare(a: Position, b: Position): number;
  /** a string that `parse` turns back into the same position */
  serialise(p: Position): string;
  /** throws InvalidPositionError on a string that `serialise` did not produce */
  parse(s: string): Position;
  /**
   * How far `to` is ahead of `from`, in the store's own unit (events on SQLite, bytes of the
   * transaction log on EventStoreDB); 0 when it is not ahead. For health details, not arithmetic.
   */
  distance(from: Position, to: Position): number;
}

export interface RecordedEvent {
  streamName: string;
  revision: number;
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
  position: Position;
  /** when the store recorded it, ISO-8601 UTC */
  created: string;
  /**
   * Set when the stored bytes of data or metadata cannot be read as JSON objects: says why, and
   * data and metadata are then {}. Adapters never throw for one damaged event, so one bad row
   * cannot stop a read of the others; the fold and the views treat it as a damaged history.
   */
  unreadable?: string;
  /**
   * The stored JSON text of data and metadata, where the adapter keeps it as text (SQLite). The
   * hash check reads it instead of serialising the parsed values again (audit/hash-chain.ts).
   */
  stored?: StoredText;
}

export interface StoredText {
  data: string;
  metadata: string;
}

export interface AppendResult {
  /** the stream's revision after the append (the last appended event's revision) */
  nextExpectedRevision: number;
  /** the global position of the last appended event */
  position: Position;
}

/** 'start' reads from the very beginning; a Position reads from just AFTER it. */
export type ReadFrom = 'start' | Position;

export interface ReadAllOptions {
  from?: ReadFrom;
  /** only streams whose name starts with this prefix (server-side filter on EventStoreDB) */
  streamPrefix?: string;
  /**
   * only events of these types (maxCount counts those): a scan for a rare type (erasures at start)
   * skips decoding the rest (SQLite: filtered in SQL; EventStoreDB: as read)
   */
  types?: readonly string[];
  maxCount?: number;
}

export interface SubscribeOptions {
  from?: ReadFrom;
  streamPrefix?: string;
}

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  /** sent once, when the subscription has delivered everything that existed when it caught up */
  | { kind: 'caught-up' };

export interface SubscriptionStatus {
  /** live: caught up and connected; reconnecting: dropped and resubscribing (EventStoreDB) */
  state: 'catching-up' | 'live' | 'reconnecting' | 'closed';
  /** the position of the last event delivered, or where it started; null from the start */
  lastPosition: Position | null;
  /** how many times it resubscribed after a drop */
  reconnects: number;
}

/**
 * A catch-up subscription: iterate it with `for await` (one message at a time; the next is not
 * read until the loop body finishes). It delivers the history after `from`, then `caught-up`, then
 * live events. If the subscription drops, the iteration throws SubscriptionDroppedError.
 * `close()` ends the iteration cleanly.
 */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  status(): SubscriptionStatus;
  close(): Promise<void>;
}

export interface EventStore {
  readonly positions: PositionCodec;
  append(streamName: string, events: EventData[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order, from `fromRevision` (inclusive, default 0). A stream that does not exist reads as []. */
  readStream(streamName: string, options?: { fromRevision?: number; maxCount?: number }): Promise<RecordedEvent[]>;
  /** Events of all (matching) streams in global order, after `from`. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The position of the last event in the store (matching the prefix, if given), or null when it is empty. */
  headPosition(options?: { streamPrefix?: string }): Promise<Position | null>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** A cheap round-trip proving the store answers; throws when it does not. */
  ping(): Promise<void>;
  /**
   * A cheap write outside every stream, proving the store takes writes (after a full disk, say);
   * throws EventStoreUnavailableError when it does not. Appends nothing that reads return.
   */
  probeWrite(): Promise<void>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** the stream's actual revision, or 'no_stream' */
    readonly actual: number | 'no_stream',
  ) {
    super(`append to ${streamName} expected ${String(expected)} but the stream is at ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

export class SubscriptionDroppedError extends Error {
  readonly code = 'SUBSCRIPTION_DROPPED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SubscriptionDroppedError';
  }
}

export class InvalidPositionError extends Error {
  readonly code = 'INVALID_POSITION';
  constructor(text: string) {
    super(`not a position of this store: ${JSON.stringify(text)}`);
    this.name = 'InvalidPositionError';
  }
}

// The stream-name convention is the domain's; the stores and the CLI filter on it.
export { CONSULTATION_STREAM_PREFIX } from '../domain/stream-name.ts';
