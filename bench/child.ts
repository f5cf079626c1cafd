// `node --expose-gc --import tsx/esm bench/child.ts MODULE ARGS_JSON`: runs one measured task of a
// benchmark in a process of its own, so that its memory figure is the task's alone (not what the
// parent's setup, such as writing 200,000 events, left on the heap). The module exports
// `prepare(args)`, which opens what the task needs and returns the task; the child collects
// garbage, takes its RSS as idle, runs the task, and prints one JSON line: seconds, idle and peak
// RSS (MB), and what the task returned.
import { fileURLToPath } from 'node:url';
import { peakRss } from './common.ts';

export interface ChildTask {
  prepare(args: unknown): Promise<{ run(): Promise<unknown>; close(): Promise<void> }>;
}

const [moduleName, argsJson] = process.argv.slice(2);
if (!moduleName || !/^[a-z-]+$/.test(moduleName) || argsJson === undefined) {
  process.stderr.write('usage: bench/child.ts MODULE ARGS_JSON\n');
  process.exit(2);
}
const mod = await import(fileURLToPath(new URL(`./${moduleName}.ts`, import.meta.url))) as ChildTask;
const task = await mod.prepare(JSON.parse(argsJson) as unknown);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('bench/child.ts needs node --expose-gc');
gc();
gc();
const idleMb = Math.round(process.memoryUsage.rss() / 1024 / 1024);
const rss = peakRss();
const started = performance.now();
const result = await task.run();
const seconds = (performance.now() - started) / 1000;
// the kernel's high-water mark as well: a peak between two samples is not missed
const peakMb = Math.max(rss.stop(), Math.round(process.resourceUsage().maxRSS / 1024));
await task.close();
process.stdout.write(`${JSON.stringify({ seconds, idleMb, peakMb, result })}\n`);
