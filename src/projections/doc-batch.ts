// The documents of one projection as the runner gives them to its reducer for one batch of events
// (a write-back cache over the view store), and as the routes read them.
//
// Within a batch a document is read from the store at most once; the reducer changes the object in
// place and puts it, and the batch's changes are what the runner commits with the checkpoint. A
// failed batch is dropped with its cache: the store never sees half of it.
//
// The runner applies the next batch while the previous one commits. A document the previous batch
// changed is therefore still its own until that commit is absorbed: the next batch works on a copy
// (copy on first touch), so what is being committed is never changed under the commit.
import type { JsonObject, ViewChange, ViewStore } from '../views/view-store.ts';
import type { Collection, DocPlace, DocReader, Docs, Placed, Projection } from './projection.ts';

/** Where a projection's documents are stored: its name and version, e.g. "comment-matrix@2". */
export function projectionBase(p: Pick<Projection, 'name' | 'version'>): string {
  return `${p.name}@${p.version}`;
}

/** The stored collection of a projection's collection: "comment-matrix@2" for the heads, "comment-matrix@2/comments". */
export function storedCollection(base: string, c: Collection<unknown>): string {
  return c.name === '' ? base : `${base}/${c.name}`;
}

interface Entry {
  collection: string;
  key: string;
  doc: unknown;
  order: number;
  /** the batch that put or deleted it (and holds it in its changes) until the cache absorbed that batch's commit */
  owner: DocBatch | null;
  /** keyHash(collection, key) once computed (0: not yet) */
  hash: number;
}

/** FNV-1a (32 bits) and djb2 (21 bits) of the collection, a separator and the key, as one safe integer. */
export function keyHash(collection: string, key: string): number {
  let a = 0x811c9dc5;
  let b = 5381;
  for (let i = 0; i < collection.length; i++) {
    const code = collection.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = (Math.imul(b, 33) + code) >>> 0;
  }
  a = Math.imul(a, 0x01000193) >>> 0; // the separator (0)
  b = Math.imul(b, 33) >>> 0;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = (Math.imul(b, 33) + code) >>> 0;
  }
  return a * 0x200000 + (b & 0x1fffff);
}

/**
 * What the one writer of a projection knows its documents hold, kept across batches (documents
 * and known absences), so that a head read by every event is read from the store once, not once
 * per batch. Valid only while this process holds the writer lease and every batch it absorbed
 * committed: the runner clears it on any failure and when the lease changes hands.
 *
 * A batch works in it directly: the entry a batch reads or writes is the cache's own (no copy per
 * batch), and the batch keeps the list of those it changed. Until the batch is absorbed (after its
 * commit) the cache holds the batch's changes too, which is why a failed batch must clear it.
 */
export class DocCache {
  private readonly docs = new Map<string, Map<string, Entry>>();
  private size = 0;
  /**
   * While complete: a 53-bit hash of the (collection, key) of every document that exists (it
   * started from an empty store and absorbed every commit since), so a document whose hash it does
   * not hold is absent without asking the store. Hashes, not the keys: a million documents take
   * tens of MB, not a GB; two keys sharing a hash only cost a read of the store. null: not complete
   * (after a restart from a checkpoint, or when it grew too large).
   */
  private existing: Set<number> | null = null;

  constructor(
    private readonly max = 20_000,
    private readonly maxKeys = 4_000_000,
  ) {}

  /** The projection's documents are known to be none (no checkpoint: nothing was ever committed). */
  startEmpty(): void {
    this.clear();
    this.existing = new Set();
  }

  /** True when the store is known to hold no such document (no need to read it); the hash it took, or 0. */
  knowsAbsent(collection: string, key: string): number {
    if (this.existing === null) return 0;
    const hash = keyHash(collection, key) || 1;
    return this.existing.has(hash) ? 0 : hash;
  }

  /** After a commit: what the batch read and wrote is what the store holds. */
  absorb(batch: DocBatch): void {
    for (const e of batch.changed()) {
      if (e.owner === batch) e.owner = null;
      // a deleted document's hash stays: another key may share it (then the store is asked)
      if (this.existing !== null && e.doc !== null) this.existing.add(e.hash || (e.hash = keyHash(e.collection, e.key) || 1));
    }
    batch.absorbed();
    if (this.existing !== null && this.existing.size > this.maxKeys) this.existing = null;
  }

  /**
   * A batch begins: bounded, the cache forgets what the store holds once it grew too large (the hot
   * documents come back with the next batches). Only here: a batch under way may still hold a
   * document it read and will put, and must not read it again from the store.
   */
  beginBatch(): void {
    if (this.size > this.max) this.evict();
  }

  /** Forgets everything, completeness included (after a failure, or when the writer changes). */
  clear(): void {
    this.docs.clear();
    this.size = 0;
    this.existing = null;
  }

  /** A stored collection's entries (the map a batch looks keys up in). */
  collection(name: string): Map<string, Entry> {
    let docs = this.docs.get(name);
    if (!docs) this.docs.set(name, (docs = new Map()));
    return docs;
  }

  /** Holds a document read (or known absent) or written by a batch. */
  add(docs: Map<string, Entry>, entry: Entry): Entry {
    docs.set(entry.key, entry);
    this.size++;
    return entry;
  }

  /** Puts a batch's own copy in place of an entry an earlier batch still owns (the earlier one keeps its object). */
  replace(docs: Map<string, Entry>, entry: Entry): Entry {
    docs.set(entry.key, entry);
    return entry;
  }

  /**
   * Forgets what the store holds anyway. Documents a batch changed and the store does not hold yet
   * (the batch applied after the one committing) stay: read from the store, they would be stale.
   */
  private evict(): void {
    let kept = 0;
    for (const docs of this.docs.values()) {
      for (const [key, e] of docs) {
        if (e.owner === null) docs.delete(key);
        else kept++;
      }
    }
    this.size = kept;
  }
}

export class DocBatch implements Docs {
  /** the cache's map of each collection, looked up once per batch (a batch makes hundreds of thousands of lookups) */
  private readonly maps = new Map<Collection<unknown>, { name: string; docs: Map<string, Entry> }>();
  private readonly dirty: Entry[] = [];
  private readonly cache: DocCache;

  constructor(
    private readonly store: ViewStore,
    private readonly base: string,
    /** the writer's cache across batches; without one, the batch reads every document from the store */
    cache?: DocCache,
  ) {
    this.cache = cache ?? new DocCache(Number.MAX_SAFE_INTEGER);
    this.cache.beginBatch();
  }

  async get<T>(c: Collection<T>, key: string): Promise<T | null> {
    const { name, docs } = this.mapOf(c);
    let entry = docs.get(key);
    if (!entry) {
      const absent = this.cache.knowsAbsent(name, key);
      if (absent !== 0) {
        entry = this.cache.add(docs, { collection: name, key, doc: null, order: 0, owner: null, hash: absent });
      } else {
        const stored = await this.store.get(name, key);
        // (a reducer awaits each get: nothing else of this batch ran meanwhile)
        entry = this.cache.add(docs, { collection: name, key, doc: stored?.doc ?? null, order: stored?.order ?? 0, owner: null, hash: 0 });
      }
    } else if (entry.owner !== null && entry.owner !== this) {
      entry = this.cache.replace(docs, { collection: name, key, doc: structuredClone(entry.doc), order: entry.order, owner: null, hash: entry.hash });
    }
    // documents are written only by this version of this projection (the collection's name says which)
    return entry.doc as T | null;
  }

  put<T>(c: Collection<T>, key: string, doc: T, order?: number): void {
    this.set(c, key, doc, order);
  }

  delete<T>(c: Collection<T>, key: string): void {
    // a document put again after this is a new one (order 0 unless given), in this batch or a later one
    this.set(c, key, null, 0);
  }

  /** The documents put or deleted in this batch, once each. */
  changes(): ViewChange[] {
    return this.dirty.map((e) => ({ collection: e.collection, key: e.key, order: e.order, doc: e.doc as JsonObject | null }));
  }

  /** the entries this batch changed (for DocCache.absorb) */
  changed(): readonly Entry[] {
    return this.dirty;
  }

  /** DocCache.absorb took the changes in: the batch holds none any more */
  absorbed(): void {
    this.dirty.length = 0;
  }

  private mapOf(c: Collection<unknown>): { name: string; docs: Map<string, Entry> } {
    let m = this.maps.get(c);
    if (!m) {
      const name = storedCollection(this.base, c);
      this.maps.set(c, (m = { name, docs: this.cache.collection(name) }));
    }
    return m;
  }

  private set(c: Collection<unknown>, key: string, doc: unknown, order: number | undefined): void {
    const { name, docs } = this.mapOf(c);
    let entry = docs.get(key);
    if (!entry) entry = this.cache.add(docs, { collection: name, key, doc, order: 0, owner: null, hash: 0 });
    else if (entry.owner !== null && entry.owner !== this) {
      // a document an earlier batch changed is that batch's until its commit is absorbed: a new entry
      entry = this.cache.replace(docs, { collection: name, key, doc, order: entry.order, owner: null, hash: entry.hash });
    }
    entry.doc = doc;
    if (order !== undefined) entry.order = order;
    if (entry.owner !== this) {
      entry.owner = this;
      this.dirty.push(entry);
    }
  }
}

/** A projection's documents as the last commit holds them, for the routes; `stale`: an older generation's, while a new one builds. */
export function docReader(store: ViewStore, base: string, stale = false): DocReader {
  return {
    stale,
    async get<T>(c: Collection<T>, key: string): Promise<T | null> {
      return ((await store.get(storedCollection(base, c), key))?.doc ?? null) as T | null;
    },
    async list<T>(c: Collection<T>, prefix: string): Promise<T[]> {
      return (await store.list(storedCollection(base, c), { prefix })).map((d) => d.doc as T);
    },
    async listPage<T>(c: Collection<T>, prefix: string, options: { after?: DocPlace; limit?: number } = {}): Promise<Placed<T>[]> {
      const docs = await store.list(storedCollection(base, c), {
        prefix, ...(options.after ? { after: options.after } : {}), ...(options.limit !== undefined ? { limit: options.limit } : {}),
      });
      return docs.map((d) => ({ order: d.order, key: d.key, doc: d.doc as T }));
    },
  };
}
