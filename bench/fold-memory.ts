// `fold-memory`: what the first command after a restart does on a big consultation: fold its whole
// stream (about 200,000 events; --quick: 10,000) through the decode path and the hash chain check.
// Issue 9's target: at most 256 MB of RSS above the idle process, in at most 2 s.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CommandHandler } from '../src/commands/handler.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { inTempDir, peakRss, target, type BenchOptions, type Log } from './common.ts';
import { writeConsultation } from './history.ts';

export async function run(log: Log, options: BenchOptions) {
  const comments = options.quick ? 7_500 : 150_000; // with a third answered: about 10k / 200k events
  return inTempDir('bench-fold-', async (dir) => {
    const store = new SqliteEventStore({ file: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    const consultationId = randomUUID();
    const events = await writeConsultation(store, { stakeholders: 60, comments }, consultationId);
    log(`one consultation of ${events} events`);
    (globalThis as { gc?: () => void }).gc?.();
    const idle = Math.round(process.memoryUsage.rss() / 1024 / 1024);
    const rss = peakRss();
    const started = performance.now();
    const state = await new CommandHandler({ store }).load(consultationId);
    const seconds = (performance.now() - started) / 1000;
    const peakMb = rss.stop();
    await store.close();
    const aboveIdle = peakMb - idle;
    log(`folded ${state.revision + 1} events in ${seconds.toFixed(2)} s; peak RSS ${peakMb} MB, ${aboveIdle} MB above the ${idle} MB before`);
    return { events, seconds: Number(seconds.toFixed(2)), rssBeforeMb: idle, peakRssMb: peakMb, rssAboveIdleMb: aboveIdle, ...target('seconds <= 2 and rssAboveIdleMb <= 256', seconds <= 2 && aboveIdle <= 256) };
  });
}
