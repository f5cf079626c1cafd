#!/usr/bin/env node
// Runs the whole tap suite and ends with the plain line CI reads: "N passed, N failed".
// tap's own closing line is "# { total: N, pass: N, fail: N, ... }"; this reads it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const tapBin = path.join(path.dirname(require.resolve('tap/package.json')), 'dist/esm/run.mjs');
const args = process.argv.slice(2);
const child = spawn(process.execPath, [tapBin, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });

let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString('utf8')).slice(-8192);
});

child.on('close', (code, signal) => {
  const summaries = [...tail.matchAll(/^# \{ (total: \d+[^}]*)\}\s*$/gm)];
  const last = summaries.at(-1)?.[1];
  if (!last) {
    process.stdout.write(`\ntap ended without a summary (exit ${code ?? signal})\n0 passed, 1 failed\n`);
    process.exit(code || 1);
  }
  const count = (name) => Number(new RegExp(`\\b${name}: (\\d+)`).exec(last)?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail');
  const skipped = count('skip') + count('todo');
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(code ?? 1);
});
