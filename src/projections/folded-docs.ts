// A projection's documents held as objects in this process, for a one-off fold of one stream (a
// past view, an export bundle's views, the offline verifier's replay): no view store, no checkpoint,
// no JSON text per commit. The reducers see what they see from a DocBatch that never commits (the
// same object for the same key, changed in place and put), and once the fold is over the routes'
// read functions read it as they read a view store, listings by (order, key).
//
// Unlike the persistent adapters it does not check documents (views/validate.ts): a document the live
// view store would refuse stops the live projection, and this fold has nothing to protect. When the
// fold ends the documents are frozen, so that a read function that changed one would fail loudly
// instead of changing what the next read sees.
import { compareKeys } from '../views/validate.ts';
import type { Collection, DocPlace, DocReader, Docs, Placed } from './projection.ts';

interface Held {
  doc: unknown;
  order: number;
}

export class FoldedDocs implements Docs {
  private readonly collections = new Map<string, Map<string, Held>>();
  /** each collection's keys by (order, key), worked out at the first listing after a change */
  private readonly sorted = new Map<string, string[]>();
  private frozen = false;

  async get<T>(c: Collection<T>, key: string): Promise<T | null> {
    return (this.collections.get(c.name)?.get(key)?.doc ?? null) as T | null;
  }

  put<T>(c: Collection<T>, key: string, doc: T, order?: number): void {
    this.assertFolding();
    let docs = this.collections.get(c.name);
    if (!docs) this.collections.set(c.name, (docs = new Map()));
    const held = docs.get(key);
    if (held) {
      held.doc = doc;
      if (order !== undefined && order !== held.order) {
        held.order = order;
        this.sorted.delete(c.name);
      }
    } else {
      docs.set(key, { doc, order: order ?? 0 });
      this.sorted.delete(c.name);
    }
  }

  delete<T>(c: Collection<T>, key: string): void {
    this.assertFolding();
    if (this.collections.get(c.name)?.delete(key)) this.sorted.delete(c.name);
  }

  /** Ends the fold (the documents are frozen) and gives the documents as a route reads them. */
  reader(): DocReader {
    if (!this.frozen) {
      this.frozen = true;
      for (const docs of this.collections.values()) for (const held of docs.values()) deepFreeze(held.doc);
    }
    return {
      stale: false,
      get: async <T>(c: Collection<T>, key: string) => (this.collections.get(c.name)?.get(key)?.doc ?? null) as T | null,
      list: async <T>(c: Collection<T>, prefix: string) => this.listPage<T>(c, prefix).map((p) => p.doc),
      listPage: async <T>(c: Collection<T>, prefix: string, options?: { after?: DocPlace; limit?: number }) => this.listPage<T>(c, prefix, options),
    };
  }

  private listPage<T>(c: Collection<T>, prefix: string, options: { after?: DocPlace; limit?: number } = {}): Placed<T>[] {
    const docs = this.collections.get(c.name);
    if (!docs) return [];
    const keys = this.keysOf(c.name, docs);
    const { after, limit = Infinity } = options;
    let i = 0;
    if (after) {
      // the first place past `after` (keys are sorted by (order, key))
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const held = docs.get(keys[mid]!)!;
        if (held.order < after.order || (held.order === after.order && compareKeys(keys[mid]!, after.key) <= 0)) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const out: Placed<T>[] = [];
    for (; i < keys.length && out.length < limit; i++) {
      const key = keys[i]!;
      if (!key.startsWith(prefix)) continue;
      const held = docs.get(key)!;
      out.push({ order: held.order, key, doc: held.doc as T });
    }
    return out;
  }

  private keysOf(collection: string, docs: Map<string, Held>): string[] {
    let keys = this.sorted.get(collection);
    if (!keys) {
      keys = [...docs.keys()].sort((a, b) => docs.get(a)!.order - docs.get(b)!.order || compareKeys(a, b));
      this.sorted.set(collection, keys);
    }
    return keys;
  }

  private assertFolding(): void {
    if (this.frozen) throw new Error('the fold is over: its documents are only read');
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
