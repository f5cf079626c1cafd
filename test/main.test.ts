// `npm start`'s entry point as a real process: it starts cleanly on the embedded defaults, logs
// where its data lives, answers /healthz and /readyz, and stops on SIGTERM. A bad setting stops it at once.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers/temp-store.ts';

t.setTimeout(60_000);
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

t.test('starts on the embedded SQLite store, serves /healthz, stops on SIGTERM', async (t) => {
  const dataDir = tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx/esm', main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', AUTH_SECRET: '', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  t.teardown(() => { child.kill('SIGKILL'); });
  const logs: Record<string, unknown>[] = [];
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not log its address within 30 s')), 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry.address === 'string') {
        clearTimeout(timer);
        resolve(entry.address);
      }
    });
  });
  t.ok(logs.some((l) => l.dataDir === dataDir && l.store === 'sqlite'), 'logs where its data lives');
  // without AUTH_SECRET: a development secret in the data directory and a ready-to-paste token on the terminal
  for (let i = 0; i < 100 && !stderr.includes('export TOKEN='); i++) await new Promise((r) => setTimeout(r, 100));
  const token = /export TOKEN=(\S+)/.exec(stderr)?.[1];
  t.ok(token, 'a coordinator token is printed at start');
  t.notOk(logs.some((l) => JSON.stringify(l).includes(token!)), 'the token is not in the JSON logs');
  const authorised = await fetch(`${address}/consultations`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(authorised.status, 200, 'the printed token works');
  const response = await fetch(`${address}/healthz`);
  t.equal(response.status, 200);
  const health = await response.json() as { status: string; store: unknown; projections: { name: string }[] };
  t.match(health, { status: 'ok', store: { kind: 'sqlite', reachable: true } });
  t.same(health.projections.map((p) => p.name), ['consultations-list', 'stakeholders', 'sign-off', 'comment-matrix', 'drafts']);
  let ready = await fetch(`${address}/readyz`);
  for (let i = 0; i < 100 && ready.status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    ready = await fetch(`${address}/readyz`);
  }
  t.same(await ready.json(), { ready: true, store: { reachable: true, writable: true }, projectionsCaughtUp: true }, 'ready once the views caught up');

  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'clean exit on SIGTERM');
});

t.test('a bad setting stops the start with a message naming it', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', main], {
    env: { ...process.env, PORT: 'eighty', DATA_DIR: tempDir(t) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.equal(code, 1);
  t.match(stderr, /invalid configuration:[\s\S]*PORT="eighty"/);
});

t.test('with NODE_ENV=production it refuses to start without AUTH_SECRET', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', main], {
    env: { ...process.env, NODE_ENV: 'production', AUTH_SECRET: '', PORT: '0', DATA_DIR: tempDir(t) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.equal(code, 1);
  t.match(stderr, /AUTH_SECRET is required when NODE_ENV=production/);
});
