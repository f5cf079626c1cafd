// The event store as the rest of the product sees it: every event read through it carries the key
// store (under a symbol, which JSON never serialises), so the one decode path (domain/decode.ts)
// can open the sealed personal values it holds; the command handler finds the key store here to
// seal what it appends. The stored bytes are untouched: the hash chain, the export and the
// verifier see exactly what was written.
import type {
  AppendResult, EventData, EventStore, ExpectedRevision, Position, ReadAllOptions, RecordedEvent, Subscription, SubscribeOptions, SubscriptionMessage,
} from '../store/port.ts';
import type { KeyStore } from './key-store.ts';
import { PERSONAL_EVENT_TYPES, sealedKeyIds } from './personal-fields.ts';
import { ERASED, keyLabel, UNREADABLE, unseal, type SealedValue } from './sealed.ts';

const KEYS = Symbol('personal-keys');

/** What the decode path needs of a key store: the key, null when destroyed, undefined when unknown. */
export interface KeyReader {
  get(keyId: string): Buffer | null | undefined;
}

/** The key store an event was read with, if any. */
export function keysOf(e: object): KeyReader | undefined {
  return (e as { [KEYS]?: KeyReader })[KEYS];
}

/** The event read with these keys (one that came from elsewhere, such as an export or the events route, which carry none). */
export function withKeys<T extends object>(e: T, keys: KeyReader): T {
  Object.defineProperty(e, KEYS, { value: keys, enumerable: false, configurable: true, writable: true });
  return e;
}

/** How a sealed value reads with these keys: its value; [erased] once its key is destroyed; its key id where there are no keys. */
export function openerFor(keys: KeyReader | undefined): (v: SealedValue) => string {
  return (v) => {
    if (!keys) return keyLabel(v.keyId);
    const key = keys.get(v.keyId);
    if (key === null) return ERASED;
    if (key === undefined) return keyLabel(v.keyId);
    try {
      return unseal(v, key);
    } catch {
      return UNREADABLE;
    }
  };
}

// not enumerable: equality checks and spreads of an event see only what was stored
function attach(e: RecordedEvent, keys: KeyReader): RecordedEvent {
  return withKeys(e, keys);
}

/** Notes the keys a PersonalDataErased event names (the log is the record of an erasure, ahead of the key store). */
function noteErased(e: RecordedEvent, erased: Set<string>): void {
  if (e.type !== 'PersonalDataErased') return;
  const ids = e.data['keyIds'];
  if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') erased.add(id);
}

export class PersonalDataStore implements EventStore {
  /**
   * The keys that PersonalDataErased events read through this store named: they read as destroyed
   * whatever the key store says (the erasing process, maybe another replica, records the erasure
   * before it destroys the keys, and a shared key store's cache may not have heard of it yet).
   */
  private readonly erased = new Set<string>();
  private readonly reader: KeyReader;

  constructor(readonly inner: EventStore, readonly personalKeys: KeyStore) {
    this.reader = { get: (keyId) => (this.erased.has(keyId) ? null : personalKeys.get(keyId)) };
  }

  get positions() {
    return this.inner.positions;
  }

  append(streamName: string, events: EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(streamName, events, expected);
  }

  async readStream(streamName: string, options?: { fromRevision?: number; maxCount?: number }): Promise<RecordedEvent[]> {
    return this.withKeys(await this.inner.readStream(streamName, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.withKeys(await this.inner.readAll(options));
  }

  headPosition(options?: { streamPrefix?: string }): Promise<Position | null> {
    return this.inner.headPosition(options);
  }

  subscribeToAll(options?: SubscribeOptions): Subscription {
    const inner = this.inner.subscribeToAll(options);
    const keys = this.personalKeys;
    const { erased, reader } = this;
    return {
      status: () => inner.status(),
      close: () => inner.close(),
      async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
        for await (const m of inner) {
          if (m.kind === 'event') {
            noteErased(m.event, erased);
            if (PERSONAL_EVENT_TYPES.has(m.event.type)) {
              await keys.load(sealedKeyIds(m.event.data));
              attach(m.event, reader);
            }
          }
          yield m;
        }
      },
    };
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  probeWrite(): Promise<void> {
    return this.inner.probeWrite();
  }

  /** Closes the event store and the key store (it owns both). */
  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.personalKeys.close();
    }
  }

  private async withKeys(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const ids = new Set<string>();
    for (const e of events) {
      noteErased(e, this.erased);
      if (PERSONAL_EVENT_TYPES.has(e.type)) sealedKeyIds(e.data, ids);
    }
    if (ids.size > 0) await this.personalKeys.load(ids);
    for (const e of events) attach(e, this.reader);
    return events;
  }
}

/** The key store of a store opened through PersonalDataStore, if it was. */
export function personalKeysOf(store: EventStore): KeyStore | undefined {
  return store instanceof PersonalDataStore ? store.personalKeys : undefined;
}
