// The admin listener in `npm start`'s process: with ADMIN_PORT it listens on loopback beside the
// API, behind ADMIN_PASSWORD, and its /metrics shows the API's requests; production refuses an
// admin port without a password before anything is opened. (The listener itself: test/http/admin.test.ts.)
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MAIL_QUEUE } from '../src/workers/jobs.ts';
import { testPrefix } from './helpers/mail-system.ts';
import { startServerProcess } from './helpers/server-process.ts';
import { tempDir } from './helpers/temp-store.ts';

t.setTimeout(120_000);
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', AUTH_SECRET: 'x'.repeat(40), NODE_ENV: 'development', SMTP_URL: '', ADMIN_HOST: '', EVENTSTORE_URL: '', DATABASE_URL: '' };

t.test('ADMIN_PORT=0: the admin listener on 127.0.0.1 behind ADMIN_PASSWORD, its /metrics counting the API\'s requests, its dashboard the mail queue', async (t) => {
  const password = 'an-admin-password-for-tests';
  const server = startServerProcess(t, process.execPath, ['--import', 'tsx/esm', main], { env: { ...env, DATA_DIR: tempDir(t), ADMIN_PORT: '0', ADMIN_PASSWORD: password, QUEUE_PREFIX: testPrefix(t) } });
  const api = await server.address;
  const logged = await server.waitForLog((l) => typeof l.admin === 'string');
  const admin = logged.admin as string;
  t.match(admin, /^http:\/\/127\.0\.0\.1:\d+$/, 'loopback by default');
  t.equal(logged.auth, 'basic');
  t.notOk(JSON.stringify(server.logs).includes(password), 'the password is not logged');
  t.equal((await fetch(`${api}/healthz`)).status, 200);
  t.equal((await fetch(`${admin}/metrics`)).status, 401, 'without the password');
  const authorization = `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;
  const res = await fetch(`${admin}/metrics`, { headers: { authorization } });
  t.equal(res.status, 200);
  const text = await res.text();
  t.match(text, /http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} 1/);
  t.match(text, new RegExp(`consult_queue_jobs\\{queue="${MAIL_QUEUE}",state="waiting"\\} 0`), 'the mail queue\'s depths (ROLE=all runs the relay)');
  const queues = await (await fetch(`${admin}/queues/api/queues`, { headers: { authorization } })).json() as { queues: { name: string }[] };
  t.same(queues.queues.map((q) => q.name), [MAIL_QUEUE], 'the dashboard shows the mail queue');
  server.child.kill('SIGTERM');
  t.equal((await server.exited).code, 0, 'both listeners closed on SIGTERM');
});

t.test('with NODE_ENV=production it refuses an admin port without ADMIN_PASSWORD', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', main], {
    env: { ...env, NODE_ENV: 'production', AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), SMTP_URL: 'smtp://127.0.0.1:2525', ADMIN_PORT: '3001', ADMIN_PASSWORD: '', DATA_DIR: tempDir(t), QUEUE_PREFIX: 'unused' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.equal(code, 1);
  t.match(stderr, /ADMIN_PASSWORD is required with ADMIN_PORT when NODE_ENV=production/);
});
