// Where projections keep their views and the position they reached. In memory by default (the
// whole history of this domain fits comfortably, and views are rebuilt at start-up by catching
// up); a persistent implementation can replace it without touching the reducers, which only ever
// see (view, event).

export interface StoredView<V> {
  view: V;
  /** the serialised store position the view reflects (store.positions.serialise) */
  position: string | null;
}

export interface ViewStore {
  /** null when there is nothing stored for this name and version: the projection replays from the start */
  load<V>(name: string, version: number): Promise<StoredView<V> | null>;
  save<V>(name: string, version: number, stored: StoredView<V>): Promise<void>;
}

export class InMemoryViewStore implements ViewStore {
  private readonly views = new Map<string, StoredView<unknown>>();

  async load<V>(name: string, version: number): Promise<StoredView<V> | null> {
    return (this.views.get(`${name}@${version}`) as StoredView<V> | undefined) ?? null;
  }

  async save<V>(name: string, version: number, stored: StoredView<V>): Promise<void> {
    this.views.set(`${name}@${version}`, stored);
  }
}
