// The benchmark harness must not rot: `npm run bench -- --quick` runs every scenario small and
// writes a JSON report with every figure. Nothing here asserts a speed (that is what the full
// benchmark reports, with its baselines), only that each scenario ran and reported its figures.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-store.ts';

// every scenario, small: about 3 minutes on a slow 2-core machine beside the rest of the suite
t.setTimeout(900_000);
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Spawns a bench in a process group of its own, and kills the group when this test ends first (a
 * timeout, a failure) or this process exits: the bench's API servers must not outlive it.
 */
function spawnBench(command: string, args: string[], stdout: 'pipe' | 'ignore'): ChildProcess { // stderr is always piped
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', stdout, 'pipe'], detached: true });
  const killGroup = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch { /* gone already */ }
  };
  process.once('exit', killGroup);
  t.teardown(killGroup);
  child.once('exit', () => process.removeListener('exit', killGroup));
  return child;
}

t.test('npm run bench -- --quick runs every scenario and writes their figures as JSON', async (t) => {
  const out = path.join(tempDir(t), 'quick.json');
  const child = spawnBench('npm', ['run', '--silent', 'bench', '--', '--quick', '--out', out], 'pipe');
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
  child.stdout!.resume();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 0, stderr.slice(-2000));
  const report = JSON.parse(readFileSync(out, 'utf8')) as { quick: boolean; results: Record<string, Record<string, unknown>> };
  t.equal(report.quick, true);
  t.strictSame(Object.keys(report.results), ['event-store', 'command-handler', 'rebuild', 'cold-start', 'deadline-rush', 'growth', 'fold-memory', 'past-view', 'http-throughput', 'replicas', 'fan-out']);
  const r = report.results;
  t.ok(Number(r['event-store']!['groupCommitOverBaseline']) > 0);
  t.ok(Number(r['command-handler']!['ratio']) > 0);
  for (const name of ['rebuild', 'cold-start', 'deadline-rush', 'growth', 'fold-memory', 'past-view', 'http-throughput', 'replicas', 'fan-out']) {
    t.type(r[name]!['target'], 'string', `${name} names its target`);
    t.type(r[name]!['met'], 'boolean', `${name} says whether it met it`);
  }
  t.ok(Number(r['rebuild']!['events']) > 1000 && Number(r['rebuild']!['ratioToBaseline']) > 0 && Number(r['rebuild']!['peakRssMb']) > 0);
  t.ok(Number(r['cold-start']!['readyzSeconds']) >= Number(r['cold-start']!['healthzSeconds']));
  t.equal(r['deadline-rush']!['recorded'], r['deadline-rush']!['expected'], 'the rush records every comment');
  t.ok(Number(r['growth']!['p99Ratio']) > 0);
  t.ok(Number(r['fold-memory']!['events']) > 5000 && Number(r['fold-memory']!['seconds']) > 0);
  t.ok(Number(r['past-view']!['events']) > 5000, 'past-view folds a consultation of thousands of events');
  const http = r['http-throughput']! as { api: { reqPerSec: number; latencyMs: { p50: number; p99: number } }; bare: { reqPerSec: number; latencyMs: { p99: number } } } & Record<string, unknown>;
  t.ok(http.api.reqPerSec > 0 && http.bare.reqPerSec > 0 && Number(http['ratio']) > 0, 'both sides measured, and their ratio');
  t.ok(http.api.latencyMs.p99 >= http.api.latencyMs.p50 && http.bare.latencyMs.p99 > 0, 'p50 and p99 of both');
  t.equal(http['non2xx'], 0, 'every valid comment is accepted');
  t.equal(http['everyAcknowledgedRecorded'], true, 'every acknowledged comment is in the store');
  const replicas = r['replicas']! as { replicas: Record<'A' | 'B', { role: string }>; commandLatencyMs: { p50: number; p99: number } } & Record<string, unknown>;
  t.ok(Number(replicas['acknowledged']) > 0, 'comments acknowledged on the two replicas');
  t.equal(replicas['staleReads'], 0, 'every comment reads back at once on the other replica');
  t.equal(replicas['countsBehind'], 0, 'every consultation\'s count holds what was acknowledged for it');
  t.equal(replicas['reads'], replicas['acknowledged'], 'each acknowledged comment was read back');
  t.strictSame([replicas['writer'], replicas['follower']].sort(), ['A', 'B'], 'one replica writes the views, the other follows');
  t.strictSame([replicas.replicas.A.role, replicas.replicas.B.role].sort(), ['follower', 'writer']);
  t.ok(replicas.commandLatencyMs.p99 >= replicas.commandLatencyMs.p50 && Number(replicas['commandsPerSec']) > 0);
  t.equal(replicas['everyAcknowledgedRecorded'], true, 'every acknowledged comment is in the shared store');
  t.type((replicas['takeover'] as { seconds: unknown }).seconds, 'number', 'the follower took over when the writer stopped');
  const fanOut = r['fan-out']! as { baseline: { messagesPerSecond: number; missing: number }; pipeline: { messagesPerSecond: number; reminderSentRecords: number } } & Record<string, unknown>;
  t.ok(fanOut.baseline.messagesPerSecond > 0 && fanOut.pipeline.messagesPerSecond > 0 && Number(fanOut['ratio']) > 0, 'both sides measured, and their ratio');
  t.equal(fanOut.baseline.missing, 0, 'the baseline\'s messages all reached the sink');
  t.equal(fanOut['duplicates'], 0, 'no reminder twice, at the sink or among the records');
  t.equal(fanOut['missing'], 0, 'no reminder missing, at the sink or among the records');
  t.equal(fanOut.pipeline.reminderSentRecords, fanOut['messages'], 'one ReminderSent per reminder');
});

t.test('--only runs the named scenarios; an unknown name is exit 2 naming the known ones', async (t) => {
  const run = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawnBench(process.execPath, ['--import', 'tsx/esm', 'bench/run.ts', ...args], 'ignore');
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  const bad = await run(['--quick', '--only', 'nonsense']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /no benchmark named nonsense; known: event-store, command-handler, rebuild/);
  const out = path.join(tempDir(t), 'one.json');
  const one = await run(['--quick', '--only', 'fold-memory', '--out', out]);
  t.equal(one.code, 0, one.stderr);
  t.strictSame(Object.keys((JSON.parse(readFileSync(out, 'utf8')) as { results: object }).results), ['fold-memory']);
});
