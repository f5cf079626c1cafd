// A store whose subscriptions deliver every live event late, as a busy process or a remote
// EventStoreDB would: a response that did not wait for its views would miss its own write.
import type { EventStore, SubscribeOptions, Subscription, SubscriptionMessage } from '../../src/store/port.ts';

export function withSlowSubscriptions(store: EventStore, delayMs: number): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'subscribeToAll') return Reflect.get(target, property, receiver);
      return (options?: SubscribeOptions): Subscription => {
        const inner = target.subscribeToAll(options);
        let live = false;
        return {
          status: () => inner.status(),
          close: () => inner.close(),
          async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
            for await (const message of inner) {
              if (message.kind === 'caught-up') live = true;
              else if (live) await new Promise((resolve) => setTimeout(resolve, delayMs));
              yield message;
            }
          },
        };
      };
    },
  });
}
