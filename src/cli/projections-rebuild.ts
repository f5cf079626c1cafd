// `consult projections rebuild [--name NAME]`: builds a new generation of the views (or of one) in
// the view store BESIDE the live one, from the start of the event store, with progress; then
// switches the generation pointers. A running server keeps serving the live generation meanwhile
// and picks up the switch within a second (it reads the pointers), writing the new generation from
// where the rebuild stopped. The old generation's documents are dropped: by this command when no
// server holds them, else by the server a few seconds after it switched.
// A consultation whose history is damaged is skipped from the damaged revision, named, and makes
// the command exit 1, as the server would refuse it; the switch still happens (the server would
// build the same views).
import { DamageRegistry } from '../audit/damage.ts';
import type { EventStore } from '../store/port.ts';
import { openEventStore } from '../store/open-store.ts';
import { projections } from '../projections/index.ts';
import type { Projection } from '../projections/projection.ts';
import { activePointer, dropGeneration, generationBase, generationPointer, ProjectionRunner } from '../projections/runner.ts';
import { openViewStore } from '../views/open-view-store.ts';
import type { ViewStore } from '../views/view-store.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

/** The next generation's name: one more than the highest of the chosen projections' live ones. */
async function nextGeneration(viewStore: ViewStore, chosen: readonly Projection[]): Promise<string> {
  let highest = 0;
  for (const p of chosen) highest = Math.max(highest, Number(await viewStore.getMeta(generationPointer(p)) ?? 0));
  return String(highest + 1);
}

export async function projectionsRebuild(store: EventStore, viewStore: ViewStore, chosen: readonly Projection[], out: (line: string) => void): Promise<number> {
  const started = performance.now();
  const damage = new DamageRegistry();
  const generation = await nextGeneration(viewStore, chosen);
  const previous = new Map<Projection, string | null>();
  for (const p of chosen) previous.set(p, await viewStore.getMeta(generationPointer(p)));
  out(`building generation ${generation} of ${chosen.map((p) => `${p.name} v${p.version}`).join(', ')} beside the live one`);
  const runner = new ProjectionRunner({
    store, viewStore, projections: chosen, damage, generation,
    progress: (p) => out(`  ${p.eventsApplied} events applied, ${p.eventsPerSecond} events/s`),
  });
  try {
    await runner.start();
    await runner.caughtUp(24 * 3600 * 1000);
    const seconds = (performance.now() - started) / 1000;
    for (const s of runner.status()) {
      out(`${s.name} v${s.version}: ${s.eventsApplied} events in ${seconds.toFixed(1)} s (${Math.round(s.eventsApplied / Math.max(seconds, 0.001))} events/s), at position ${s.position ?? 'start'}`);
    }
    for (const d of damage.list()) out(`DAMAGED ${d.streamName} at revision ${d.revision}: ${d.reason} (not applied from there; see consult verify)`);
  } finally {
    await runner.stop();
  }
  for (const p of chosen) {
    await viewStore.setMeta(generationPointer(p), generation);
    await viewStore.setMeta(activePointer(p), generationBase(p, generation));
  }
  out(`switched to generation ${generation}; a running server picks it up within a second`);
  for (const p of chosen) {
    const old = generationBase(p, previous.get(p) ?? null);
    const dropped = await dropGeneration(viewStore, p, old, { waitMs: 250 });
    if (!dropped) out(`  ${old}: a server still writes it; it drops it after switching`);
  }
  return damage.size === 0 ? 0 : 1;
}

export const projectionsRebuildCommand: Subcommand = {
  name: 'projections rebuild',
  usage: 'projections rebuild [--name NAME]',
  summary: 'build the views anew beside the live ones, with progress, then switch to them',
  help: `Builds a new generation of every view (or of one) from the start of the event store, beside the
live one, printing progress; then switches to it. A running server keeps serving meanwhile and
picks up the switch. The stores are the server's: DATA_DIR/events.sqlite or EVENTSTORE_URL for the
events, DATA_DIR/views.sqlite or DATABASE_URL for the views. A missing event store file is an error
naming it; nothing is created.

options:
  --name NAME   only this view: ${projections.map((p) => p.name).join(', ')}
  -h, --help    this help`,
  async run(args, io, config) {
    const { values } = parseCommandArgs({ args, options: { name: { type: 'string' }, ...HELP_OPTION } });
    if (values.help) {
      io.out(helpText(projectionsRebuildCommand));
      return 0;
    }
    const chosen = values.name === undefined ? projections : projections.filter((p) => p.name === values.name);
    if (chosen.length === 0) throw new UsageError(`no projection named "${values.name}"; known: ${projections.map((p) => p.name).join(', ')}`);
    const settings = config();
    const { store, location } = await openEventStore(settings, undefined, { mustExist: true });
    try {
      // a long run of large commits: on their own thread, the next batch is applied meanwhile
      const viewStore = await openViewStore({
        databaseUrl: settings.DATABASE_URL, dataDir: settings.dataDir, schema: settings.DATABASE_SCHEMA, writerThread: true,
      });
      try {
        io.err(`rebuilding views from ${location}`);
        return await projectionsRebuild(store, viewStore, chosen, io.out);
      } finally {
        await viewStore.close();
      }
    } finally {
      await store.close();
    }
  },
};
