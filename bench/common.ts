// What every benchmark shares: its options, log, percentiles, a temporary directory, a peak-RSS
// sampler, and a task measured in a child process.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Log = (line: string) => void;

export interface BenchOptions {
  /** every scenario small, in seconds: the harness is checked, nothing is measured seriously */
  quick: boolean;
}

/** The value at percentile p of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export function latencySummary(samplesMs: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const fixed = (x: number) => Number(x.toFixed(2));
  return { p50: fixed(percentile(sorted, 50)), p99: fixed(percentile(sorted, 99)), max: fixed(sorted.at(-1) ?? 0) };
}

export async function inTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Samples this process's RSS every 50 ms until stopped; returns the peak in MB. */
export function peakRss(): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 50);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return Math.round(peak / 1024 / 1024);
    },
  };
}

/** A target and whether the figure met it, for the JSON report. */
export function target(description: string, met: boolean): { target: string; met: boolean } {
  return { target: description, met };
}

export interface ChildMeasure<T> {
  seconds: number;
  /** RSS of the child after its setup and a full GC, before the task */
  idleMb: number;
  peakMb: number;
  result: T;
}

/**
 * Runs `prepare(args)`'s task of bench/MODULE.ts in a child process (bench/child.ts) and returns
 * its time and memory. With BENCH_CPU_PROF=DIR the child writes a V8 CPU profile there (read it
 * with bench/cpu-profile-top.ts).
 */
export async function inChild<T>(moduleName: string, args: unknown): Promise<ChildMeasure<T>> {
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const script = fileURLToPath(new URL('./child.ts', import.meta.url));
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', ...prof, '--import', 'tsx/esm', script, moduleName, JSON.stringify(args)],
      { maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
        if (error) reject(new Error(`bench/child.ts ${moduleName} failed: ${error.message}\n${err.slice(-2000)}`));
        else resolve(out);
      });
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as ChildMeasure<T>;
}
