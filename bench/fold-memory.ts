// `fold-memory`: what the first command after a restart does on a big consultation: fold its whole
// stream (about 200,000 events; --quick: 10,000) through the decode path and the hash chain check.
// Measured in a fresh process (bench/child.ts), so the memory figure is the fold's alone.
// Issue 9's target: at most 256 MB of RSS above the idle process, in at most 2 s.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { CommandHandler } from '../src/commands/handler.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { inChild, inTempDir, target, type BenchOptions, type Log } from './common.ts';
import { writeConsultation } from './history.ts';

const Args = z.object({ file: z.string(), consultationId: z.string() });

/** The child's task (bench/child.ts): the handler's fold of the consultation, from a store of its own. */
export async function prepare(raw: unknown) {
  const { file, consultationId } = Args.parse(raw);
  const store = new SqliteEventStore({ file, synchronous: 'NORMAL' });
  return {
    async run() {
      const state = await new CommandHandler({ store }).load(consultationId);
      return { folded: state.revision + 1 };
    },
    close: () => store.close(),
  };
}

export async function run(log: Log, options: BenchOptions) {
  const comments = options.quick ? 7_500 : 150_000; // with a third answered: about 10k / 200k events
  return inTempDir('bench-fold-', async (dir) => {
    const file = join(dir, 'events.sqlite');
    const store = new SqliteEventStore({ file, synchronous: 'NORMAL' });
    const consultationId = randomUUID();
    let events: number;
    try {
      events = await writeConsultation(store, { stakeholders: 60, comments }, consultationId);
    } finally {
      await store.close();
    }
    log(`one consultation of ${events} events`);
    const m = await inChild<{ folded: number }>('fold-memory', { file, consultationId });
    const seconds = Number(m.seconds.toFixed(2));
    const aboveIdle = m.peakMb - m.idleMb;
    log(`folded ${m.result.folded} events in ${seconds} s; peak RSS ${m.peakMb} MB, ${aboveIdle} MB above the ${m.idleMb} MB before`);
    return { events, seconds, rssBeforeMb: m.idleMb, peakRssMb: m.peakMb, rssAboveIdleMb: aboveIdle, ...target('seconds <= 2 and rssAboveIdleMb <= 256', seconds <= 2 && aboveIdle <= 256) };
  });
}
