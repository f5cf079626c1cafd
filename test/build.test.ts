// The production build as it runs: `npm run build` compiles src/ into a temporary outDir (never the
// developer's dist/), laid out as the Docker image's /app is (package.json, node_modules, bin,
// dist; no src/, no tsconfig), then `npm run start:prod` serves from it with NODE_ENV=production,
// and the compiled `consult` command answers --help and mints a token that the server accepts.
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTH_SECRET, OPEN_BODY } from './helpers/http.ts';
import { testPrefix } from './helpers/mail-system.ts';
import { commandLineOf, eventually, startServerProcess } from './helpers/server-process.ts';
import { tempDir } from './helpers/temp-store.ts';

// tsc over src/ alone takes about 15 s on a 2-core machine, more while other test files run beside it
t.setTimeout(240_000);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

interface Run { code: number | null; stdout: string; stderr: string; ms: number }

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Every file below `dir`, as paths relative to it with forward slashes. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

// The image's layout: the build stage's package.json ("type": "module"), its node_modules and bin/;
// dist/ from `npm run build`. Nothing of src/ is there, so whatever runs, runs compiled.
const app = path.join(tempDir(t, 'consult-dist-'), 'app');
mkdirSync(path.join(app, 'bin'), { recursive: true });
copyFileSync(path.join(repoRoot, 'package.json'), path.join(app, 'package.json'));
copyFileSync(path.join(repoRoot, 'bin/consult.js'), path.join(app, 'bin/consult.js'));
mkdirSync(path.join(app, 'verifier'));
copyFileSync(path.join(repoRoot, 'verifier/verify-bundle.mjs'), path.join(app, 'verifier/verify-bundle.mjs')); // as the image has it
symlinkSync(realpathSync(path.join(repoRoot, 'node_modules')), path.join(app, 'node_modules'), 'dir');
const dist = path.join(app, 'dist');

/** When a dist/ and its main.js last changed (null: absent): to tell that a build did not write there. */
const stamp = (dir: string) => [dir, path.join(dir, 'main.js')].map((p) => (existsSync(p) ? statSync(p).mtimeMs : null));
const repoDistBefore = stamp(path.join(repoRoot, 'dist'));

const built = await run('npm', ['run', 'build', '--', '--outDir', dist], { cwd: repoRoot });
t.comment(`npm run build (tsc -p tsconfig.build.json) took ${(built.ms / 1000).toFixed(1)} s`);

t.test('npm run build compiles src/ and nothing else into the outDir it is given', async (t) => {
  t.equal(built.code, 0, `npm run build exits 0${built.code === 0 ? '' : `: ${built.stdout}${built.stderr}`}`);
  const sources = filesBelow(path.join(repoRoot, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const files = filesBelow(dist);
  t.same(files.filter((f) => f.endsWith('.js')), sources.map((f) => f.replace(/\.ts$/, '.js')).sort(), 'one .js per src/*.ts, at the same place (dist/main.js for src/main.ts)');
  t.same(files.filter((f) => f.endsWith('.js.map')), sources.map((f) => f.replace(/\.ts$/, '.js.map')).sort(), 'a source map beside each');
  t.same(files.filter((f) => !f.endsWith('.js') && !f.endsWith('.js.map')), [], 'nothing else (no tests, no declarations)');
  const tsSpecifiers = files.filter((f) => f.endsWith('.js'))
    .filter((f) => /\b(?:from|import)\s*\(?\s*["'][^"']+\.ts["']/.test(readFileSync(path.join(dist, f), 'utf8')));
  t.same(tsSpecifiers, [], 'no compiled file imports a .ts specifier (rewritten to .js)');
  const map = JSON.parse(readFileSync(path.join(dist, 'main.js.map'), 'utf8')) as { sources: string[] };
  t.same(map.sources.map((s) => path.resolve(dist, s)), [path.join(repoRoot, 'src/main.ts')], 'the map of dist/main.js points at src/main.ts');
  t.same(stamp(path.join(repoRoot, 'dist')), repoDistBefore, "the repository's own dist/ is untouched");
});

t.test('npm run start:prod serves from dist/ with NODE_ENV=production; the compiled consult mints a token it accepts', async (t) => {
  if (built.code !== 0) return t.fail('the build failed');
  const dataDir = tempDir(t);
  const env = { ...process.env, NODE_ENV: 'production', AUTH_SECRET, AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), SMTP_URL: 'smtp://127.0.0.1:2525', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', EVENTSTORE_URL: '', TOKEN_MAX_LIFETIME: '', CONSULT_DIST: '', QUEUE_PREFIX: testPrefix(t) };
  const server = startServerProcess(t, 'npm', ['run', 'start:prod'], { cwd: app, env });
  const address = await server.address;
  const nodePid = server.logs.find((l) => typeof l.pid === 'number')?.pid as number;
  const commandLine = commandLineOf(nodePid);
  t.match(commandLine, /^\S*node --enable-source-maps dist\/main\.js\s*$/, 'npm run start:prod is node --enable-source-maps dist/main.js');
  t.notMatch(commandLine, /tsx/, 'no TypeScript loader');

  const health = await fetch(`${address}/healthz`);
  t.equal(health.status, 200, '/healthz answers');
  t.match(await health.json(), { status: 'ok', store: { kind: 'sqlite', reachable: true } });
  t.ok(await eventually(async () => (await fetch(`${address}/readyz`)).status === 200, 30_000), '/readyz once the views caught up');

  // CONSULT_DIST is unset: with no src/ beside bin/ it runs dist/cli/main.js anyway, as in the image
  const minted = await run(process.execPath, [path.join(app, 'bin/consult.js'), 'token', '--role', 'coordinator', '--subject', 'Build test'], { cwd: app, env });
  t.equal(minted.code, 0, `consult token exits 0${minted.code === 0 ? '' : `: ${minted.stderr}`}`);
  const token = minted.stdout.trim();
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'prints a JWT');

  t.equal((await fetch(`${address}/consultations`)).status, 401, 'GET /consultations without a token: 401');
  const authorization = `Bearer ${token}`;
  const empty = await fetch(`${address}/consultations`, { headers: { authorization } });
  t.equal(empty.status, 200, 'GET /consultations with the token: 200');
  t.same(await empty.json(), { consultations: [] }, 'none yet');
  const opened = await fetch(`${address}/consultations`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json', 'idempotency-key': 'build-test-open' },
    body: JSON.stringify(OPEN_BODY),
  });
  t.equal(opened.status, 201, 'POST /consultations: 201 (command, store, views: all compiled)');
  const { id } = await opened.json() as { id: string };
  const listed = await fetch(`${address}/consultations`, { headers: { authorization } });
  t.match(await listed.json(), { consultations: [{ id, title: OPEN_BODY.title }] }, 'GET /consultations lists it');

  server.child.kill('SIGTERM');
  t.match(await server.exited, { code: 0 }, 'stops cleanly on SIGTERM');
});

t.test('the compiled consult answers --help; CONSULT_DIST=1 without a build says to run npm run build', async (t) => {
  if (built.code !== 0) return t.fail('the build failed');
  const env = { ...process.env, CONSULT_DIST: '1' };
  const help = await run(process.execPath, [path.join(app, 'bin/consult.js'), '--help'], { cwd: app, env });
  t.equal(help.code, 0, 'consult --help exits 0');
  t.match(help.stdout, /^usage: consult <command>/, 'and prints the usage');
  t.equal(help.stderr, '', 'nothing on stderr');

  const empty = tempDir(t);
  mkdirSync(path.join(empty, 'bin'));
  copyFileSync(path.join(repoRoot, 'bin/consult.js'), path.join(empty, 'bin/consult.js'));
  copyFileSync(path.join(repoRoot, 'package.json'), path.join(empty, 'package.json'));
  const missing = await run(process.execPath, [path.join(empty, 'bin/consult.js'), '--help'], { cwd: empty, env });
  t.equal(missing.code, 1, 'exit 1 when dist/ was never built');
  t.match(missing.stderr, /dist\/cli\/main\.js does not exist; run `npm run build` first/, 'and says what to run');
});
