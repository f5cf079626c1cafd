// What every benchmark shares: its options, log, percentiles, a temporary directory, and a peak-RSS sampler.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
