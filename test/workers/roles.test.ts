// src/main.ts by ROLE, as real processes: ROLE=all (the default) serves the API and sends the
// invitation an API command caused; ROLE=api and ROLE=workers side by side on one data directory
// split the two (the API process runs no relay, the workers process no HTTP); with Redis down the
// API still takes commands and /healthz says Redis is unreachable.
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { issueToken } from '../../src/auth/tokens.ts';
import { AUTH_SECRET, OPEN_BODY, DRAFT_BODY } from '../helpers/http.ts';
import { REDIS_URL, testPrefix, until } from '../helpers/mail-system.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { tempDir } from '../helpers/temp-store.ts';

t.setTimeout(180_000);
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

function start(t: Test, env: Record<string, string>): ServerProcess {
  return startServerProcess(t, process.execPath, ['--import', 'tsx/esm', main], {
    env: {
      ...process.env, PORT: '0', HOST: '127.0.0.1', AUTH_SECRET, LOG_LEVEL: 'info', NODE_ENV: 'development', EVENTSTORE_URL: '', DATABASE_URL: '',
      PUBLIC_URL: 'https://consult.example.org', MAIL_FROM: 'Gender Office <consult@gov.example>', REDIS_URL, REMINDER_OFFSETS: '7d', ...env,
    },
  });
}

async function stop(t: Test, s: ServerProcess): Promise<void> {
  s.child.kill('SIGTERM');
  t.equal((await s.exited).code, 0, 'clean exit on SIGTERM');
}

/** Opens a consultation with a draft and invites one organisation through the API at `address`. */
async function inviteOne(address: string, email: string): Promise<string> {
  const token = await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'Gender Office coordinator' });
  const call = async (url: string, body: unknown) => {
    for (let i = 0; ; i++) {
      const res = await fetch(`${address}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status === 503 && i < 100) { // VIEWS_REBUILDING right after start
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (res.status !== 201) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ id?: string; stakeholderId?: string }>;
    }
  };
  const { id } = await call('/consultations', OPEN_BODY);
  await call(`/consultations/${id}/drafts`, DRAFT_BODY);
  await call(`/consultations/${id}/stakeholders`, { organisation: 'Women\'s Peace Network', kind: 'civil-society', language: 'en', endorser: false, contact: { name: 'Ioana Marin', email } });
  return id!;
}

async function health(address: string) {
  return (await fetch(`${address}/healthz`)).json() as Promise<{ status: string; mail: { redis: { reachable: boolean }; relay: { state: string } | null; worker: { running: boolean } | null } | null }>;
}

function arrived(sink: SmtpSink, email: string): boolean {
  return sink.received.some((r) => r.rcptTo.includes(email));
}

t.test('ROLE=all (the default): the API, the relay and the workers in one process', async (t) => {
  const sink = await startSmtpSink(t);
  const server = start(t, { DATA_DIR: tempDir(t), SMTP_URL: sink.url, QUEUE_PREFIX: testPrefix(t) });
  const address = await server.address;
  t.ok(server.logs.some((l) => l.role === 'all'), 'logs its role');
  await inviteOne(address, 'ioana@wpn.example');
  await until('the invitation', () => arrived(sink, 'ioana@wpn.example'), 30_000);
  await until('the relay live', async () => (await health(address)).mail?.relay?.state === 'live', 10_000);
  t.match(await health(address), { status: 'ok', mail: { redis: { reachable: true }, relay: { state: 'live' }, worker: { running: true } } });
  await stop(t, server);
});

t.test('ROLE=api and ROLE=workers on one data directory: the API takes the command, the workers send', async (t) => {
  const sink = await startSmtpSink(t);
  const dataDir = tempDir(t);
  const prefix = testPrefix(t);
  const api = start(t, { DATA_DIR: dataDir, SMTP_URL: '', QUEUE_PREFIX: prefix, ROLE: 'api' });
  const address = await api.address;
  const workers = start(t, { DATA_DIR: dataDir, SMTP_URL: sink.url, QUEUE_PREFIX: prefix, ROLE: 'workers' });
  const probe = await workers.address; // its health listener only
  await workers.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('workers started: the relay follows the log, the senders take jobs'));
  t.equal((await fetch(`${probe}/consultations`)).status, 404, 'the workers process serves no API');
  t.notOk(api.logs.some((l) => l.mail === 'file' || l.mail === 'smtp'), 'the API process sends no mail (no transport, no SMTP_URL needed)');

  await inviteOne(address, 'elena@wpn.example');
  await until('the invitation, sent by the workers process', () => arrived(sink, 'elena@wpn.example'), 30_000);
  t.match(await health(address), { status: 'ok', mail: { redis: { reachable: true }, relay: null, worker: null } }, 'the API watches Redis, runs neither');
  await until('the workers\' relay live', async () => (await health(probe)).mail?.relay?.state === 'live', 10_000);
  t.match(await health(probe), { status: 'ok', role: 'workers', store: { reachable: true }, mail: { redis: { reachable: true }, relay: { state: 'live' }, worker: { running: true } } },
    'ROLE=workers answers /healthz on PORT: the mail section of its relay and worker');
  await stop(t, workers);
  await stop(t, api);
});

t.test('Redis down: the API takes commands, /healthz says Redis is unreachable', async (t) => {
  // a port nothing listens on
  const server = start(t, { DATA_DIR: tempDir(t), SMTP_URL: '', REDIS_URL: 'redis://127.0.0.1:1', QUEUE_PREFIX: 'unused' });
  const address = await server.address;
  await inviteOne(address, 'dana@wpn.example');
  const h = await health(address);
  t.equal(h.status, 'ok', 'live');
  t.equal(h.mail?.redis.reachable, false);
  await stop(t, server);
});
