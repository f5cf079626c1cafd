// `consult projections rebuild [--name NAME]`: replays projections from the start of the store
// and prints progress (events applied, events/s) and what each view holds at the end. Views live
// in memory, so the server rebuilds them at every start; this command shows how long that takes
// and checks that every event replays (a reducer that throws stops it with the event's position).
// A consultation whose history is damaged is skipped from the damaged revision, named, and makes
// the command exit 1, as the server would refuse it.
import { DamageRegistry } from '../audit/damage.ts';
import type { EventStore } from '../store/port.ts';
import { openEventStore } from '../store/open-store.ts';
import { projections } from '../projections/index.ts';
import type { Projection } from '../projections/projection.ts';
import { ProjectionRunner } from '../projections/runner.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

export async function projectionsRebuild(store: EventStore, chosen: readonly Projection<unknown>[], out: (line: string) => void): Promise<number> {
  const started = performance.now();
  const damage = new DamageRegistry();
  const runner = new ProjectionRunner({
    store,
    projections: chosen,
    damage,
    progress: (p) => out(`  ${p.name}: ${p.eventsApplied} events applied, ${p.eventsPerSecond} events/s`),
  });
  try {
    await runner.start();
    await runner.caughtUp(24 * 3600 * 1000);
    const seconds = (performance.now() - started) / 1000;
    for (const s of runner.status()) {
      out(`${s.name} v${s.version}: ${s.eventsApplied} events in ${seconds.toFixed(1)} s (${Math.round(s.eventsApplied / Math.max(seconds, 0.001))} events/s), at position ${s.position ?? 'start'}`);
    }
    for (const d of damage.list()) out(`DAMAGED ${d.streamName} at revision ${d.revision}: ${d.reason} (not applied from there; see consult verify)`);
    return damage.size === 0 ? 0 : 1;
  } finally {
    await runner.stop();
  }
}

export const projectionsRebuildCommand: Subcommand = {
  name: 'projections rebuild',
  usage: 'projections rebuild [--name NAME]',
  summary: 'replay the views from the start, with progress (events applied, events/s)',
  help: `Replays every view (or one) from the start of the event store, printing progress and, at the end,
how many events each view applied and how fast. The store is the server's: DATA_DIR/events.sqlite,
or EVENTSTORE_URL. A missing SQLite file is an error naming it; nothing is created.

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
    const { store, location } = await openEventStore(config(), undefined, { mustExist: true });
    try {
      io.err(`rebuilding views from ${location}`);
      return await projectionsRebuild(store, chosen, io.out);
    } finally {
      await store.close();
    }
  },
};
