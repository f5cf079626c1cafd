// `deadline-rush`: the last hours before a comment deadline on ONE consultation, over HTTP: 60
// stakeholders at once, each sending its 50 comments one after another (--quick: 10 x 10). The API
// runs as production runs it, in a process of its own (`node dist/main.js`, built here, ROLE=api,
// NODE_ENV=production, an AUTH_SECRET, SQLite with synchronous=FULL, info logs to a file), on a
// store holding the consultation (a published draft, the stakeholders invited) written by
// history.ts; the 60 clients (fetch: a keep-alive connection each) run in this process. Then the
// API is stopped and its store read back. Issue 9's target: every comment recorded, p99 at most
// 100 ms. (Commands for one stream run one at a time.)
//
// BENCH_CPU_PROF_DIR=<dir> runs the API under `node --cpu-prof` and leaves its profile in <dir>
// (summarise it with `node --import tsx/esm bench/cpu-profile-top.ts <file> --from <the seconds it
// logs>`); a profiled run is slower, so its figures say where the time goes, not how fast it is.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { mintToken } from '../src/auth/tokens.ts';
import { inTempDir, latencySummary, target, type BenchOptions, type Log } from './common.ts';
import { countComments, seedTargets } from './history.ts';
import { buildProduction } from './production-build.ts';
import { startServer, untilReady } from './server-process.ts';

const SECRET = 'bench-secret-0123456789abcdef0123456789';

export async function run(log: Log, options: BenchOptions) {
  const stakeholderCount = options.quick ? 10 : 60;
  const perStakeholder = options.quick ? 10 : 50;
  const profileDir = process.env['BENCH_CPU_PROF_DIR'] ? resolve(process.env['BENCH_CPU_PROF_DIR']) : undefined;
  return inTempDir('bench-rush-', async (dir) => {
    const dataDir = join(dir, 'data');
    const file = join(dataDir, 'events.sqlite');
    const [{ consultationId, stakeholderIds }] = await seedTargets(file, 1, { stakeholders: stakeholderCount, comments: 0 }) as [{ consultationId: string; stakeholderIds: string[] }];
    log('building the production entry (npm run build into a temporary directory)');
    const main = buildProduction(dir);
    const { token } = await mintToken(SECRET, { role: 'coordinator', subject: 'bench' });
    log(`starting the API (node dist/main.js, synchronous=FULL)${profileDir ? `, profiled into ${profileDir}` : ''}`);
    const api = await startServer([...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--enable-source-maps', main], {
      ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH_SECRET: SECRET, AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), SMTP_URL: 'smtp://127.0.0.1:2525',
      LOG_LEVEL: 'info', SQLITE_SYNCHRONOUS: 'FULL', VERIFY_INTERVAL: 'off',
      // the API alone (the relay and mail workers run as ROLE=workers elsewhere), under a queue prefix of the run's own
      ROLE: 'api', QUEUE_PREFIX: `bench-rush-${randomUUID()}`,
    }, join(dir, 'api.log'));
    const ms: number[] = [];
    let failed = 0;
    let seconds: number;
    let warmedUp = 0;
    let apiCpuSeconds: number;
    try {
      await untilReady(api.address);
      const post = async (stakeholderId: string, n: number) => {
        const t0 = performance.now();
        const res = await fetch(`${api.address}/consultations/${consultationId}/comments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({ stakeholderId, draftVersion: 1, sectionKey: 'participation', text: `Comment ${n}: name the budget line for shelters.` }),
        });
        await res.arrayBuffer();
        return { ms: performance.now() - t0, ok: res.status === 201 };
      };
      // a warm-up (not counted): each client's connection opened, the server's code paths compiled
      warmedUp = (await Promise.all(stakeholderIds.map((sid) => post(sid, -1)))).filter((r) => r.ok).length;
      if (profileDir) log(`  the rush starts ${((performance.now() - api.spawnedAt) / 1000).toFixed(1)} s after the API's start (cpu-profile-top.ts --from)`);
      log(`${stakeholderCount} stakeholders x ${perStakeholder} comments, each stakeholder's one after another`);
      const started = performance.now();
      const cpuBefore = api.cpuSeconds();
      await Promise.all(stakeholderIds.map(async (stakeholderId) => {
        for (let n = 0; n < perStakeholder; n++) {
          const r = await post(stakeholderId, n);
          ms.push(r.ms);
          if (!r.ok) failed++;
        }
      }));
      seconds = (performance.now() - started) / 1000;
      apiCpuSeconds = api.cpuSeconds() - cpuBefore;
    } finally {
      // SIGTERM: the API answers what is in flight and closes the store
      await api.stop().catch((error: unknown) => {
        throw new Error(`${String(error)}\nits log ends: ${readFileSync(join(dir, 'api.log'), 'utf8').slice(-2000)}`);
      });
    }
    const recorded = countComments(file) - warmedUp; // the warm-up's comments left out
    const latency = latencySummary(ms);
    const expected = stakeholderCount * perStakeholder;
    // CPU per command: what the API costs, whatever else the machine runs (latency is not)
    const apiCpuMsPerCommand = Number(((apiCpuSeconds * 1000) / expected).toFixed(2));
    log(`${recorded}/${expected} recorded in ${seconds.toFixed(1)} s (${failed} not 201); p50 ${latency.p50} ms, p99 ${latency.p99} ms; `
      + `the API used ${apiCpuSeconds.toFixed(1)} CPU s (${apiCpuMsPerCommand} ms a command); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    return {
      stakeholders: stakeholderCount, commentsEach: perStakeholder, recorded, expected, non201: failed,
      server: 'own process (node dist/main.js, NODE_ENV=production, synchronous=FULL)',
      commandsPerSecond: Math.round(expected / seconds), latencyMs: latency, apiCpuMsPerCommand, loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
      ...target('recorded == expected and p99 <= 100 ms', recorded === expected && latency.p99 <= 100),
    };
  });
}
