// `npm start`'s entry point as a real process: it starts cleanly on the embedded defaults, logs
// where its data lives, answers /healthz and /readyz, and stops on SIGTERM. A bad setting stops it at once.
// Its token hint works as printed, and it enforces TOKEN_MAX_LIFETIME and revocations while it runs.
// (Stopping through npm itself: test/npm-start.test.ts.)
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { consult } from './helpers/consult.ts';
import { testPrefix } from './helpers/mail-system.ts';
import { eventually, startServerProcess } from './helpers/server-process.ts';
import { tempDir } from './helpers/temp-store.ts';

t.setTimeout(120_000);
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const bin = fileURLToPath(new URL('../bin/consult.js', import.meta.url));

t.test('starts on the embedded SQLite store, serves /healthz, stops on SIGTERM', async (t) => {
  const dataDir = tempDir(t);
  const child = spawn(process.execPath, ['--import', 'tsx/esm', main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', AUTH_SECRET: '', NODE_ENV: 'development', SMTP_URL: '', QUEUE_PREFIX: testPrefix(t) },
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
  t.ok(logs.some((l) => l.mail === 'file' && l.outbox === join(dataDir, 'outbox')), 'without SMTP_URL, e-mail goes to the file outbox in the data directory');
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
  t.same(health.projections.map((p) => p.name), ['consultations-list', 'stakeholders', 'sign-off', 'comment-matrix', 'drafts', 'consultation-settings', 'held-replies']);
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

t.test('with NODE_ENV=production it refuses to start without AUDIT_SIGNING_KEY', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', main], {
    env: { ...process.env, NODE_ENV: 'production', AUTH_SECRET: 'x'.repeat(40), AUDIT_SIGNING_KEY: '', SMTP_URL: 'smtp://127.0.0.1:2525', PORT: '0', DATA_DIR: tempDir(t) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.equal(code, 1);
  t.match(stderr, /AUDIT_SIGNING_KEY is required when NODE_ENV=production/);
});

t.test('with NODE_ENV=production it refuses to start without SMTP_URL', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', main], {
    env: { ...process.env, NODE_ENV: 'production', AUTH_SECRET: 'x'.repeat(40), AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), SMTP_URL: '', PORT: '0', DATA_DIR: tempDir(t) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.equal(code, 1);
  t.match(stderr, /SMTP_URL is required when NODE_ENV=production/);
});

t.test('tokens against the running server: the start-up hint works as printed, a longer-lived token is refused, a revoked one too, without a restart', async (t) => {
  const dataDir = tempDir(t); // not the default ./data: the hint must name it
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const server = startServerProcess(t, process.execPath, ['--import', 'tsx/esm', main], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, TOKEN_MAX_LIFETIME: '8h', LOG_LEVEL: 'info', AUTH_SECRET: '', NODE_ENV: 'development', EVENTSTORE_URL: '', QUEUE_PREFIX: testPrefix(t) },
  });
  const address = await server.address;
  t.ok(await eventually(() => /\n {2}\S.*npx consult token .*\n/.test(server.stderr())), 'a token command is printed');
  const hint = /^ {2}(.*npx consult token .*)$/m.exec(server.stderr())![1]!;
  t.match(hint, `DATA_DIR=${dataDir} TOKEN_MAX_LIFETIME=8h npx consult token --role coordinator --subject developer`);
  t.ok(server.logs.some((l) => l.tokenCommand === hint), 'and logged');

  // exactly as printed, through a shell, in the repository, with none of the server's settings
  const clean = { ...process.env, DATA_DIR: '', TOKEN_MAX_LIFETIME: '', AUTH_SECRET: '', EVENTSTORE_URL: '', NODE_ENV: '' };
  const printed = spawnSync('sh', ['-c', hint], { cwd: repoRoot, env: clean, encoding: 'utf8' });
  t.equal(printed.status, 0, printed.stderr);
  const token = printed.stdout.trim();
  const call = (bearer: string) => fetch(`${address}/consultations`, { headers: { authorization: `Bearer ${bearer}` } });
  t.equal((await call(token)).status, 200, 'the hint\'s token is accepted');

  // the CLI run with the default maximum signs a 30-day token; this server allows 8h
  const long = await consult(['token', '--role', 'coordinator', '--subject', 'developer'], { env: { DATA_DIR: dataDir } });
  t.equal(long.status, 0, long.stderr);
  const refused = await call(long.stdout.trim());
  t.equal(refused.status, 401, 'a 30-day token against TOKEN_MAX_LIFETIME=8h');
  t.match(await refused.json(), { code: 'INVALID_TOKEN' });

  const other = /export TOKEN=(\S+)/.exec(server.stderr())![1]!; // the one printed when the secret was created
  const jti = /token id \(jti\) (\S+),/.exec(printed.stderr)![1]!;
  const revoke = spawnSync(process.execPath, [bin, 'token', 'revoke', jti], { env: { ...clean, DATA_DIR: dataDir }, encoding: 'utf8' });
  t.equal(revoke.status, 0, revoke.stderr);
  let last = await call(token);
  t.ok(await eventually(async () => (last = await call(token)).status === 401, 10_000), 'refused soon after the revocation, by the same process');
  t.match(await last.json(), { code: 'TOKEN_REVOKED', status: 401 });
  t.equal((await call(other)).status, 200, 'another token of the same subject still works');
  t.equal(server.child.exitCode, null, 'no restart');
});
