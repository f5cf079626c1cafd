// `consult projections rebuild [--name NAME]`: replays projections from the start of the store
// and prints progress (events applied, events/s) and what each view holds at the end. Views live
// in memory, so the server rebuilds them at every start; this command shows how long that takes
// and checks that every event replays (a reducer that throws stops it with the event's position).
// A consultation whose history is damaged is skipped from the damaged revision, named, and makes
// the command exit 1, as the server would refuse it.
import { parseArgs } from 'node:util';
import { DamageRegistry } from '../audit/damage.ts';
import type { EventStore } from '../store/port.ts';
import { projections } from '../projections/index.ts';
import { ProjectionRunner } from '../projections/runner.ts';

export async function projectionsRebuild(store: EventStore, args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' } } });
  const chosen = values.name ? projections.filter((p) => p.name === values.name) : projections;
  if (chosen.length === 0) {
    out(`no projection named "${values.name}"; known: ${projections.map((p) => p.name).join(', ')}`);
    return 2;
  }
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
