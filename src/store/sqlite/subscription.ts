// A catch-up subscription to all streams: pages through history, says 'caught-up' once, then
// waits for changes and reads what is new. One message at a time (an async generator only reads
// on when the consumer asks for the next message).
import { SubscriptionDroppedError, type RecordedEvent, type Subscription, type SubscriptionMessage, type SubscriptionStatus } from '../port.ts';
import type { ChangeNotifier, ChangeToken } from './change-notifier.ts';
import { ORIGIN_SEQUENCE, positionAt, sequenceOf } from './position.ts';

export interface SubscriptionSource {
  /** events after `afterSequence` in global order, at most `limit` */
  readPage(afterSequence: number, streamPrefix: string | undefined, limit: number): RecordedEvent[];
  readonly changes: ChangeNotifier;
}

const PAGE_SIZE = 500;

export class SqliteSubscription implements Subscription {
  private closed = false;
  private live = false;
  private lastSequence: number;
  private readonly stop = new AbortController();
  private iterator: AsyncGenerator<SubscriptionMessage, void, undefined> | null = null;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly afterSequence: number,
    private readonly streamPrefix: string | undefined,
    private readonly onClosed: (subscription: SqliteSubscription) => void,
  ) {
    this.lastSequence = afterSequence;
  }

  status(): SubscriptionStatus {
    return {
      state: this.closed ? 'closed' : this.live ? 'live' : 'catching-up',
      lastPosition: this.lastSequence === ORIGIN_SEQUENCE ? null : positionAt(this.lastSequence),
      reconnects: 0,
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    this.iterator ??= this.run();
    return this.iterator;
  }

  /** Ends the iteration cleanly: a pending or later next() returns done. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stop.abort();
    this.onClosed(this);
  }

  private async *run(): AsyncGenerator<SubscriptionMessage, void, undefined> {
    let after = this.afterSequence;
    try {
      // Catch-up: whole pages until a short one.
      for (let full = true; full; ) {
        if (this.closed) return;
        const page = this.read(() => this.source.readPage(after, this.streamPrefix, PAGE_SIZE));
        for (const event of page) {
          if (this.closed) return;
          after = sequenceOf(event.position);
          this.lastSequence = after;
          yield { kind: 'event', event };
        }
        full = page.length === PAGE_SIZE;
      }
      if (this.closed) return;
      this.live = true;
      yield { kind: 'caught-up' };
      // Live.
      while (!this.closed) {
        const token: ChangeToken = this.read(() => this.source.changes.snapshot());
        const page = this.read(() => this.source.readPage(after, this.streamPrefix, PAGE_SIZE));
        for (const event of page) {
          if (this.closed) return;
          after = sequenceOf(event.position);
          this.lastSequence = after;
          yield { kind: 'event', event };
        }
        if (page.length === 0) await this.source.changes.wait(token, this.stop.signal);
      }
    } finally {
      await this.close();
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      throw new SubscriptionDroppedError(`subscription to all streams dropped: ${String(cause)}`, { cause });
    }
  }
}
