#!/usr/bin/env node
// The `consult` command. Which code it runs is decided here, once, by one rule:
//   - CONSULT_DIST=1, or no src/ beside this file (the Docker image ships only dist/): the compiled
//     JavaScript in dist/cli/main.js (`npm run build`); when that is missing it says so and exits 1;
//   - otherwise (a checkout, development): the TypeScript in src/cli/main.ts through tsx's loader.
// It never picks dist/ by itself in a checkout, so a stale build cannot silently run old code.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);

if (process.env.CONSULT_DIST === '1' || !existsSync(source)) {
  if (!existsSync(compiled)) {
    process.stderr.write(`consult: ${fileURLToPath(compiled)} does not exist; run \`npm run build\` first${process.env.CONSULT_DIST === '1' ? ' (or unset CONSULT_DIST to run the TypeScript source)' : ''}\n`);
    process.exit(1);
  }
  process.setSourceMapsEnabled(true); // stack traces name src/*.ts lines, as `node --enable-source-maps` does
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
}
