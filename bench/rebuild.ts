// `rebuild`: every projection rebuilt from zero over a realistic history (a few hundred consultations
// of ordinary size and one with 200,000 comments: about a million events; --quick: a few thousand),
// against a baseline measured on the same file in the same run: a raw scan of the rows with
// JSON.parse of data and metadata (better-sqlite3, no store, no reducers). The views are written to
// the SQLite view store, as the server does. Peak RSS is reported.
// Issue 9's targets: at least 0.5x the baseline's events/s; peak RSS at most 1.5 GB.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { projections } from '../src/projections/index.ts';
import { ProjectionRunner } from '../src/projections/runner.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { SqliteViewStore } from '../src/views/sqlite-view-store.ts';
import { inTempDir, peakRss, target, type BenchOptions, type Log } from './common.ts';
import { writeHistory } from './history.ts';

export async function run(log: Log, options: BenchOptions) {
  const size = options.quick
    ? { consultations: 20, shape: { stakeholders: 20, comments: 100 }, large: { stakeholders: 20, comments: 2_000 } }
    : { consultations: 500, shape: { stakeholders: 60, comments: 1_000 }, large: { stakeholders: 60, comments: 200_000 } };
  return inTempDir('bench-rebuild-', async (dir) => {
    const file = join(dir, 'events.sqlite');
    const store = new SqliteEventStore({ file, synchronous: 'NORMAL' }); // writing the history is not what is measured
    const written = await writeHistory(store, { ...size, progress: (n) => log(`  written ${n} events`) });
    const events = written.events;
    log(`history: ${events} events (${size.consultations} consultations and one of ${size.large.comments} comments)`);

    log('baseline: scan every row and JSON.parse its data and metadata');
    const db = new Database(file, { readonly: true });
    let started = performance.now();
    let scanned = 0;
    for (const row of db.prepare('SELECT data, metadata FROM events ORDER BY sequence').iterate() as Iterable<{ data: string; metadata: string }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
      scanned++;
    }
    const baselineSeconds = (performance.now() - started) / 1000;
    db.close();

    log(`rebuild: ${projections.length} projections from zero through the runner`);
    const rss = peakRss();
    started = performance.now();
    // as the server and `consult projections rebuild` keep them (open-view-store.ts): commits on their own thread
    const viewStore = new SqliteViewStore({ file: join(dir, 'views.sqlite'), synchronous: 'NORMAL', writerThread: true });
    const runner = new ProjectionRunner({ store, projections, viewStore, progress: (p) => log(`  ${p.eventsApplied} events, ${p.eventsPerSecond} events/s`) });
    await runner.start();
    await runner.caughtUp(3_600_000);
    const seconds = (performance.now() - started) / 1000;
    const peakMb = rss.stop();
    await runner.stop();
    await viewStore.close();
    await store.close();

    const baselinePerSecond = Math.round(scanned / baselineSeconds);
    const rebuildPerSecond = Math.round(events / seconds);
    const ratio = Number((rebuildPerSecond / baselinePerSecond).toFixed(3));
    log(`baseline ${baselinePerSecond} events/s; rebuild ${rebuildPerSecond} events/s (${seconds.toFixed(1)} s): ${ratio}x the baseline; peak RSS ${peakMb} MB`);
    return {
      events,
      projections: projections.length,
      baselineEventsPerSecond: baselinePerSecond,
      rebuildEventsPerSecond: rebuildPerSecond,
      rebuildSeconds: Number(seconds.toFixed(2)),
      ratioToBaseline: ratio,
      peakRssMb: peakMb,
      ...target('ratioToBaseline >= 0.5 and peakRssMb <= 1536', ratio >= 0.5 && peakMb <= 1536),
    };
  });
}
