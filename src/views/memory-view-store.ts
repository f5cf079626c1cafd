// The in-memory adapter of the view store port, for tests. It keeps documents as JSON text and
// parses them on every read, so callers never share objects with the store (as with the others),
// and it checks and orders exactly as the persistent adapters do (validate.ts).
import { ChangeSignal, waitForCheckpointLoop } from './wait-for-checkpoint.ts';
import {
  checkListOptions, checkMoves, checkName, checkPrefix, checkText, checkTimeout, compareKeys, normaliseChanges, parseDoc,
} from './validate.ts';
import {
  CheckpointConflictError, ViewStoreClosedError, WriterLostError,
  type Checkpoint, type CheckpointMove, type ListOptions, type ViewChange, type ViewDoc, type ViewStore, type WriterLease,
} from './view-store.ts';
import { Lease, LocalLocks } from './writer-lease.ts';

interface StoredDoc {
  order: number;
  json: string;
}

export class MemoryViewStore implements ViewStore {
  private readonly collections = new Map<string, Map<string, StoredDoc>>();
  private readonly checkpoints = new Map<string, Checkpoint>();
  private readonly meta = new Map<string, string>();
  private readonly locks = new LocalLocks();
  private readonly leases = new Set<Lease>();
  private readonly changes = new ChangeSignal();
  private readonly closing = new AbortController();

  async get(collection: string, key: string): Promise<ViewDoc | null> {
    this.assertOpen();
    checkName('collection', collection);
    checkName('key', key);
    const stored = this.collections.get(collection)?.get(key);
    return stored ? { key, order: stored.order, doc: parseDoc(stored.json) } : null;
  }

  async list(collection: string, options?: ListOptions): Promise<ViewDoc[]> {
    this.assertOpen();
    checkName('collection', collection);
    const { prefix, after, limit } = checkListOptions(options);
    const docs = [...(this.collections.get(collection) ?? new Map<string, StoredDoc>())]
      .filter(([key, d]) => {
        if (prefix !== null && !key.startsWith(prefix)) return false;
        return after === null || d.order > after.order || (d.order === after.order && compareKeys(key, after.key) > 0);
      })
      .sort(([ka, a], [kb, b]) => a.order - b.order || compareKeys(ka, kb));
    return docs.slice(0, limit ?? docs.length).map(([key, d]) => ({ key, order: d.order, doc: parseDoc(d.json) }));
  }

  async count(collection: string, prefix?: string): Promise<number> {
    this.assertOpen();
    checkName('collection', collection);
    const p = checkPrefix(prefix);
    const keys = [...(this.collections.get(collection)?.keys() ?? [])];
    return p === null ? keys.length : keys.filter((k) => k.startsWith(p)).length;
  }

  async checkpoint(consumer: string): Promise<Checkpoint | null> {
    this.assertOpen();
    checkName('consumer', consumer);
    const stored = this.checkpoints.get(consumer);
    return stored ? { ...stored } : null;
  }

  async commit(consumer: string, expected: string | null, next: string, changes: readonly ViewChange[]): Promise<void> {
    await this.commitMany([{ consumer, expected, next }], changes);
  }

  async commitMany(moves: readonly CheckpointMove[], changes: readonly ViewChange[]): Promise<void> {
    this.assertOpen();
    checkMoves(moves);
    const { upserts, deletes } = normaliseChanges(changes);
    for (const { consumer, expected } of moves) {
      const actual = this.checkpoints.get(consumer)?.position ?? null;
      if (actual !== expected) throw new CheckpointConflictError(consumer, expected, actual);
    }
    for (const { collection, key } of deletes) {
      const docs = this.collections.get(collection);
      docs?.delete(key);
      if (docs?.size === 0) this.collections.delete(collection);
    }
    for (const { collection, key, order, json } of upserts) {
      let docs = this.collections.get(collection);
      if (!docs) this.collections.set(collection, (docs = new Map()));
      docs.set(key, { order, json });
    }
    const updatedAt = new Date().toISOString();
    for (const { consumer, next } of moves) this.checkpoints.set(consumer, { position: next, updatedAt });
    this.changes.notify();
  }

  async drop(collections: readonly string[], consumer?: string): Promise<void> {
    this.assertOpen();
    collections.forEach((c, i) => checkName(`collections[${i}]`, c));
    if (consumer !== undefined) checkName('consumer', consumer);
    for (const c of collections) this.collections.delete(c);
    if (consumer !== undefined) this.checkpoints.delete(consumer);
    this.changes.notify();
  }

  async acquireWriter(consumer: string, options: { signal?: AbortSignal } = {}): Promise<WriterLease> {
    this.assertOpen();
    checkName('consumer', consumer);
    const unlock = await this.locks.acquire(consumer, options.signal);
    if (this.closing.signal.aborted) {
      unlock();
      throw new ViewStoreClosedError();
    }
    const lease: Lease = new Lease(consumer, async () => {
      this.leases.delete(lease);
      unlock();
    });
    this.leases.add(lease);
    return lease;
  }

  async waitForCheckpoint(consumer: string, reached: (position: string) => boolean, timeoutMs: number): Promise<void> {
    this.assertOpen();
    checkName('consumer', consumer);
    checkTimeout(timeoutMs);
    await waitForCheckpointLoop({
      consumer, reached, timeoutMs,
      changes: this.changes,
      read: async () => this.checkpoints.get(consumer)?.position ?? null,
      closing: this.closing.signal,
    });
  }

  async getMeta(name: string): Promise<string | null> {
    this.assertOpen();
    checkName('name', name);
    return this.meta.get(name) ?? null;
  }

  async setMeta(name: string, value: string | null): Promise<void> {
    this.assertOpen();
    checkName('name', name);
    if (value === null) this.meta.delete(name);
    else {
      checkText('value', value);
      this.meta.set(name, value);
    }
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.locks.rejectAll(new ViewStoreClosedError());
    for (const lease of [...this.leases]) lease.lose(new WriterLostError(lease.consumer, 'the view store was closed'));
    this.leases.clear();
  }

  private assertOpen(): void {
    if (this.closing.signal.aborted) throw new ViewStoreClosedError();
  }
}
