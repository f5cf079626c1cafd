// `npm run bench [-- --quick] [-- --only a,b] [-- --out FILE]`: runs each benchmark in sequence,
// prints progress on stderr and the results on stdout, and writes them as JSON (default
// bench/results/latest.json). Every figure is measured against a baseline in the same run; where
// issue 9 names a target, the result says it (`target`) and whether it was met (`met`). `--quick`
// runs everything small, in seconds, so that a test can check the harness does not rot.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchOptions, Log } from './common.ts';
import * as coldStart from './cold-start.ts';
import * as commandHandler from './command-handler.ts';
import * as deadlineRush from './deadline-rush.ts';
import * as eventStore from './event-store.ts';
import * as fanOut from './fan-out.ts';
import * as foldMemory from './fold-memory.ts';
import * as growth from './growth.ts';
import * as httpThroughput from './http-throughput.ts';
import * as pastView from './past-view.ts';
import * as rebuild from './rebuild.ts';
import * as replicas from './replicas.ts';

interface BenchmarkModule {
  run(log: Log, options: BenchOptions): Promise<unknown>;
}

const benchmarks: Record<string, BenchmarkModule> = {
  'event-store': eventStore,
  'command-handler': commandHandler,
  rebuild,
  'cold-start': coldStart,
  'deadline-rush': deadlineRush,
  growth,
  'fold-memory': foldMemory,
  'past-view': pastView,
  'http-throughput': httpThroughput,
  replicas,
  'fan-out': fanOut,
};

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' } } });
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((name) => !(name in benchmarks)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`no benchmark named ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`);
  process.exit(2);
}
const options: BenchOptions = { quick: values.quick };
const log: Log = (line) => process.stderr.write(`${line}\n`);
const results: Record<string, unknown> = {};
for (const [name, module] of Object.entries(benchmarks)) {
  if (only && !only.includes(name)) continue;
  log(`# ${name}${options.quick ? ' (quick)' : ''}`);
  const started = performance.now();
  results[name] = await module.run(log, options);
  log(`# ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const report = {
  at: new Date().toISOString(),
  quick: options.quick,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  results,
};
const out = values.out ?? fileURLToPath(new URL(`./results/${options.quick ? 'quick' : 'latest'}.json`, import.meta.url));
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(results, null, 2)}\nwritten to ${out}\n`);
