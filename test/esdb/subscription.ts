// PROTOCOL TEST DOUBLE — part of test/esdb/test-server.ts, not an EventStoreDB implementation.
// Streams.Read in subscription mode over $all: confirmation, catch-up from a position, caught-up,
// then live events as they are appended, with an optional server-side filter and its checkpoints.
// Behaviour follows https://developers.eventstore.com/clients/grpc/subscriptions.html and, where
// the page is silent, the server's gRPC enumerators (EventStore/EventStore,
// src/EventStore.Core/Services/Transport/Grpc/Enumerators.AllSubscription*.cs).
import * as grpc from '@grpc/grpc-js';
import type { EventLog, StoredEvent } from './event-log.ts';
import {
  AllOptionCase,
  caughtUpMessage,
  checkpointMessage,
  confirmationMessage,
  eventMessage,
  positionOf,
  type ReadOptions,
  type ReadReq,
  type ReadRespMessage,
} from './wire.ts';

export type ReadCall = grpc.ServerWritableStream<ReadReq, ReadRespMessage>;

export interface ActiveSubscription {
  /** ends the call with this status, as the server does when it drops a subscription */
  drop(code: grpc.status, details: string): void;
}

export interface SubscriptionFilter {
  matches(e: StoredEvent): boolean;
  /** checkpoint every `interval` events considered (read and filtered), matching or not */
  interval: number;
}

/**
 * Writes one message, waiting for the transport to drain when its buffer is full, so a slow
 * client holds the sender back instead of the double buffering without bound.
 * Resolves false once the call is over.
 */
export async function send(call: ReadCall, message: ReadRespMessage, closed: AbortSignal): Promise<boolean> {
  if (closed.aborted) return false;
  if (call.write(message)) return true;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      closed.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    closed.addEventListener('abort', done);
  });
  return !closed.aborted;
}

/**
 * Where delivery starts. From a position the subscription is exclusive: "The positions provided
 * to the subscriptions are exclusive" (subscriptions.html, "Subscribing from a specific
 * position"). The server implements that by reading one event forward from the position (a
 * forward read includes the record at exactly that position) and continuing after it, so a
 * position that is not an event's own position skips the first event after it. This double does
 * the same; pass positions taken from events or checkpoints.
 */
function startIndex(log: EventLog, options: ReadOptions): number {
  const all = options.getAll();
  switch (all?.getAllOptionCase()) {
    case AllOptionCase.END:
      return log.all.length;
    case AllOptionCase.POSITION: {
      const first = log.firstIndexAtOrAfter(positionOf(all.getPosition()));
      return Math.min(first + 1, log.all.length);
    }
    default:
      return 0;
  }
}

export function runAllSubscription(
  call: ReadCall,
  log: EventLog,
  options: ReadOptions,
  filter: SubscriptionFilter | undefined,
  structuredUuid: boolean,
  registry: Set<ActiveSubscription>,
): void {
  const closed = new AbortController();
  let wake: (() => void) | undefined;
  const stopWaiting = (): void => {
    wake?.();
    wake = undefined;
  };
  const subscription: ActiveSubscription = {
    drop(code, details) {
      if (closed.signal.aborted) return;
      close();
      // grpc-js ends the call with the status of an 'error' emitted on it
      call.emit('error', Object.assign(new Error(details), { code, details }));
    },
  };
  const stopListening = log.onAppend(stopWaiting);
  const close = (): void => {
    if (closed.signal.aborted) return;
    closed.abort();
    stopListening();
    registry.delete(subscription);
    stopWaiting();
  };
  registry.add(subscription);
  call.on('cancelled', close); // the client unsubscribed, or the connection went away
  call.on('close', close);

  const pump = async (): Promise<void> => {
    // The server confirms the subscription before it sends anything else.
    if (!(await send(call, confirmationMessage(), closed.signal))) return;
    let index = startIndex(log, options);
    let caughtUp = false;
    let considered = 0;
    while (!closed.signal.aborted) {
      const e = log.all[index];
      if (e !== undefined) {
        index += 1;
        if (!filter || filter.matches(e)) {
          if (!(await send(call, eventMessage(e, { fromAll: true, structuredUuid }), closed.signal))) return;
        }
        if (filter) {
          considered += 1;
          // Filtered subscriptions report progress through non-matching stretches
          // (subscriptions.html, "Checkpointing"): a checkpoint every checkpointInterval ×
          // maxSearchWindow events considered (the window defaults to 32).
          // Its position is that of the last event considered, so resubscribing from it
          // (exclusive) misses nothing.
          if (considered >= filter.interval) {
            considered = 0;
            if (!(await send(call, checkpointMessage(e.position), closed.signal))) return;
          }
        }
        continue;
      }
      if (!caughtUp) {
        // Caught up with the end of $all: from now on events are live. The server sends the
        // CaughtUp message once (23.10 and later; older servers send nothing).
        caughtUp = true;
        if (!(await send(call, caughtUpMessage(), closed.signal))) return;
        continue;
      }
      // Live: wait for the next append (onAppend) or for the call to end.
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  pump().catch((error: unknown) => {
    subscription.drop(grpc.status.UNKNOWN, error instanceof Error ? error.message : String(error));
  });
}
