// `past-view`: issue 13's "any view at any point" on a big consultation: the comment matrix and the
// sign-off of a consultation of about 200,000 events (--quick: 10,000), asked for at a revision
// near the end, folded from the stream with the live reducers (src/audit/views-at.ts PastViews).
// Each case runs in a fresh process (bench/child.ts), so its memory is the fold's alone: the comment
// matrix as the route answers it (the first page, the route's default 500 rows) and whole (as CSV
// and an export read it), and the sign-off.
// Target: at most 256 MB of RSS above the idle process and at most 5 s for each.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { PastViews } from '../src/audit/views-at.ts';
import { commentMatrix, signOff } from '../src/projections/index.ts';
import { readMatrixPage } from '../src/projections/comment-matrix.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { inChild, inTempDir, target, type BenchOptions, type Log } from './common.ts';
import { writeConsultation } from './history.ts';

const VIEWS = { comments: commentMatrix, 'sign-off': signOff } as const;

const Args = z.object({
  file: z.string(),
  consultationId: z.string(),
  revision: z.number().int(),
  view: z.enum(['comments', 'sign-off']),
  whole: z.boolean(),
});

/** The child's task (bench/child.ts): one view at one revision, from a store of its own. */
export async function prepare(raw: unknown) {
  const args = Args.parse(raw);
  const store = new SqliteEventStore({ file: args.file, synchronous: 'NORMAL' });
  return {
    async run() {
      const past = new PastViews(store, args.consultationId, { revision: args.revision });
      if (args.view === 'comments' && !args.whole) {
        const page = await readMatrixPage(past.reader(commentMatrix), args.consultationId, {}, { after: null, limit: 500 });
        if (!page) throw new Error('no comments view');
        return { reflected: past.reflected?.revision, rows: page.rows.length };
      }
      const slot = await VIEWS[args.view].read(past.reader(VIEWS[args.view]), args.consultationId, new Date().toISOString());
      if (!slot) throw new Error(`no ${args.view} view`);
      return { reflected: past.reflected?.revision };
    },
    close: () => store.close(),
  };
}

export async function run(log: Log, options: BenchOptions) {
  const comments = options.quick ? 7_500 : 150_000; // with a third answered: about 10k / 200k events
  return inTempDir('bench-past-', async (dir) => {
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
    const results: Record<string, { seconds: number; peakRssAboveIdleMb: number; idleMb: number }> = {};
    const cases = [['comments', false], ['comments', true], ['sign-off', true]] as const;
    for (const [view, whole] of cases) {
      const name = view === 'comments' ? (whole ? 'comments-whole' : 'comments-page') : view;
      const m = await inChild<{ reflected: number }>('past-view', { file, consultationId, revision: events - 2, view, whole });
      const above = m.peakMb - m.idleMb;
      log(`${name} at revision ${m.result.reflected}: ${m.seconds.toFixed(2)} s, peak RSS ${above} MB above the idle ${m.idleMb} MB`);
      results[name] = { seconds: Number(m.seconds.toFixed(2)), peakRssAboveIdleMb: above, idleMb: m.idleMb };
    }
    const met = Object.values(results).every((r) => r.seconds <= 5 && r.peakRssAboveIdleMb <= 256);
    return { events, ...results, ...target('each view: seconds <= 5 and peakRssAboveIdleMb <= 256', met) };
  });
}
