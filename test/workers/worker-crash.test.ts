// A mail worker killed with SIGKILL in the middle of a run, and started again: every due e-mail
// arrives, each is recorded exactly once, and the only repeats are of messages whose record the
// crash cut off, carrying the same Message-ID (so that mail systems drop them). The worker is a
// child process (fixtures/mail-worker-child.ts) on the same SQLite store as this process's API and
// relay; the SMTP server takes 150 ms per message so that the kill lands while messages are in flight.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import t, { type Test } from 'tap';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { REDIS_URL, startMail, until } from '../helpers/mail-system.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { SqliteKeyStore } from '../../src/privacy/sqlite-key-store.ts';

t.setTimeout(180_000);

/** The worker child: its JSON log lines as they come, and its exit. */
function workerProcess(t: Test, file: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', file], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let running = true;
  void exited.then(() => { running = false; });
  t.teardown(() => { if (running) child.kill('SIGKILL'); });
  const lines: Array<{ msg?: string }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as { msg?: string });
    } catch {
      // not a log line
    }
  });
  const waitForLog = (msg: string) => until(`the worker logs "${msg}"`, () => lines.some((l) => l.msg === msg), 30_000);
  return { child, exited, waitForLog };
}

const child = fileURLToPath(new URL('./fixtures/mail-worker-child.ts', import.meta.url));
const STAKEHOLDERS = 16;
const CONCURRENCY = 4;

t.test('SIGKILL mid-run, then a restart: every invitation arrives and is recorded once; a repeat only with the same Message-ID', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.sqlite');
  const keysFile = path.join(dir, 'keys.sqlite');
  const store = new SqliteEventStore({ file });
  t.teardown(() => store.close());
  const keys = new SqliteKeyStore(keysFile);
  t.teardown(() => keys.close());
  const api = await startApi(t, { store, keys });
  const mail = await startMail(t, { store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, worker: false, sinkOptions: { acceptDelayMs: 150 } });
  const id = await openConsultation(api);
  for (let i = 0; i < STAKEHOLDERS; i++) {
    await inviteThroughApi(api, id, { organisation: `Organisation ${i}`, kind: 'civil-society', language: 'en', endorser: false, contact: { name: `Focal point ${i}`, email: `focal${i}@example.org` } });
  }
  await until('every job queued', async () => (await mail.system.health()).relay?.behind === 0);

  const env = { ...process.env, STORE_FILE: file, KEYS_FILE: keysFile, REDIS_URL, QUEUE_PREFIX: mail.prefix, SMTP_URL: mail.sink.url };
  const start = () => workerProcess(t, child, env);
  const first = start();
  await first.waitForLog('mail worker ready');
  await until('a few messages through', () => mail.sink.received.length >= 3);
  await new Promise((r) => setTimeout(r, 60)); // into the next messages' 150 ms: sent, not yet accepted
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  t.equal(killed.signal, 'SIGKILL');
  const before = mail.sink.received.length;
  t.ok(before < STAKEHOLDERS, `killed mid-run (${before} of ${STAKEHOLDERS} through)`);

  const second = start();
  await second.waitForLog('mail worker ready');
  await until('every invitation recorded', async () => (await mail.records(id)).length >= STAKEHOLDERS, 60_000);

  const records = await mail.records(id);
  const recorded = records.map((r) => r.data['messageId'] as string);
  t.equal(records.length, STAKEHOLDERS, 'one record per invitation');
  t.equal(new Set(recorded).size, STAKEHOLDERS, 'each recorded once');
  const arrived = await Promise.all(mail.sink.received.map(async (r) => (await simpleParser(r.raw)).messageId!));
  t.same(new Set(arrived), new Set(recorded), 'every recorded message arrived, and nothing else did');
  const repeats = arrived.length - new Set(arrived).size;
  t.ok(repeats <= CONCURRENCY, `at most the messages in flight at the kill came again (${repeats}), with their own Message-ID`);
  t.same(new Set(mail.sink.received.flatMap((r) => r.rcptTo)).size, STAKEHOLDERS, 'every stakeholder reached');
  second.child.kill('SIGTERM');
  t.equal((await second.exited).code, 0, 'the restarted worker stops cleanly on SIGTERM');
});
