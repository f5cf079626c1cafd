// Benchmark of the SQLite event store adapter: appends/s with group commit against a baseline of
// one raw better-sqlite3 transaction per event, both with synchronous=FULL on real files in the
// same run (the ratio is what matters; absolute numbers depend on the disk), plus readAll throughput.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/sqlite/schema.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import type { EventData } from '../src/store/port.ts';
import { percentile, type BenchOptions, type Log } from './common.ts';

const WRITERS = 64;
/** durations and sizes; --quick divides them by ten */
let BASELINE_MS = 3000;
let GROUP_COMMIT_MS = 4000;
let SEQUENTIAL_MS = 2000;
let READ_ALL_EVENTS = 50_000;


const event = (n: number): EventData => ({
  id: randomUUID(),
  type: 'CommentSubmitted',
  data: { sectionId: `s-${n % 40}`, text: 'A comment of ordinary length about paragraph four of the draft.', n },
  metadata: { actor: 'bench', commandId: randomUUID() },
});

const round = (x: number) => Math.round(x);


async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-event-store-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Raw better-sqlite3, same schema, one BEGIN IMMEDIATE … COMMIT per event. */
function baseline(file: string): { appendsPerSecond: number; events: number } {
  const db = openDatabase(file, 'FULL', 5000);
  const insert = db.prepare(
    'INSERT INTO events (stream, revision, event_id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const writeOne = db.transaction((stream: string, revision: number, e: EventData) => {
    insert.run(stream, revision, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), new Date().toISOString());
  });
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < BASELINE_MS) {
    writeOne.immediate(`consultation-${n % WRITERS}`, Math.floor(n / WRITERS), event(n));
    n++;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { appendsPerSecond: round(n / seconds), events: n };
}

/** `writers` concurrent loops, each appending single-event batches to its own stream. */
async function concurrentAppends(file: string, writers: number, durationMs: number) {
  const store = new SqliteEventStore({ file, synchronous: 'FULL' });
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const stream = `consultation-${randomUUID()}`;
      for (let revision = 0; performance.now() < deadline; revision++) {
        const t0 = performance.now();
        await store.append(stream, [event(revision)], revision === 0 ? 'no_stream' : revision - 1);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  latencies.sort((a, b) => a - b);
  return {
    writers,
    appendsPerSecond: round(latencies.length / seconds),
    events: latencies.length,
    latencyMs: { p50: +percentile(latencies, 50).toFixed(2), p99: +percentile(latencies, 99).toFixed(2) },
  };
}

async function readAllThroughput(file: string, log: Log) {
  const store = new SqliteEventStore({ file, synchronous: 'NORMAL' }); // filling is not what is measured
  for (let written = 0; written < READ_ALL_EVENTS; written += 1000) {
    await store.append(`consultation-${randomUUID()}`, Array.from({ length: 1000 }, (_, i) => event(written + i)), 'no_stream');
  }
  log(`  filled ${READ_ALL_EVENTS} events; reading`);
  let started = performance.now();
  const all = await store.readAll();
  const oneCall = all.length / ((performance.now() - started) / 1000);
  // Pages of 500, as a subscription's catch-up reads.
  started = performance.now();
  let read = 0;
  for (let page = await store.readAll({ maxCount: 500 }); page.length > 0; ) {
    read += page.length;
    page = await store.readAll({ from: page.at(-1)!.position, maxCount: 500 });
  }
  const paged = read / ((performance.now() - started) / 1000);
  await store.close();
  return { events: all.length, eventsPerSecondOneCall: round(oneCall), eventsPerSecondPagesOf500: round(paged) };
}

export async function run(log: Log, options: BenchOptions) {
  if (options.quick) [BASELINE_MS, GROUP_COMMIT_MS, SEQUENTIAL_MS, READ_ALL_EVENTS] = [300, 400, 200, 5_000];
  return inTempDir(async (dir) => {
    log(`baseline: one raw transaction per event, synchronous=FULL, ${BASELINE_MS} ms`);
    const raw = baseline(join(dir, 'baseline.db'));
    log(`  ${raw.appendsPerSecond} appends/s`);

    log(`group commit: ${WRITERS} concurrent writers, single-event appends, synchronous=FULL, ${GROUP_COMMIT_MS} ms`);
    const grouped = await concurrentAppends(join(dir, 'group.db'), WRITERS, GROUP_COMMIT_MS);
    log(`  ${grouped.appendsPerSecond} appends/s (p50 ${grouped.latencyMs.p50} ms, p99 ${grouped.latencyMs.p99} ms)`);

    log(`adapter, one writer awaiting each append, synchronous=FULL, ${SEQUENTIAL_MS} ms`);
    const sequential = await concurrentAppends(join(dir, 'sequential.db'), 1, SEQUENTIAL_MS);
    log(`  ${sequential.appendsPerSecond} appends/s`);

    log(`readAll over ${READ_ALL_EVENTS} events`);
    const readAll = await readAllThroughput(join(dir, 'read.db'), log);
    log(`  ${readAll.eventsPerSecondOneCall} events/s in one call, ${readAll.eventsPerSecondPagesOf500} events/s in pages of 500`);

    const ratio = +(grouped.appendsPerSecond / raw.appendsPerSecond).toFixed(2);
    return {
      directory: tmpdir(),
      baselineOneTransactionPerEvent: raw,
      groupCommit: grouped,
      groupCommitOverBaseline: ratio,
      adapterSingleWriter: sequential,
      readAll,
    };
  });
}
