// `past-view`: issue 13's "any view at any point" on a big consultation: the comment matrix and the
// sign-off of a consultation of about 200,000 events (--quick: 10,000), asked for at a revision
// near the end, folded from the stream with the live reducers (src/audit/views-at.ts PastViews).
// Target: at most 256 MB of RSS above the idle process and at most 5 s for each view.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PastViews } from '../src/audit/views-at.ts';
import { commentMatrix, signOff } from '../src/projections/index.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { inTempDir, peakRss, target, type BenchOptions, type Log } from './common.ts';
import { writeConsultation } from './history.ts';

export async function run(log: Log, options: BenchOptions) {
  const comments = options.quick ? 7_500 : 150_000; // with a third answered: about 10k / 200k events
  return inTempDir('bench-past-', async (dir) => {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    try {
      const consultationId = randomUUID();
      const events = await writeConsultation(store, { stakeholders: 60, comments }, consultationId);
      log(`one consultation of ${events} events`);
      const results: Record<string, { seconds: number; peakRssAboveIdleMb: number }> = {};
      for (const [name, projection] of [['comments', commentMatrix], ['sign-off', signOff]] as const) {
        (globalThis as { gc?: () => void }).gc?.();
        const idle = Math.round(process.memoryUsage.rss() / 1024 / 1024);
        const rss = peakRss();
        const started = performance.now();
        const past = new PastViews(store, consultationId, { revision: events - 2 });
        const slot = await projection.read(past.reader(projection), consultationId, new Date().toISOString());
        const seconds = (performance.now() - started) / 1000;
        const above = rss.stop() - idle;
        if (!slot) throw new Error(`no ${name} view`);
        log(`${name} at revision ${past.reflected?.revision}: ${seconds.toFixed(2)} s, peak RSS ${above} MB above idle`);
        results[name] = { seconds: Number(seconds.toFixed(2)), peakRssAboveIdleMb: above };
      }
      const worst = Object.values(results);
      const met = worst.every((r) => r.seconds <= 5 && r.peakRssAboveIdleMb <= 256);
      return { events, ...results, ...target('each view: seconds <= 5 and peakRssAboveIdleMb <= 256', met) };
    } finally {
      await store.close();
    }
  });
}
