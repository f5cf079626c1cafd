// `http-throughput`: durable submit-comment over HTTP under load. The API is started as production
// starts it (its own process: the compiled build, `node --enable-source-maps dist/main.js`, NODE_ENV=production, an AUTH_SECRET,
// SQLite with synchronous=FULL, info logs written to a file) on a store holding 100 consultations
// (--quick: 2), each with a published draft, 60 invited stakeholders and some comments, written
// straight into the store by history.ts. autocannon then keeps 64 connections busy (--quick: 4) with
// POST /consultations/:id/comments, a coordinator's bearer token and an Idempotency-Key per request,
// each request for the next consultation in turn and, within it, the next stakeholder. The
// baseline, in the same run and with the same autocannon settings, is a bare Fastify route in a
// process of its own that validates the same body with the same zod schema and answers 201
// (bench/bare-server.ts). After a warm-up of each, the two take turns (3 rounds of 5 s each), so that
// what else runs on the machine slows both alike; each side's figure is its median round, its
// latencies those of all its rounds. Then the API is stopped and its store read back: every comment
// it acknowledged must be there. Issue 9's target: at least 0.35x the bare route's requests/s, 0 non-2xx
// (p50 and p99 reported). Was 2,238 vs 34,575 req/s (0.065x), p99 53 ms.
//
// BENCH_CPU_PROF_DIR=<dir> runs the API under `node --cpu-prof` and leaves its profile in <dir>
// (summarise it with `node --import tsx/esm bench/cpu-profile-top.ts <file> --from <the seconds it
// logs>`, which leaves the start out); a profiled run is slower, so its figures say where the time
// goes, not how fast it is.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { mintToken } from '../src/auth/tokens.ts';
import { inTempDir, latencySummary, target, type BenchOptions, type Log } from './common.ts';
import { countComments, seedTargets, type ConsultationShape, type Target } from './history.ts';
import { buildProduction } from './production-build.ts';
import { startServer, untilReady } from './server-process.ts';

const BARE = fileURLToPath(new URL('./bare-server.ts', import.meta.url));
const SECRET = 'bench-secret-0123456789abcdef0123456789';
const SECTIONS = ['participation', 'protection', 'prevention', 'relief'] as const;

interface Size {
  consultations: number;
  shape: ConsultationShape;
  connections: number;
  warmupSeconds: number;
  /** rounds per side, taking turns */
  rounds: number;
  seconds: number;
}

const FULL: Size = { consultations: 100, shape: { stakeholders: 60, comments: 60 }, connections: 64, warmupSeconds: 3, rounds: 3, seconds: 5 };
const QUICK: Size = { consultations: 2, shape: { stakeholders: 4, comments: 4 }, connections: 4, warmupSeconds: 0.5, rounds: 1, seconds: 1 };

interface Load {
  seconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** answers by status code */
  statusCodes: Record<string, number>;
  latenciesMs: number[];
}


/**
 * autocannon against `address` for `seconds`: request n is for consultation n mod C and, within it,
 * stakeholder (n div C) mod S, with its own Idempotency-Key. Latencies come from every 2xx answer as
 * autocannon times it (its own percentiles are whole milliseconds).
 */
function load(address: string, targets: readonly Target[], connections: number, seconds: number, token: string): Promise<Load> {
  const run = randomUUID();
  let n = 0;
  const latenciesMs: number[] = [];
  return new Promise<Load>((done, fail) => {
    const instance = autocannon({
      url: address,
      connections,
      duration: seconds,
      requests: [{
        method: 'POST',
        setupRequest: (request) => {
          const i = n++;
          const { consultationId, stakeholderIds } = targets[i % targets.length]!;
          return {
            ...request,
            method: 'POST',
            path: `/consultations/${consultationId}/comments`,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `${run}-${i}` },
            body: JSON.stringify({
              stakeholderId: stakeholderIds[Math.floor(i / targets.length) % stakeholderIds.length],
              draftVersion: 1,
              sectionKey: SECTIONS[i % SECTIONS.length],
              text: `Comment ${i}: name the budget line and the indicator for shelters, and who reports on it each year.`,
            }),
          };
        },
      }],
    }, (error, result) => {
      if (error) return fail(error);
      const statusCodes: Record<string, number> = {};
      for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count ?? 0;
      done({ seconds: result.duration, ok: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, statusCodes, latenciesMs });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTime);
    });
  });
}

const perSecond = (l: Load) => Math.round(l.ok / l.seconds);

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** One side's figures over its rounds: the median round's req/s, latencies over every round. */
function summary(name: string, rounds: readonly Load[], log: Log) {
  const sum = (f: (l: Load) => number) => rounds.reduce((acc, l) => acc + f(l), 0);
  const count = (f: (l: Load) => Record<string, number>) => {
    const all: Record<string, number> = {};
    for (const l of rounds) for (const [k, v] of Object.entries(f(l))) all[k] = (all[k] ?? 0) + v;
    return all;
  };
  const reqPerSec = median(rounds.map(perSecond));
  const latencyMs = latencySummary(rounds.flatMap((l) => l.latenciesMs));
  const figures = {
    reqPerSec, roundsReqPerSec: rounds.map(perSecond), ok: sum((l) => l.ok), seconds: Number(sum((l) => l.seconds).toFixed(2)), latencyMs,
    non2xx: sum((l) => l.non2xx), errors: sum((l) => l.errors), timeouts: sum((l) => l.timeouts), statusCodes: count((l) => l.statusCodes),
  };
  log(`  ${name}: ${reqPerSec} req/s (median of rounds ${figures.roundsReqPerSec.join(', ')}), p50 ${latencyMs.p50} ms, p99 ${latencyMs.p99} ms; `
    + `${figures.non2xx} non-2xx, ${figures.errors} errors, ${figures.timeouts} timeouts; status ${JSON.stringify(figures.statusCodes)}`);
  return figures;
}

export async function run(log: Log, options: BenchOptions) {
  const size = options.quick ? QUICK : FULL;
  const profileDir = process.env['BENCH_CPU_PROF_DIR'] ? resolve(process.env['BENCH_CPU_PROF_DIR']) : undefined;
  return inTempDir('bench-http-', async (dir) => {
    const dataDir = join(dir, 'data');
    const file = join(dataDir, 'events.sqlite');
    const targets = await seedTargets(file, size.consultations, size.shape);
    const seeded = countComments(file);
    log(`store: ${size.consultations} consultations, each a published draft, ${size.shape.stakeholders} stakeholders and ${size.shape.comments} comments`);
    const { token } = await mintToken(SECRET, { role: 'coordinator', subject: 'bench' });
    log('building the production entry (npm run build into a temporary directory)');
    const main = buildProduction(dir);

    log(`starting the bare Fastify route (zod-validated body, 201) and the API (durable submit-comment)${profileDir ? `, the API profiled into ${profileDir}` : ''}`);
    const bare = await startServer(['--import', 'tsx/esm', BARE], { ...process.env, NODE_ENV: 'production' }, join(dir, 'bare.log'));
    const api = await startServer([...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--enable-source-maps', main], {
      ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH_SECRET: SECRET, AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), SMTP_URL: 'smtp://127.0.0.1:2525',
      LOG_LEVEL: 'info', SQLITE_SYNCHRONOUS: 'FULL', VERIFY_INTERVAL: 'off',
      // the API alone (relay and mail workers run as ROLE=workers elsewhere), under a queue prefix of the run's own
      ROLE: 'api', QUEUE_PREFIX: `bench-${randomUUID()}`,
    }, join(dir, 'api.log')).catch(async (error: unknown) => {
      await bare.stop();
      throw error;
    });
    const bareRounds: Load[] = [];
    const apiRounds: Load[] = [];
    let apiWarmup: Load;
    try {
      await untilReady(api.address);
      log(`${size.connections} connections over ${size.consultations} consultations: ${size.warmupSeconds} s warm-up each, `
        + `then ${size.rounds} round(s) of ${size.seconds} s each, taking turns (a noisy machine slows both alike)`);
      await load(bare.address, targets, size.connections, size.warmupSeconds, token);
      if (profileDir) log(`  the API's load starts ${((performance.now() - api.spawnedAt) / 1000).toFixed(1)} s after its start (cpu-profile-top.ts --from)`);
      apiWarmup = await load(api.address, targets, size.connections, size.warmupSeconds, token);
      for (let round = 1; round <= size.rounds; round++) {
        bareRounds.push(await load(bare.address, targets, size.connections, size.seconds, token));
        apiRounds.push(await load(api.address, targets, size.connections, size.seconds, token));
        log(`  round ${round}: bare ${perSecond(bareRounds.at(-1)!)} req/s, api ${perSecond(apiRounds.at(-1)!)} req/s`);
      }
    } finally {
      // SIGTERM: the API answers what is in flight and closes the store
      await Promise.all([bare.stop(), api.stop()]);
    }
    const baseline = summary('bare', bareRounds, log);
    const product = summary('api', apiRounds, log);
    const acknowledged = apiWarmup.ok + product.ok;
    const recorded = countComments(file) - seeded;
    log(`  ${acknowledged} comments acknowledged by the API (warm-up included), ${recorded} in its store after the stop`);

    const ratio = Number((product.reqPerSec / Math.max(baseline.reqPerSec, 1)).toFixed(3));
    const non2xx = apiWarmup.non2xx + product.non2xx;
    const failures = non2xx + apiWarmup.errors + product.errors + apiWarmup.timeouts + product.timeouts;
    log(`api / bare: ${ratio}x`);
    return {
      consultations: size.consultations, stakeholdersEach: size.shape.stakeholders, connections: size.connections,
      warmupSeconds: size.warmupSeconds, rounds: size.rounds, secondsEach: size.seconds,
      api: product, bare: baseline, ratio,
      acknowledged, recorded, everyAcknowledgedRecorded: recorded >= acknowledged,
      non2xx,
      ...target('ratio >= 0.35 of the bare route, 0 non-2xx (and no errors), every acknowledged comment recorded',
        ratio >= 0.35 && failures === 0 && recorded >= acknowledged),
    };
  });
}

