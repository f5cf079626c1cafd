// Reading what the runner left in a view store, for tests: every document of some projections
// (what "the same views" means), and the stream revision a consultation's head reflects.
import { projectionBase, storedCollection } from '../../src/projections/doc-batch.ts';
import type { ConsultationView, Projection } from '../../src/projections/projection.ts';
import type { ProjectionRunner } from '../../src/projections/runner.ts';
import type { ViewStore } from '../../src/views/view-store.ts';

/** Every document of the projections, keyed "<collection> <key>", with its order. */
export async function documentsOf(viewStore: ViewStore, projections: readonly Projection[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const p of projections) {
    const base = projectionBase(p);
    for (const c of p.collections) {
      const name = storedCollection(base, c);
      for (const d of await viewStore.list(name)) out[`${name} ${d.key}`] = { order: d.order, doc: d.doc };
    }
  }
  return out;
}

/** The revision of the consultation's stream that the projection's view reflects, or null when it has none. */
export async function viewRevision(runner: ProjectionRunner, projection: Projection & ConsultationView<unknown>, consultationId: string): Promise<number | null> {
  return (await projection.read(runner.reader(projection), consultationId))?.lastRevision ?? null;
}
