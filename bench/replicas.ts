// `replicas`: two API processes on one SQLite event store (the same DATA_DIR) and one PostgreSQL view
// store (the same DATABASE_URL and a DATABASE_SCHEMA of this run's own, dropped at the end), both
// started as production starts them (`node --enable-source-maps dist/main.js`, built here,
// NODE_ENV=production, synchronous=FULL, info logs to a file each), at the same moment: one takes the
// views' writer lease, the other follows (/healthz says which). The store holds 50 consultations
// (--quick: 2), each with a published draft and invited stakeholders, written straight into it by
// history.ts before the start. Then 32 loops per replica (--quick: 4), for 15 s (--quick: 2 s), each:
// POST a comment on its own replica (a coordinator's token, an Idempotency-Key), and at once, on
// the OTHER replica, GET that comment (a stale read: anything but 200 with that comment) and GET the
// consultation (its counts.commentsReceived must hold every comment acknowledged for it, by any
// loop, before that read was sent). Loop g's k-th command is for consultation (g + k) mod C, so both
// replicas write every consultation and their writes race on its expected revision.
// After the load, the writer is stopped (SIGTERM) and the time until the other replica writes the
// views is measured, with one command and its read-back on the survivor; then that one is stopped,
// the store read back (every acknowledged comment recorded), and both logs scanned for warnings and errors.
// Issue 9's target: 0 stale reads; here also 0 non-2xx and every acknowledged comment recorded. Was
// (2 CPUs): 0 stale of 1,652, 108 commands/s (60-70 in other runs), command p50 470 ms, p99 949 ms,
// read-back p50 52 ms; the views' writer commits a batch every 0.3-0.7 s (one PostgreSQL round trip
// per document it reads), which is what the commands wait for.
//
// BENCH_CPU_PROF_DIR=<dir> runs each replica under `node --cpu-prof`, its profile in <dir>/A and <dir>/B
// (summarise with bench/cpu-profile-top.ts --from <the seconds it logs>, as for http-throughput).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { mintToken } from '../src/auth/tokens.ts';
import { inTempDir, latencySummary, target, type BenchOptions, type Log } from './common.ts';
import { countComments, seedTargets, type ConsultationShape } from './history.ts';
import { buildProduction } from './production-build.ts';
import { startServer, untilReady, type Server } from './server-process.ts';

const SECRET = 'bench-secret-0123456789abcdef0123456789';
const SECTIONS = ['participation', 'protection', 'prevention', 'relief'] as const;
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test';

interface Size {
  consultations: number;
  shape: ConsultationShape;
  loopsPerReplica: number;
  seconds: number;
  progressEverySeconds: number;
}

const FULL: Size = { consultations: 50, shape: { stakeholders: 60, comments: 20 }, loopsPerReplica: 32, seconds: 15, progressEverySeconds: 5 };
const QUICK: Size = { consultations: 2, shape: { stakeholders: 4, comments: 2 }, loopsPerReplica: 4, seconds: 2, progressEverySeconds: 1 };

interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

/** One keep-alive connection pool per replica; `send` is one request on it. */
class Replica {
  readonly agent: Agent;
  readonly url: URL;
  constructor(readonly name: string, readonly server: Server, sockets: number) {
    this.url = new URL(server.address);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request({
        agent: this.agent, host: this.url.hostname, port: this.url.port, method, path,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const location = res.headers.location;
          resolve({ status: res.statusCode ?? 0, location, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

interface HealthBody {
  projections: { name: string; state: string; behind: number | null }[];
}

async function health(replica: Replica): Promise<HealthBody> {
  const answer = await replica.send('GET', '/healthz', {});
  if (answer.status !== 200) throw new Error(`${replica.name}: /healthz answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as HealthBody;
}

const writes = (h: HealthBody) => h.projections.length > 0 && h.projections.every((p) => p.state !== 'following');
const follows = (h: HealthBody) => h.projections.length > 0 && h.projections.every((p) => p.state === 'following');

/** What one replica's loops saw. */
interface Tally {
  acknowledged: number;
  non2xx: number;
  /** requests that got no HTTP answer */
  errors: number;
  commandStatus: Record<string, number>;
  commandMs: number[];
  reads: number;
  staleReads: number;
  /** how the other replica answered the stale reads: status and code */
  staleAnswers: Record<string, number>;
  readMs: number[];
  countReads: number;
  /** counts.commentsReceived below what had been acknowledged for the consultation */
  countsBehind: number;
  countMs: number[];
}

const tally = (): Tally => ({
  acknowledged: 0, non2xx: 0, errors: 0, commandStatus: {}, commandMs: [],
  reads: 0, staleReads: 0, staleAnswers: {}, readMs: [], countReads: 0, countsBehind: 0, countMs: [],
});

const bump = (counts: Record<string, number>, key: string) => { counts[key] = (counts[key] ?? 0) + 1; };

function problemCode(body: string): string {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' ? code : '';
  } catch {
    return '';
  }
}

/** The warnings and errors in a pino log file: how many of each level, and the messages with their counts. */
function logProblems(file: string): { warnings: number; errors: number; messages: Record<string, number> } {
  let warnings = 0;
  let errors = 0;
  const messages: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if ((entry.level ?? 0) < 40) continue;
    if ((entry.level ?? 0) >= 50) errors++;
    else warnings++;
    const key = `${(entry.level ?? 0) >= 50 ? 'error' : 'warn'}: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message.slice(0, 160)})` : ''}`;
    bump(messages, key);
  }
  return { warnings, errors, messages };
}

export async function run(log: Log, options: BenchOptions) {
  const size = options.quick ? QUICK : FULL;
  const databaseUrl = process.env['TEST_DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
  const schema = `bench_replicas_${randomBytes(6).toString('hex')}`;
  return inTempDir('bench-replicas-', async (dir) => {
    const dataDir = join(dir, 'data');
    const file = join(dataDir, 'events.sqlite');
    const targets = await seedTargets(file, size.consultations, size.shape);
    const seeded = countComments(file);
    log(`store: ${size.consultations} consultations, each a published draft, ${size.shape.stakeholders} invited stakeholders and ${size.shape.comments} comments`);

    log('building the production entry (npm run build into a temporary directory)');
    const main = buildProduction(dir);
    const { token } = await mintToken(SECRET, { role: 'coordinator', subject: 'bench' });
    const env = {
      ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH_SECRET: SECRET, AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), SMTP_URL: 'smtp://127.0.0.1:2525',
      DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema, LOG_LEVEL: 'info', SQLITE_SYNCHRONOUS: 'FULL', VERIFY_INTERVAL: 'off',
      // the API alone (relay and mail workers run as ROLE=workers elsewhere), under a queue prefix of the run's own
      ROLE: 'api', QUEUE_PREFIX: `bench-${randomUUID()}`,
    };
    const logs = { A: join(dir, 'replica-a.log'), B: join(dir, 'replica-b.log') };
    const profileDir = process.env['BENCH_CPU_PROF_DIR'] ? resolve(process.env['BENCH_CPU_PROF_DIR']) : undefined;
    const running = new Set<Server>();
    const start = async (name: 'A' | 'B') => {
      const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [];
      const server = await startServer([...profile, '--enable-source-maps', main], env, logs[name]);
      running.add(server);
      return server;
    };
    const stop = async (server: Server) => {
      running.delete(server);
      await server.stop();
    };
    try {
      log(`starting replicas A and B at once (node dist/main.js): DATA_DIR shared, views in PostgreSQL schema ${schema}${profileDir ? `, profiled into ${profileDir}` : ''}`);
      const started = await Promise.allSettled([start('A'), start('B')]);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      const [serverA, serverB] = started.map((s) => (s as PromiseFulfilledResult<Server>).value) as [Server, Server];
      const sockets = size.loopsPerReplica * 2; // its own loops' commands, the other's loops' reads
      const a = new Replica('A', serverA, sockets);
      const b = new Replica('B', serverB, sockets);
      await Promise.all([untilReady(serverA.address), untilReady(serverB.address)]);
      const readyAfterSeconds = Number(((performance.now() - Math.min(serverA.spawnedAt, serverB.spawnedAt)) / 1000).toFixed(2));
      const [healthA, healthB] = await Promise.all([health(a), health(b)]);
      const writer = writes(healthA) && follows(healthB) ? a : writes(healthB) && follows(healthA) ? b : null;
      if (!writer) {
        throw new Error(`expected one replica writing the views and the other following; A: ${JSON.stringify(healthA.projections.map((p) => p.state))}, `
          + `B: ${JSON.stringify(healthB.projections.map((p) => p.state))}`);
      }
      const follower = writer === a ? b : a;
      log(`both ready after ${readyAfterSeconds} s: ${writer.name} writes the views, ${follower.name} follows`);

      // what every consultation held before the load, as the views say
      const commentsBefore = new Map<string, number>();
      for (const { consultationId } of targets) {
        const answer = await follower.send('GET', `/consultations/${consultationId}`, { authorization: `Bearer ${token}` });
        if (answer.status !== 200) throw new Error(`GET /consultations/${consultationId} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
        commentsBefore.set(consultationId, (JSON.parse(answer.body) as { counts: { commentsReceived: number } }).counts.commentsReceived);
      }
      /** comments acknowledged (201) per consultation so far, by any loop on any replica */
      const acknowledgedFor = new Map(targets.map((t) => [t.consultationId, 0]));

      const tallies = { A: tally(), B: tally() };
      const runId = randomUUID();
      const loadStarted = performance.now();
      const until = loadStarted + size.seconds * 1000;
      const loopsTotal = size.loopsPerReplica * 2;
      const auth = { authorization: `Bearer ${token}` };
      const loop = async (g: number, own: Replica, other: Replica, t: Tally) => {
        for (let k = 0; performance.now() < until; k++) {
          const { consultationId, stakeholderIds } = targets[(g + k) % targets.length]!;
          const body = JSON.stringify({
            stakeholderId: stakeholderIds[(g * 13 + k) % stakeholderIds.length],
            draftVersion: 1,
            sectionKey: SECTIONS[(g + k) % SECTIONS.length],
            text: `Comment ${g}/${k}: name the budget line and the indicator for shelters, and who reports on it each year.`,
          });
          let sent = performance.now();
          let posted: Answer;
          try {
            posted = await own.send('POST', `/consultations/${consultationId}/comments`, { ...auth, 'idempotency-key': `${runId}-${g}-${k}` }, body);
          } catch {
            t.errors++;
            continue;
          }
          const commandMs = performance.now() - sent;
          bump(t.commandStatus, String(posted.status));
          if (posted.status !== 201) {
            t.non2xx++;
            await new Promise((r) => setTimeout(r, 20)); // a 503 says to wait; do not spin
            continue;
          }
          t.acknowledged++;
          t.commandMs.push(commandMs);
          acknowledgedFor.set(consultationId, acknowledgedFor.get(consultationId)! + 1);
          const { commentId } = JSON.parse(posted.body) as { commentId: string };
          const path = posted.location ?? `/consultations/${consultationId}/comments/${commentId}`;

          // at once, on the other replica: the comment itself
          sent = performance.now();
          try {
            const read = await other.send('GET', path, auth);
            t.readMs.push(performance.now() - sent);
            t.reads++;
            const comment = read.status === 200 ? (JSON.parse(read.body) as { commentId?: unknown }) : null;
            if (comment?.commentId !== commentId) {
              t.staleReads++;
              bump(t.staleAnswers, `${read.status} ${problemCode(read.body)}`.trim());
            }
          } catch {
            t.errors++;
          }

          // and the consultation's count: every comment acknowledged for it before this read was sent
          const expected = commentsBefore.get(consultationId)! + acknowledgedFor.get(consultationId)!;
          sent = performance.now();
          try {
            const read = await other.send('GET', `/consultations/${consultationId}`, auth);
            t.countMs.push(performance.now() - sent);
            t.countReads++;
            const received = read.status === 200 ? (JSON.parse(read.body) as { counts: { commentsReceived: number } }).counts.commentsReceived : -1;
            if (received < expected) t.countsBehind++;
          } catch {
            t.errors++;
          }
        }
      };

      log(`${size.loopsPerReplica} loops per replica for ${size.seconds} s: POST a comment on its replica, then GET it and its consultation on the other`);
      if (profileDir) log(`  the load starts ${((performance.now() - Math.min(serverA.spawnedAt, serverB.spawnedAt)) / 1000).toFixed(1)} s after the replicas' start (cpu-profile-top.ts --from)`);
      const progress = setInterval(() => {
        const s = ((performance.now() - loadStarted) / 1000).toFixed(0);
        const all = [tallies.A, tallies.B];
        const sum = (f: (t: Tally) => number) => all.reduce((acc, t) => acc + f(t), 0);
        log(`  ${s} s: ${sum((t) => t.acknowledged)} acknowledged, ${sum((t) => t.reads)} read back, ${sum((t) => t.staleReads)} stale, `
          + `${sum((t) => t.countsBehind)} counts behind, ${sum((t) => t.non2xx)} non-2xx, ${sum((t) => t.errors)} errors`);
      }, size.progressEverySeconds * 1000);
      try {
        await Promise.all(Array.from({ length: loopsTotal }, (_, g) => {
          const onA = g < size.loopsPerReplica;
          return loop(g, onA ? a : b, onA ? b : a, onA ? tallies.A : tallies.B);
        }));
      } finally {
        clearInterval(progress);
      }
      const loadSeconds = (performance.now() - loadStarted) / 1000;
      const lagAfterLoad = await Promise.all([health(a), health(b)]);

      // the writer goes; the follower takes over
      log(`stopping ${writer.name} (SIGTERM), the views' writer; ${follower.name} should take over`);
      const stopSent = performance.now();
      await stop(writer.server);
      const writerStoppedSeconds = (performance.now() - stopSent) / 1000;
      const takeoverDeadline = performance.now() + 60_000;
      let takeoverSeconds: number | null = null;
      while (performance.now() < takeoverDeadline) {
        if (writes(await health(follower).catch(() => ({ projections: [] })))) {
          takeoverSeconds = (performance.now() - stopSent) / 1000;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      let afterTakeover: { commandStatus: number; readStatus: number; commandMs: number } | null = null;
      if (takeoverSeconds !== null) {
        const { consultationId, stakeholderIds } = targets[0]!;
        const sent = performance.now();
        const posted = await follower.send('POST', `/consultations/${consultationId}/comments`, { ...auth, 'idempotency-key': `${runId}-after-takeover` },
          JSON.stringify({ stakeholderId: stakeholderIds[0], draftVersion: 1, sectionKey: 'relief', text: 'After the takeover: who funds the shelters?' }));
        const commandMs = Number((performance.now() - sent).toFixed(2));
        const read = posted.location ? await follower.send('GET', posted.location, auth) : { status: 0 };
        afterTakeover = { commandStatus: posted.status, readStatus: read.status, commandMs };
        log(`  ${follower.name} writes the views ${takeoverSeconds.toFixed(2)} s after the SIGTERM (${writer.name} exited after ${writerStoppedSeconds.toFixed(2)} s); `
          + `a comment there: ${posted.status} in ${commandMs} ms, read back ${read.status}`);
      } else {
        log(`  ${follower.name} did not take over within 60 s of the SIGTERM`);
      }
      await stop(follower.server);
      a.agent.destroy();
      b.agent.destroy();

      const recorded = countComments(file) - seeded;
      const all = [tallies.A, tallies.B];
      const sum = (f: (t: Tally) => number) => all.reduce((acc, t) => acc + f(t), 0);
      const acknowledged = sum((t) => t.acknowledged);
      const acknowledgedTotal = acknowledged + (afterTakeover?.commandStatus === 201 ? 1 : 0);
      const staleReads = sum((t) => t.staleReads);
      const countsBehind = sum((t) => t.countsBehind);
      const non2xx = sum((t) => t.non2xx);
      const errors = sum((t) => t.errors);
      const perReplica = (r: Replica) => {
        const t = tallies[r.name as 'A' | 'B'];
        return {
          role: r === writer ? 'writer' : 'follower',
          acknowledged: t.acknowledged, commandsPerSec: Math.round(t.acknowledged / loadSeconds), non2xx: t.non2xx, errors: t.errors,
          commandStatus: t.commandStatus, commandLatencyMs: latencySummary(t.commandMs),
          // reads of this replica's comments, served by the other one
          readsOnOther: t.reads, staleReadsOnOther: t.staleReads, staleAnswers: t.staleAnswers, readBackLatencyMs: latencySummary(t.readMs),
          countReadsOnOther: t.countReads, countsBehindOnOther: t.countsBehind, countReadLatencyMs: latencySummary(t.countMs),
        };
      };
      const replicas = { A: perReplica(a), B: perReplica(b) };
      const logsSeen = { A: logProblems(logs.A), B: logProblems(logs.B) };
      const figures = {
        consultations: size.consultations, stakeholdersEach: size.shape.stakeholders, loopsPerReplica: size.loopsPerReplica,
        seconds: Number(loadSeconds.toFixed(2)), readyAfterSeconds,
        writer: writer.name, follower: follower.name,
        acknowledged, commandsPerSec: Math.round(acknowledged / loadSeconds),
        reads: sum((t) => t.reads), staleReads, countReads: sum((t) => t.countReads), countsBehind,
        non2xx, errors,
        commandLatencyMs: latencySummary(all.flatMap((t) => t.commandMs)),
        readBackLatencyMs: latencySummary(all.flatMap((t) => t.readMs)),
        countReadLatencyMs: latencySummary(all.flatMap((t) => t.countMs)),
        replicas,
        behindAfterLoad: { A: lagAfterLoad[0].projections.map((p) => p.behind), B: lagAfterLoad[1].projections.map((p) => p.behind) },
        takeover: {
          writerExitSeconds: Number(writerStoppedSeconds.toFixed(2)),
          seconds: takeoverSeconds === null ? null : Number(takeoverSeconds.toFixed(2)),
          afterTakeover,
        },
        recorded, everyAcknowledgedRecorded: recorded >= acknowledgedTotal,
        logs: logsSeen,
      };
      log(`  ${acknowledged} comments acknowledged (${figures.commandsPerSec}/s): A ${replicas.A.acknowledged} (${replicas.A.role}), B ${replicas.B.acknowledged} (${replicas.B.role}); `
        + `${figures.reads} read back on the other replica, ${staleReads} stale; ${figures.countReads} counts read, ${countsBehind} behind; `
        + `${non2xx} non-2xx ${JSON.stringify({ A: replicas.A.commandStatus, B: replicas.B.commandStatus })}, ${errors} errors`);
      log(`  command p50 ${figures.commandLatencyMs.p50} ms, p99 ${figures.commandLatencyMs.p99} ms (writer's p99 ${replicas[writer.name as 'A' | 'B'].commandLatencyMs.p99} ms, `
        + `follower's ${replicas[follower.name as 'A' | 'B'].commandLatencyMs.p99} ms); read-back p50 ${figures.readBackLatencyMs.p50} ms, p99 ${figures.readBackLatencyMs.p99} ms`);
      log(`  ${recorded} comments in the store after the stop (${acknowledgedTotal} acknowledged); logs: A ${logsSeen.A.warnings} warnings, ${logsSeen.A.errors} errors; `
        + `B ${logsSeen.B.warnings} warnings, ${logsSeen.B.errors} errors`);
      for (const [name, seen] of Object.entries(logsSeen)) for (const [msg, n] of Object.entries(seen.messages)) log(`    ${name} ${n}x ${msg}`);
      return {
        ...figures,
        ...target('0 stale reads (the comment and its consultation\'s count read back at once on the other replica), 0 non-2xx, every acknowledged comment recorded',
          acknowledged > 0 && staleReads === 0 && countsBehind === 0 && non2xx === 0 && errors === 0 && recorded >= acknowledgedTotal),
      };
    } finally {
      await Promise.allSettled([...running].map((s) => s.stop()));
      await dropSchema(databaseUrl, schema);
    }
  });
}

async function dropSchema(connectionString: string, schema: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

