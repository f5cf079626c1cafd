// `npm run bench`: runs each benchmark module in sequence, prints a summary to stdout (progress
// goes to stderr) and writes every result to bench/results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as commandHandler from './command-handler.ts';
import * as eventStore from './event-store.ts';
import * as projectionsBench from './projections.ts';

type Log = (line: string) => void;
interface BenchmarkModule {
  run(log: Log): Promise<unknown>;
}

const benchmarks: Record<string, BenchmarkModule> = {
  'event-store': eventStore,
  'command-handler': commandHandler,
  projections: projectionsBench,
};

const log: Log = (line) => process.stderr.write(`${line}\n`);
const results: Record<string, unknown> = {};
for (const [name, module] of Object.entries(benchmarks)) {
  log(`# ${name}`);
  const started = performance.now();
  results[name] = await module.run(log);
  log(`# ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const report = {
  at: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  results,
};
const dir = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(dir, { recursive: true });
await writeFile(`${dir}latest.json`, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(results, null, 2)}\nwritten to bench/results/latest.json\n`);
