// `cold-start`: the server's start command (`npm start`'s node command, on the TypeScript loader: the
// compiled production entry is issue 9's) over a store of about 100,000 events (--quick: a few
// thousand), timed from spawn to the first answer of /healthz (the port is open) and to /readyz 200
// (the views caught up); the baseline, in the same run, is a raw scan + JSON.parse of the same rows.
// Issue 9's target: /readyz within 2 s resuming from stored views (3 s from an empty view store);
// today the views are in memory, so every start replays from scratch.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { inTempDir, target, type BenchOptions, type Log } from './common.ts';
import { writeHistory } from './history.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function firstOk(url: string, deadline: number): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return performance.now();
    } catch { /* not listening yet */ }
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function run(log: Log, options: BenchOptions) {
  const size = options.quick ? { consultations: 5, shape: { stakeholders: 10, comments: 100 } } : { consultations: 100, shape: { stakeholders: 60, comments: 730 } };
  return inTempDir('bench-cold-start-', async (dataDir) => {
    const file = join(dataDir, 'events.sqlite');
    const store = new SqliteEventStore({ file, synchronous: 'NORMAL' });
    const { events } = await writeHistory(store, { ...size, progress: (n) => log(`  written ${n} events`) });
    await store.close();
    log(`history: ${events} events in ${size.consultations} consultations`);

    const db = new Database(file, { readonly: true });
    let started = performance.now();
    for (const row of db.prepare('SELECT data, metadata FROM events ORDER BY sequence').iterate() as Iterable<{ data: string; metadata: string }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
    }
    const scanSeconds = (performance.now() - started) / 1000;
    db.close();

    log('starting the server');
    started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx/esm', MAIN], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', AUTH_SECRET: 'bench-secret-0123456789abcdef0123456789', VERIFY_INTERVAL: 'off' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the server did not log its address within 10 minutes')), 600_000);
        child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          const entry = JSON.parse(line) as { address?: unknown };
          if (typeof entry.address === 'string') {
            clearTimeout(timer);
            resolve(entry.address);
          }
        });
      });
      const deadline = performance.now() + 600_000;
      const live = (await firstOk(`${address}/healthz`, deadline) - started) / 1000;
      const ready = (await firstOk(`${address}/readyz`, deadline) - started) / 1000;
      log(`raw scan ${scanSeconds.toFixed(2)} s; /healthz after ${live.toFixed(2)} s, /readyz after ${ready.toFixed(2)} s`);
      return {
        events,
        baselineScanSeconds: Number(scanSeconds.toFixed(2)),
        healthzSeconds: Number(live.toFixed(2)),
        readyzSeconds: Number(ready.toFixed(2)),
        viewStore: 'memory (replayed at every start)',
        ...target('readyzSeconds <= 3 from empty views (<= 2 resuming stored views)', ready <= 3),
      };
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
}
