// Stopping `npm start`, the README's start command, run through npm itself: SIGTERM or SIGINT to
// the npm process (and Ctrl-C, which signals npm and node together) answers the requests in
// flight, closes the store, exits 0, and leaves no process serving the port. A second signal, or a
// stop that takes longer than 10 s, exits 1.
import t from 'tap';
import { request, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueToken } from '../src/auth/tokens.ts';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.ts';
import { AUTH_SECRET, OPEN_BODY } from './helpers/http.ts';
import { testPrefix } from './helpers/mail-system.ts';
import { descendantsOf, eventually, isAlive, startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { tempDir } from './helpers/temp-store.ts';

t.setTimeout(240_000);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
type Tap = Pick<typeof t, 'ok' | 'rejects' | 'teardown'>;

interface Started {
  server: ServerProcess;
  address: string;
  dataDir: string;
  token: string;
  /** npm and everything below it while it serves */
  tree: number[];
}

async function npmStart(t: Tap): Promise<Started> {
  const dataDir = tempDir(t);
  const server = startServerProcess(t, 'npm', ['start'], {
    cwd: repoRoot,
    // its own process group, as a terminal's foreground job is: Ctrl-C signals the whole group
    detached: true,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH_SECRET, LOG_LEVEL: 'info', NODE_ENV: 'development', EVENTSTORE_URL: '', TOKEN_MAX_LIFETIME: '', QUEUE_PREFIX: testPrefix(t) },
  });
  const address = await server.address;
  const token = await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'Gender Office coordinator' });
  t.ok(await eventually(async () => (await fetch(`${address}/readyz`)).status === 200, 30_000), 'ready');
  const tree = [server.child.pid!, ...descendantsOf(server.child.pid!)];
  const nodePid = server.logs.find((l) => typeof l.pid === 'number')?.pid;
  t.ok(tree.includes(nodePid as number), 'the serving node process runs under npm');
  return { server, address, dataDir, token, tree };
}

interface Upload {
  /** sends the rest of the body; resolves with the answer */
  finish(): Promise<{ status: number; body: string }>;
  /** resolves with the answer, or the error if the connection was dropped */
  settled: Promise<{ status: number; body: string } | Error>;
}

/** A POST /consultations whose body is sent in two halves: between them it is in flight at the server. */
function startUpload(s: Started, key: string): Upload {
  const body = Buffer.from(JSON.stringify({ ...OPEN_BODY, title: `Consultation ${key}` }));
  const url = new URL('/consultations', s.address);
  let settle!: (v: { status: number; body: string } | Error) => void;
  const settled = new Promise<{ status: number; body: string } | Error>((resolve) => { settle = resolve; });
  const req = request(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', 'content-length': body.length, 'idempotency-key': key },
  }, (res: IncomingMessage) => {
    let text = '';
    res.on('data', (c: Buffer) => { text += c.toString(); });
    res.on('end', () => settle({ status: res.statusCode ?? 0, body: text }));
    res.on('error', settle);
  });
  req.on('error', settle);
  req.write(body.subarray(0, 20));
  return {
    settled,
    finish: async () => {
      req.end(body.subarray(20));
      const result = await settled;
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

/** `count` uploads, each one received by the server (its "incoming request" logged) and waiting for the rest of its body. */
async function uploadsInFlight(t: Tap, s: Started, count: number, prefix: string): Promise<Upload[]> {
  const uploads = Array.from({ length: count }, (_, i) => startUpload(s, `${prefix}-${i}`));
  const incoming = () => s.server.logs.filter((l) => l.msg === 'incoming request' && (l.req as { method?: string } | undefined)?.method === 'POST').length;
  t.ok(await eventually(() => incoming() >= count, 30_000), `${count} requests in flight`);
  return uploads;
}

/** Fast requests fired without waiting, as other clients would. Each ends answered or refused; none hangs. */
function burst(s: Started, count: number): Promise<(number | string)[]> {
  return Promise.all(Array.from({ length: count }, () =>
    fetch(`${s.address}/consultations`, { headers: { authorization: `Bearer ${s.token}` } }).then((r) => r.status, (e: Error) => `refused: ${(e.cause as { code?: string } | undefined)?.code ?? e.message}`)));
}

async function assertGone(t: Tap, s: Started) {
  await t.rejects(fetch(`${s.address}/healthz`), 'the port no longer answers');
  t.ok(await eventually(() => s.tree.every((pid) => !isAlive(pid)), 10_000), `no process left of npm's tree (${s.tree.join(', ')})`);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} to the npm process under load: in-flight requests answered, store closed, exit 0, nothing left`, async (t) => {
    const s = await npmStart(t);
    const uploads = await uploadsInFlight(t, s, 8, signal);
    const others = burst(s, 20);
    process.kill(s.server.child.pid!, signal);
    await s.server.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
    const answers = await Promise.all(uploads.map((u) => u.finish()));
    t.same(answers.map((a) => a.status), uploads.map(() => 201), 'every request in flight was answered');
    const outcomes = await others;
    t.ok(outcomes.every((o) => o === 200 || o === 503 || String(o).startsWith('refused')), `the others were answered or refused, none hung: ${[...new Set(outcomes)].join(', ')}`);

    const exit = await s.server.exited;
    t.same(exit, { code: 0, signal: null }, 'npm exits 0', exit.code === 0 ? {} : { logs: s.server.logs.slice(-8).map((l) => l.msg), stderr: s.server.stderr().slice(-2000) });
    t.ok(s.server.logs.some((l) => l.msg === 'stopped: requests answered, store closed'), 'logs the clean stop');
    await assertGone(t, s);
    const store = new SqliteEventStore({ file: path.join(s.dataDir, 'events.sqlite') });
    t.teardown(() => store.close());
    const opened = (await store.readAll()).filter((e) => e.type === 'ConsultationOpened');
    t.equal(opened.length, 8, 'what the answered requests did is in the store');
  });
}

t.test('Ctrl-C (SIGINT to npm and node at once) is one stop, not two: exit 0', async (t) => {
  const s = await npmStart(t);
  const uploads = await uploadsInFlight(t, s, 3, 'ctrl-c');
  process.kill(-s.server.child.pid!, 'SIGINT'); // the whole process group, as the terminal does
  await s.server.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
  t.same((await Promise.all(uploads.map((u) => u.finish()))).map((a) => a.status), [201, 201, 201]);
  t.same(await s.server.exited, { code: 0, signal: null });
  t.notOk(s.server.logs.some((l) => l.msg === 'second signal while shutting down: exiting now'));
  await assertGone(t, s);
});

t.test('a second signal during the stop exits 1 at once', async (t) => {
  const s = await npmStart(t);
  const [stuck] = await uploadsInFlight(t, s, 1, 'second'); // never finished: the stop would wait for it
  process.kill(s.server.child.pid!, 'SIGTERM');
  await s.server.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
  await new Promise((r) => setTimeout(r, 1_500)); // later than a Ctrl-C's echo
  process.kill(s.server.child.pid!, 'SIGTERM');
  t.equal((await s.server.exited).code, 1);
  t.ok(s.server.logs.some((l) => l.msg === 'second signal while shutting down: exiting now'));
  t.ok((await stuck!.settled) instanceof Error, 'the unfinished request was cut off');
  await assertGone(t, s);
});

t.test('a stop that takes longer than 10 s exits 1', async (t) => {
  const s = await npmStart(t);
  const [stuck] = await uploadsInFlight(t, s, 1, 'slow');
  process.kill(s.server.child.pid!, 'SIGTERM');
  t.equal((await s.server.exited).code, 1);
  t.ok(s.server.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('shutdown did not finish within 10 s')));
  t.ok((await stuck!.settled) instanceof Error);
  await assertGone(t, s);
});
