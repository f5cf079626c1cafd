// The production adapter of the event store port: EventStoreDB (or KurrentDB, same protocol)
// through @eventstore/db-client. Semantics are the port's, which were shaped by EventStoreDB.
import {
  ANY, BACKWARDS, END, EventStoreDBClient, FORWARDS, jsonEvent, NO_STREAM, START, STREAM_EXISTS,
  type AppendExpectedRevision, type ReadPosition,
} from '@eventstore/db-client';
import type { Logger } from 'pino';
import {
  SubscriptionDroppedError, WrongExpectedVersionError,
  type AppendResult, type EventData, type EventStore, type ExpectedRevision, type Position, type ReadAllOptions,
  type RecordedEvent, type SubscribeOptions, type Subscription,
} from '../port.ts';
import { EventStoreUnavailableError, isConnectionError, redactedUrl } from './connection.ts';
import { esdbPositions, pairOf, positionOf } from './position.ts';
import { isSystemEvent, toRecordedEvent, type ClientEvent } from './records.ts';
import { EsdbSubscription } from './subscription.ts';

export interface EsdbEventStoreOptions {
  /** esdb://host:2113?tls=false, esdb+discover://a:2113,b:2113,c:2113, … */
  url: string;
  logger?: Logger;
  /** gRPC deadline for single calls (default 10 s) */
  deadlineMs?: number;
  /** first resubscribe backoff after a dropped subscription (default 100 ms, doubling, at most 5 s) */
  resubscribeBackoffMs?: number;
}

/** How many $all events a backwards scan for a prefix's head looks at per page. */
const HEAD_SCAN_PAGE = 200;

export class EsdbEventStore implements EventStore {
  readonly positions = esdbPositions;
  readonly location: string;
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new Set<EsdbSubscription>();

  constructor(private readonly options: EsdbEventStoreOptions) {
    this.location = redactedUrl(options.url);
    try {
      this.client = EventStoreDBClient.connectionString(options.url);
    } catch (error) {
      throw new Error(`EVENTSTORE_URL ${this.location} is not a valid connection string: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Connects and checks the server answers, with a clear error naming the URL (without credentials). */
  static async open(options: EsdbEventStoreOptions): Promise<EsdbEventStore> {
    const store = new EsdbEventStore(options);
    try {
      await store.ping();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async append(streamName: string, events: EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      const result = await this.call(() => this.client.appendToStream(
        streamName,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
        { expectedRevision: toClientExpected(expected) },
      ));
      if (!result.position) throw new Error('EventStoreDB returned no position for the append (server older than 21.10?)');
      return { nextExpectedRevision: Number(result.nextExpectedRevision), position: positionOf(result.position) };
    } catch (error) {
      const e = error as { type?: string; actualVersion?: unknown };
      if (e.type === 'wrong-expected-version') {
        const actual = typeof e.actualVersion === 'bigint' ? Number(e.actualVersion) : 'no_stream';
        throw new WrongExpectedVersionError(streamName, expected, actual === -1 ? 'no_stream' : actual);
      }
      throw error;
    }
  }

  async readStream(streamName: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    try {
      await this.call(async () => {
        const read = this.client.readStream(streamName, {
          fromRevision: options.fromRevision ? BigInt(options.fromRevision) : START,
          direction: FORWARDS,
          ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
        });
        for await (const resolved of read) out.push(toRecordedEvent(resolved as ClientEvent));
      });
    } catch (error) {
      if ((error as { type?: string }).type === 'stream-not-found') return [];
      throw error;
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const from = options.from ?? 'start';
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const wanted = options.types === undefined ? null : new Set(options.types);
    const keep = (e: RecordedEvent) => wanted === null || wanted.has(e.type);
    if (options.streamPrefix !== undefined) return this.readAllFiltered(from, options.streamPrefix, max, keep);
    const out: RecordedEvent[] = [];
    // $all holds the server's own ($-prefixed) events too: read in pages until `max` of ours or the end
    const page = Math.min(max + 1, 4096);
    let after: { commit: bigint; prepare: bigint } | null = from === 'start' ? null : pairOf(from);
    for (let full = true; full && out.length < max; ) {
      let seen = 0;
      let last: { commit: bigint; prepare: bigint } | null = null;
      await this.call(async () => {
        for await (const resolved of this.client.readAll({ fromPosition: after ?? START, direction: FORWARDS, maxCount: page })) {
          seen++;
          const r = resolved as ClientEvent;
          const at = r.event?.position;
          // the port reads after `from`; a forwards $all read from a position includes the event at it
          if (at && after && esdbPositions.compare(positionOf(at), positionOf(after)) <= 0) continue;
          if (at) last = at;
          // never break out early: an unfinished read keeps its gRPC call open (and dispose() waiting)
          if (!isSystemEvent(r) && out.length < max) {
            const e = toRecordedEvent(r);
            if (keep(e)) out.push(e);
          }
        }
      });
      full = seen === page && last !== null;
      if (last) after = last;
    }
    return out;
  }

  /**
   * The client's readAll has no server-side filter (v6), so a filtered read is a filtered catch-up
   * subscription that stops once caught up (or at maxCount).
   */
  private async readAllFiltered(from: Position | 'start', streamPrefix: string, max: number, keep: (e: RecordedEvent) => boolean): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    if (max <= 0) return out;
    const sub = this.openSubscription({ from, streamPrefix }, false);
    try {
      for await (const message of sub) {
        if (message.kind === 'caught-up') break;
        if (!keep(message.event)) continue;
        out.push(message.event);
        if (out.length >= max) break;
      }
    } catch (error) {
      // a dropped read is the server's doing; anything else (a bad position, a bug) stays what it is
      const cause = error instanceof SubscriptionDroppedError ? error.cause : error;
      if (error instanceof SubscriptionDroppedError || isConnectionError(cause)) throw new EventStoreUnavailableError(this.options.url, cause);
      throw error;
    } finally {
      await sub.close();
    }
    return out;
  }

  async headPosition(options: { streamPrefix?: string } = {}): Promise<Position | null> {
    return this.call(async () => {
      let from: ReadPosition = END;
      for (;;) {
        const page: ClientEvent[] = [];
        // read whole pages (breaking out early would leave the gRPC call open)
        for await (const resolved of this.client.readAll({ fromPosition: from, direction: BACKWARDS, maxCount: HEAD_SCAN_PAGE })) {
          page.push(resolved as ClientEvent);
        }
        const match = page.find((r) => !isSystemEvent(r) && (options.streamPrefix === undefined || r.event!.streamId.startsWith(options.streamPrefix)));
        if (match) return toRecordedEvent(match).position;
        const oldest = page.at(-1)?.event?.position;
        if (page.length < HEAD_SCAN_PAGE || !oldest) return null;
        from = oldest; // a backwards read from a position starts before it
      }
    });
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    return this.openSubscription(options, true);
  }

  private openSubscription(options: SubscribeOptions, resubscribe: boolean): Subscription {
    const sub = new EsdbSubscription(this.client, {
      resubscribe,
      from: options.from ?? 'start',
      streamPrefix: options.streamPrefix,
      head: () => this.headPosition(options.streamPrefix !== undefined ? { streamPrefix: options.streamPrefix } : {}),
      ...(this.options.logger ? { logger: this.options.logger } : {}),
      ...(this.options.resubscribeBackoffMs !== undefined ? { initialBackoffMs: this.options.resubscribeBackoffMs } : {}),
    });
    this.subscriptions.add(sub);
    const close = sub.close.bind(sub);
    sub.close = async () => {
      this.subscriptions.delete(sub);
      await close();
    };
    return sub;
  }

  async ping(): Promise<void> {
    await this.call(async () => {
      for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: this.options.deadlineMs ?? 10_000 })) {
        // consume the one event: the read must finish for the call to close
      }
    });
  }

  /**
   * A read that only the leader may answer: only a leader takes writes (acknowledged once a
   * majority of the cluster has them), and a cluster without one (no quorum) fails this call. It
   * stands for "takes writes" without appending probe events that every reader of $all would page past.
   */
  async probeWrite(): Promise<void> {
    await this.call(async () => {
      for await (const _ of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, requiresLeader: true, deadline: this.options.deadlineMs ?? 10_000 })) {
        // consume the one event: the read must finish for the call to close
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    // dispose() waits for every call to finish; do not let one stuck call hold shutdown
    await Promise.race([this.client.dispose(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  /** Runs a client call, turning "cannot reach the server" into an error that names the URL. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isConnectionError(error)) throw new EventStoreUnavailableError(this.options.url, error);
      throw error;
    }
  }
}

function toClientExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream': return NO_STREAM;
    case 'stream_exists': return STREAM_EXISTS;
    case 'any': return ANY;
    default: return BigInt(expected);
  }
}
