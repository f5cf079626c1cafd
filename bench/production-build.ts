// The production build (`npm run build`) laid out as the image has it, for the scenarios that start
// the server as production starts it (`node --enable-source-maps dist/main.js`).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Compiles src/ into `dir`/app as the image has it: dist/, package.json (so node reads dist/*.js as
 * ES modules), node_modules. Returns the entry point.
 */
export function buildProduction(dir: string): string {
  const app = join(dir, 'app');
  mkdirSync(app, { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { stdio: 'inherit' });
  copyFileSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  mkdirSync(join(app, 'verifier'));
  copyFileSync(join(ROOT, 'verifier/verify-bundle.mjs'), join(app, 'verifier/verify-bundle.mjs')); // as the image has it
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(app, 'node_modules'), 'dir');
  return join(app, 'dist/main.js');
}
