// `cold-start`: the production start command (`node dist/main.js`, built here) over a store of about 100,000 events (--quick: a few
// thousand), timed from spawn to the first answer of /healthz (the port is open) and to /readyz 200
// (the views caught up), twice: first with an empty view store (every view built from the events),
// then again on the same data directory (the SQLite view store resumes from its checkpoint). The
// baseline, in the same run, is a raw scan + JSON.parse of the same rows.
// Issue 9's targets: /readyz within 3 s from an empty view store, within 2 s resuming.
import { generateKeyPairSync } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { inTempDir, target, type BenchOptions, type Log } from './common.ts';
import { writeHistory } from './history.ts';
import { buildProduction } from './production-build.ts';

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
    const file = join(dataDir, 'data', 'events.sqlite');
    const store = new SqliteEventStore({ file, synchronous: 'NORMAL' });
    const { events } = await writeHistory(store, { ...size, progress: (n) => log(`  written ${n} events`) });
    await store.close();
    log(`history: ${events} events in ${size.consultations} consultations`);

    const db = new Database(file, { readonly: true });
    const started = performance.now();
    for (const row of db.prepare('SELECT data, metadata FROM events ORDER BY sequence').iterate() as Iterable<{ data: string; metadata: string }>) {
      JSON.parse(row.data);
      JSON.parse(row.metadata);
    }
    const scanSeconds = (performance.now() - started) / 1000;
    db.close();

    log('building the production entry (npm run build into a temporary directory)');
    const main = buildProduction(dataDir);
    log('starting the server (node dist/main.js) on an empty view store');
    const empty = await timeStart(main, dataDir);
    log('starting it again: the views resume from their checkpoint');
    const resumed = await timeStart(main, dataDir);
    log(`raw scan ${scanSeconds.toFixed(2)} s; empty views: /healthz after ${empty.live.toFixed(2)} s, /readyz after ${empty.ready.toFixed(2)} s; `
      + `resuming: /healthz after ${resumed.live.toFixed(2)} s, /readyz after ${resumed.ready.toFixed(2)} s`);
    const fixed = (x: number) => Number(x.toFixed(2));
    return {
      events,
      baselineScanSeconds: fixed(scanSeconds),
      healthzSeconds: fixed(empty.live),
      readyzSeconds: fixed(empty.ready),
      resumedHealthzSeconds: fixed(resumed.live),
      resumedReadyzSeconds: fixed(resumed.ready),
      viewStore: 'sqlite (DATA_DIR/views.sqlite)',
      ...target('readyzSeconds <= 3 from empty views and resumedReadyzSeconds <= 2', empty.ready <= 3 && resumed.ready <= 2),
    };
  });
}

/** Starts the server on the data directory; seconds from spawn to /healthz and to /readyz answering 200; then stops it. */
async function timeStart(main: string, dataDir: string): Promise<{ live: number; ready: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--enable-source-maps', main], {
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(dataDir, 'data'), LOG_LEVEL: 'info', AUTH_SECRET: 'bench-secret-0123456789abcdef0123456789', AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), SMTP_URL: 'smtp://127.0.0.1:2525', VERIFY_INTERVAL: 'off' },
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
    return { live, ready };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
