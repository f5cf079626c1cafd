// A catch-up subscription to all consultation streams on EventStoreDB, behind the port.
//
// The client's subscription is a Node Transform stream. It is read in flowing mode into a queue of
// our own, so the server's caught-up message keeps its place between events, and the consumer's
// `for await` takes one message at a time (never overlapping async handlers). When the queue is
// long the stream is paused (backpressure). A dropped subscription (server restart, network blip)
// resubscribes from the last delivered position with exponential backoff, and logs it.
import { START, streamNameFilter, type AllStreamSubscription, type EventStoreDBClient } from '@eventstore/db-client';
import type { Logger } from 'pino';
import { SubscriptionDroppedError, type Position, type ReadFrom, type RecordedEvent, type Subscription, type SubscriptionMessage, type SubscriptionStatus } from '../port.ts';
import { esdbPositions, pairOf, positionOf } from './position.ts';
import { isSystemEvent, toRecordedEvent, type ClientEvent } from './records.ts';

const HIGH_WATER = 1000;
const LOW_WATER = 100;
const MAX_BACKOFF_MS = 5000;

export interface EsdbSubscriptionOptions {
  from: ReadFrom;
  streamPrefix: string | undefined;
  /** the server's last position when we subscribed, for servers that send no caught-up message */
  head: () => Promise<Position | null>;
  logger?: Logger;
  /** first backoff after a drop (doubles per attempt, at most 5 s) */
  initialBackoffMs?: number;
  /** false: a drop ends the iteration with SubscriptionDroppedError instead of resubscribing */
  resubscribe?: boolean;
}

type Item = SubscriptionMessage | { kind: 'dropped'; error: unknown };

export class EsdbSubscription implements Subscription {
  private readonly queue: Item[] = [];
  private wake: (() => void) | null = null;
  private current: AllStreamSubscription | null = null;
  private last: Position | null;
  private state: SubscriptionStatus['state'] = 'catching-up';
  private reconnects = 0;
  private caughtUpSent = false;
  private closed = false;
  private iterator: AsyncGenerator<SubscriptionMessage, void, undefined> | null = null;

  constructor(private readonly client: EventStoreDBClient, private readonly options: EsdbSubscriptionOptions) {
    this.last = options.from === 'start' ? null : options.from;
  }

  status(): SubscriptionStatus {
    return { state: this.closed ? 'closed' : this.state, lastPosition: this.last, reconnects: this.reconnects };
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    this.iterator ??= this.run();
    return this.iterator;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const current = this.current;
    this.current = null;
    this.wake?.();
    if (current) await current.unsubscribe().catch(() => undefined);
  }

  private async *run(): AsyncGenerator<SubscriptionMessage, void, undefined> {
    let attempt = 0;
    try {
      while (!this.closed) {
        await this.subscribe();
        for (;;) {
          const item = await this.next();
          if (item === null) return; // closed
          if (item.kind === 'dropped') {
            if (this.closed) return;
            if (this.options.resubscribe === false) {
              throw new SubscriptionDroppedError(`EventStoreDB subscription dropped: ${String(item.error)}`, { cause: item.error });
            }
            this.state = 'reconnecting';
            const delay = Math.min(MAX_BACKOFF_MS, (this.options.initialBackoffMs ?? 100) * 2 ** attempt++);
            this.options.logger?.warn(
              { err: item.error, from: this.last ? esdbPositions.serialise(this.last) : 'start', delayMs: delay },
              'EventStoreDB subscription dropped; resubscribing',
            );
            await sleep(delay);
            this.reconnects++;
            break;
          }
          if (item.kind === 'event') {
            attempt = 0;
            this.last = item.event.position;
          } else {
            if (this.caughtUpSent) continue; // after a resubscribe: the port signals caught-up once
            this.caughtUpSent = true;
          }
          yield item;
          if (this.queue.length < LOW_WATER && this.current?.isPaused()) this.current.resume();
        }
      }
    } finally {
      await this.close();
    }
  }

  private async subscribe(): Promise<void> {
    this.queue.length = 0;
    this.pendingMarkers = [];
    this.state = 'catching-up';
    const from = this.last;
    const head = await this.options.head().catch(() => undefined);
    if (this.closed) return; // closed while looking up the head: subscribe to nothing
    let reachedHead = head === null || (head !== undefined && from !== null && esdbPositions.compare(from, head) >= 0);
    const markCaughtUp = (buffered: number) => {
      if (this.state !== 'live') {
        this.state = 'live';
        this.enqueueAfter(buffered, { kind: 'caught-up' });
      }
    };
    const sub = this.client.subscribeToAll({
      fromPosition: from === null ? START : pairOf(from),
      ...(this.options.streamPrefix !== undefined
        ? {
            filter: streamNameFilter({
              prefixes: [this.options.streamPrefix],
              checkpointInterval: 1,
              // A checkpoint at or past the head also means caught up, on servers that do not say so.
              checkpointReached: (s, position) => {
                if (head && !reachedHead && esdbPositions.compare(positionOf(position), head) >= 0) {
                  reachedHead = true;
                  markCaughtUp(s.readableLength);
                }
              },
            }),
          }
        : {}),
    });
    this.current = sub;
    sub.on('caughtUp', () => markCaughtUp(sub.readableLength));
    sub.on('data', (raw: unknown) => {
      if (isSystemEvent(raw as ClientEvent)) return;
      const event: RecordedEvent = toRecordedEvent(raw as ClientEvent);
      this.push({ kind: 'event', event });
      if (head && !reachedHead && esdbPositions.compare(event.position, head) >= 0) {
        reachedHead = true;
        markCaughtUp(0);
      }
      if (this.queue.length >= HIGH_WATER) sub.pause();
    });
    const dropped = (error: unknown) => {
      if (this.current !== sub) return;
      this.current = null;
      void sub.unsubscribe().catch(() => undefined);
      this.push({ kind: 'dropped', error });
    };
    sub.on('error', dropped);
    sub.on('end', () => dropped(new Error('the server ended the subscription')));
    sub.on('close', () => dropped(new Error('the subscription stream closed')));
    if (reachedHead) markCaughtUp(0);
  }

  /** A marker that must follow `buffered` events still inside the client's stream buffer. */
  private pendingMarkers: { remaining: number; item: Item }[] = [];

  private enqueueAfter(buffered: number, item: Item): void {
    if (buffered <= 0) this.push(item);
    else this.pendingMarkers.push({ remaining: buffered, item });
  }

  private push(item: Item): void {
    this.queue.push(item);
    if (item.kind === 'event') {
      for (const marker of this.pendingMarkers) marker.remaining--;
      const due = this.pendingMarkers.filter((m) => m.remaining <= 0);
      this.pendingMarkers = this.pendingMarkers.filter((m) => m.remaining > 0);
      for (const m of due) this.queue.push(m.item);
    }
    this.wake?.();
  }

  private async next(): Promise<Item | null> {
    while (this.queue.length === 0) {
      if (this.closed) return null;
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = null;
    }
    if (this.closed) return null;
    return this.queue.shift()!;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
