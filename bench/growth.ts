// `growth`: the latency of submit-comment, as the API runs it (the command handler, then waiting until
// every view reflects it in the SQLite view store), on a consultation with 100 comments and on one with 100,000 (--quick:
// 2,000), in the same run. Issue 9's target: p99 at the large size at most 1.5x p99 at the small.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CommandHandler } from '../src/commands/handler.ts';
import { commands } from '../src/commands/index.ts';
import { projections } from '../src/projections/index.ts';
import { ProjectionRunner } from '../src/projections/runner.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { SqliteViewStore } from '../src/views/sqlite-view-store.ts';
import { inTempDir, latencySummary, target, type BenchOptions, type Log } from './common.ts';
import { writeConsultation } from './history.ts';
import { idFor } from '../src/domain/ids.ts';

const COORDINATOR = { role: 'coordinator', id: 'bench' } as const;

async function latencies(dir: string, comments: number, samples: number, log: Log) {
  const store = new SqliteEventStore({ file: join(dir, `growth-${comments}.sqlite`) });
  const consultationId = randomUUID();
  await writeConsultation(store, { stakeholders: 60, comments }, consultationId);
  const stakeholderId = idFor(`${consultationId}/s7`, 'stakeholder');
  const handler = new CommandHandler({ store });
  const viewStore = new SqliteViewStore({ file: join(dir, `growth-${comments}-views.sqlite`), synchronous: 'NORMAL', writerThread: true }); // as the server keeps them (open-view-store.ts, main.ts)
  const runner = new ProjectionRunner({ store, projections, viewStore });
  await runner.start();
  await runner.caughtUp(3_600_000);
  const submit = async (n: number) => {
    const result = await handler.execute(commands.submitComment, {
      consultationId, commandId: randomUUID(), actor: COORDINATOR,
      input: { stakeholderId, draftVersion: 1, sectionKey: 'protection', text: `A late comment ${n} on the protection pillar.` },
    });
    await runner.waitFor(result.position, 60_000);
  };
  await submit(-1); // the first command folds the stream; it is not what is measured
  const ms: number[] = [];
  for (let n = 0; n < samples; n++) {
    const t0 = performance.now();
    await submit(n);
    ms.push(performance.now() - t0);
  }
  await runner.stop();
  await viewStore.close();
  await store.close();
  const summary = latencySummary(ms);
  log(`  ${comments} comments: p50 ${summary.p50} ms, p99 ${summary.p99} ms`);
  return summary;
}

export async function run(log: Log, options: BenchOptions) {
  const large = options.quick ? 2_000 : 100_000;
  const samples = options.quick ? 50 : 500;
  return inTempDir('bench-growth-', async (dir) => {
    const smallMs = await latencies(dir, 100, samples, log);
    const largeMs = await latencies(dir, large, samples, log);
    const ratio = Number((largeMs.p99 / Math.max(smallMs.p99, 0.01)).toFixed(2));
    log(`p99 ratio ${large} / 100 comments: ${ratio}`);
    return { samples, small: { comments: 100, latencyMs: smallMs }, large: { comments: large, latencyMs: largeMs }, p99Ratio: ratio, ...target('p99Ratio <= 1.5', ratio <= 1.5) };
  });
}
