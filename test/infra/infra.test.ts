// Keeps infra/compose.yaml, infra/Dockerfile, .dockerignore and .env.example honest without Docker:
// no engine runs on the development and CI machines, so these files are checked as text.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// `yaml` is already installed with tap (tap → @tapjs/core → tap-yaml → yaml); no dependency added for it.
import { parse } from 'yaml';
import { ConfigSchema, loadConfig } from '../../src/config/config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

const settings = Object.keys(ConfigSchema.shape).sort();
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
// what an npm script runs (`exec` only makes the shell npm starts become node, so signals reach it)
const scriptCommand = (name: string) => (pkg.scripts[name] ?? '').trim().replace(/^exec\s+/, '').split(/\s+/);
// `npm start`: the development quick start, TypeScript through tsx
const startCommand = scriptCommand('start');
// `npm run start:prod`: the compiled JavaScript that `npm run build` writes to dist/
const prodCommand = scriptCommand('start:prod');

// ---------------------------------------------------------------------------------------------
// .env.example
// ---------------------------------------------------------------------------------------------

interface EnvLine { name: string; value: string; explanation: string }

function readEnvExample(): { entries: EnvLine[]; stray: string[] } {
  const lines = read('.env.example').split('\n');
  const entries: EnvLine[] = [];
  const stray: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) {
      stray.push(line);
      return;
    }
    const above = lines[i - 1] ?? '';
    entries.push({ name: m[1]!, value: m[2]!, explanation: above.startsWith('# ') ? above.slice(2).trim() : '' });
  });
  return { entries, stray };
}

t.test('.env.example lists every setting the product reads, and nothing else', async (t) => {
  const { entries, stray } = readEnvExample();
  t.same(stray, [], 'every non-comment line is NAME=value');
  const names = entries.map((e) => e.name);
  t.same([...names].sort(), settings, 'the same names as ConfigSchema in src/config/config.ts');
  t.equal(new Set(names).size, names.length, 'no setting twice');
});

t.test('.env.example explains each setting on the line above it', async (t) => {
  for (const { name, explanation } of readEnvExample().entries) {
    t.ok(explanation.length >= 10, `${name} has a one-line explanation`);
  }
});

t.test('.env.example values are valid, and the secret is left empty with a hint', async (t) => {
  const { entries } = readEnvExample();
  const env = Object.fromEntries(entries.map((e) => [e.name, e.value]));
  t.doesNotThrow(() => loadConfig(env, root), 'the example values pass the same validation as at start');
  const secret = entries.find((e) => e.name === 'AUTH_SECRET');
  t.equal(secret?.value, '', 'AUTH_SECRET is empty in the example');
  t.match(secret?.explanation ?? '', /openssl rand -hex 32/, 'and says how to generate one');
});

// ---------------------------------------------------------------------------------------------
// infra/compose.yaml
// ---------------------------------------------------------------------------------------------

interface Healthcheck { test?: unknown; disable?: boolean }
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: (string | { path: string })[] | string;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: Healthcheck;
  profiles?: string[];
}
interface Compose { services: Record<string, Service>; volumes?: Record<string, unknown> }

const composeText = read('infra/compose.yaml');
// merge: the app services share their settings through a `<<: *app` merge key.
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services ?? {};

const environmentOf = (s: Service | undefined): Record<string, string> => {
  const env = s?.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
};
const commandOf = (s: Service | undefined): string[] =>
  Array.isArray(s?.command) ? s.command : (s?.command ?? '').split(/\s+/).filter(Boolean);

t.test('compose.yaml parses and has the six services', async (t) => {
  t.type(compose, 'object');
  for (const name of ['eventstore', 'redis', 'postgres', 'mailpit', 'api', 'workers']) {
    t.ok(services[name], `service ${name}`);
  }
});

t.test('the event store runs one insecure development node without projections, on a named volume', async (t) => {
  const es = services.eventstore;
  t.match(es?.image ?? '', /kurrentdb|eventstore/);
  const env = environmentOf(es);
  const prefix = 'KURRENTDB_INSECURE' in env ? 'KURRENTDB_' : 'EVENTSTORE_';
  t.equal(env[`${prefix}INSECURE`], 'true');
  t.equal(env[`${prefix}RUN_PROJECTIONS`], 'None');
  t.ok(es?.healthcheck?.test, 'has a healthcheck');
  const volume = (es?.volumes ?? []).map((v) => v.split(':')[0]).find((v) => v && !v.startsWith('.') && !v.startsWith('/'));
  t.ok(volume && compose.volumes && volume in compose.volumes, 'its data lives on a declared named volume');
});

t.test('Redis is configured as BullMQ asks: AOF on, maxmemory-policy noeviction, a volume, a healthcheck', async (t) => {
  const redis = services.redis;
  const command = commandOf(redis).join(' ');
  t.match(command, /--appendonly yes/);
  t.match(command, /--maxmemory-policy noeviction/);
  t.ok((redis?.volumes ?? []).some((v) => v.endsWith(':/data')), 'AOF files on a volume');
  t.ok(redis?.healthcheck?.test, 'has a healthcheck');
});

t.test('PostgreSQL for the shared views: a named volume and a healthcheck', async (t) => {
  const pg = services.postgres;
  t.match(pg?.image ?? '', /^postgres:/);
  t.ok((pg?.volumes ?? []).some((v) => v.endsWith(':/var/lib/postgresql/data') && compose.volumes && v.split(':')[0]! in compose.volumes), 'data on a declared named volume');
  t.ok(pg?.healthcheck?.test, 'has a healthcheck');
});

t.test('Mailpit serves SMTP on 1025 and its UI on 8025', async (t) => {
  const ports = (services.mailpit?.ports ?? []).join(' ');
  t.match(ports, /:1025\b/);
  t.match(ports, /:8025\b/);
  t.ok(services.mailpit?.healthcheck?.test, 'has a healthcheck');
});

t.test('api and workers are built from infra/Dockerfile with in-network addresses and valid settings', async (t) => {
  for (const name of ['api', 'workers']) {
    const s = services[name];
    t.equal(s?.build?.dockerfile, 'infra/Dockerfile', `${name} builds infra/Dockerfile`);
    t.equal(s?.build?.context, '..', `${name} builds from the repository root`);
    const env = environmentOf(s);
    for (const key of Object.keys(env)) t.ok(settings.includes(key), `${name}: ${key} is a setting the product reads`);
    t.match(env, {
      EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
      REDIS_URL: /^redis:\/\/redis:6379/,
      SMTP_URL: 'smtp://mailpit:1025',
      DATABASE_URL: /^postgresql:\/\/[^@]+@postgres:5432\//,
      HOST: '0.0.0.0',
      DATA_DIR: '/data',
    }, `${name} environment`);
    t.doesNotThrow(() => loadConfig({ ...env, AUTH_SECRET: 'x'.repeat(64) }, '/app'), `${name}: settings pass validation`);
    const envFiles = ([] as (string | { path: string })[]).concat(s?.env_file ?? []).map((f) => (typeof f === 'string' ? f : f.path));
    t.ok(envFiles.includes('../.env'), `${name} reads AUTH_SECRET and the rest from the repository root's .env`);
    t.ok((s?.volumes ?? []).some((v) => v.endsWith(':/data')), `${name} keeps DATA_DIR on a volume`);
  }
});

t.test('the app services wait for healthy dependencies', async (t) => {
  for (const name of ['api', 'workers']) {
    const deps = services[name]?.depends_on;
    t.ok(deps && !Array.isArray(deps), `${name} uses the long depends_on form`);
    if (!deps || Array.isArray(deps)) continue;
    t.same(Object.keys(deps).sort(), ['eventstore', 'mailpit', 'postgres', 'redis'], `${name} depends on the four infrastructure services`);
    for (const [dep, { condition }] of Object.entries(deps)) {
      t.equal(condition, 'service_healthy', `${name} waits for ${dep} to be healthy`);
      t.ok(services[dep]?.healthcheck?.test && !services[dep]?.healthcheck?.disable, `${dep} has a healthcheck to wait for`);
    }
  }
});

t.test('api and workers both run what `npm run start:prod` runs (compiled dist/), apart by ROLE', async (t) => {
  t.same(startCommand, ['node', '--import', 'tsx/esm', 'src/main.ts'], 'npm start stays the development quick start, through tsx');
  t.same(prodCommand, ['node', '--enable-source-maps', 'dist/main.js'], 'npm run start:prod runs the compiled server, as the Dockerfile and compose assume');
  t.match(pkg.scripts.build ?? '', /^tsc -p tsconfig\.build\.json$/, 'npm run build compiles with tsconfig.build.json');
  t.same(commandOf(services.api), prodCommand);
  t.same(commandOf(services.workers), prodCommand);
  t.equal(environmentOf(services.api).ROLE, 'api', 'the api service runs the HTTP API only');
  t.equal(environmentOf(services.workers).ROLE, 'workers', 'the workers service runs the relay and the senders');
  t.notOk(services.workers?.profiles?.length, 'workers start with a plain `up` (no profile)');
  t.notOk(composeText.includes('PENDING'), 'nothing in compose.yaml waits for a later issue');
});

t.test('every named volume a service uses is declared', async (t) => {
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0] ?? '';
      if (source.startsWith('.') || source.startsWith('/')) continue;
      t.ok(compose.volumes && source in compose.volumes, `${name}: volume ${source} is declared`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// infra/Dockerfile and .dockerignore
// ---------------------------------------------------------------------------------------------

const dockerfile = read('infra/Dockerfile')
  .replace(/\\\r?\n/g, ' ') // join continued lines
  .split('\n')
  .filter((l) => !l.trim().startsWith('#'))
  .join('\n');
const stages = dockerfile.split(/^(?=FROM\s)/m).slice(1);
const runtime = stages.at(-1) ?? '';
const build = stages.slice(0, -1).join('\n');

t.test('the Dockerfile is multi-stage on Node 24 LTS (Debian bookworm), a line that engines supports', async (t) => {
  const named = [...dockerfile.matchAll(/^FROM\s+(\S+)\s+AS\s+(\S+)/gim)];
  t.ok(stages.length >= 2, 'at least two stages');
  t.equal(named.length, stages.length, 'every stage is named (FROM … AS …)');
  const args = Object.fromEntries([...dockerfile.matchAll(/^ARG\s+(\w+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]));
  for (const m of named) {
    const image = m[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? '');
    t.match(image, /^node:24-bookworm(-slim)?$/, `stage ${m[2]} is on node:24-bookworm`);
  }
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  t.match(engines, /(^|\|\|)\s*\^24(\.|\s|$)/, `package.json engines (${engines}) includes Node 24`);
});

t.test('the build stage compiles, type-checks, builds dist/ and keeps only production dependencies', async (t) => {
  t.match(build, /apt-get install[^\n]*\bpython3\b[^\n]*\bmake\b[^\n]*\bg\+\+/, 'a toolchain for better-sqlite3');
  t.match(build, /\bnpm ci\b/);
  t.match(build, /\bnpm run typecheck\b/);
  t.match(build, /^COPY\s[^\n]*\btsconfig\.build\.json\b/m, 'the build config is in the build stage');
  const buildAt = build.search(/^RUN\s+npm run build\s*$/m);
  const pruneAt = build.search(/\bnpm prune --omit=dev\b/);
  t.ok(buildAt >= 0, 'RUN npm run build');
  t.ok(pruneAt > buildAt, 'before the dev dependencies (typescript) are pruned');
  t.match(dockerfile, /\bnpm prune --omit=dev\b|\bnpm ci\b[^\n]*--omit=dev/);
});

t.test('the runtime stage runs as a non-root user with only what the app needs', async (t) => {
  const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
  t.ok(users.length > 0, 'sets a USER');
  t.notOk(['root', '0', '0:0'].includes(users.at(-1) ?? 'root'), 'the last USER is not root');
  t.match(runtime, /COPY --from=build\b/, 'copies from the build stage');
  t.notMatch(runtime, /\btest\b/, 'no tests in the runtime image');
  t.match(runtime, /ENV\b[^\n]*\bNODE_ENV=production\b/);
  t.match(runtime, /ENV\b[^\n]*\bHOST=0\.0\.0\.0\b/);
  t.match(runtime, /^EXPOSE\s+3000\b/m);
  t.match(runtime, /^VOLUME\b[^\n]*\/data/m);
  t.match(runtime, /chown\s+node:node\s+\/data/, '/data belongs to the app user');
  t.match(runtime, /^HEALTHCHECK\b[^\n]*fetch\([^\n]*\/healthz/m, 'a healthcheck with node fetch on /healthz');
  t.notMatch(runtime, /^HEALTHCHECK\b[^\n]*\btsx\b/m, 'the healthcheck is plain node');
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(runtime);
  t.ok(cmd, 'CMD in exec form');
  t.same(JSON.parse(cmd?.[1] ?? '[]'), ['node', '--enable-source-maps', 'dist/main.js'], 'CMD runs the compiled dist/main.js');
  t.same(JSON.parse(cmd?.[1] ?? '[]'), prodCommand, 'CMD is what `npm run start:prod` runs');
});

t.test('the runtime stage holds the compiled dist/, not the TypeScript source, and runs no TypeScript loader', async (t) => {
  const copied = [...runtime.matchAll(/^COPY\s+--from=build\s+([^\n]+)/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
  t.ok(copied.includes('/app/dist'), 'copies dist/ from the build stage');
  t.ok(copied.includes('/app/package.json'), 'copies package.json ("type": "module" makes dist/*.js ES modules)');
  t.ok(copied.includes('/app/bin'), 'copies bin/ (the consult command)');
  t.ok(copied.includes('/app/verifier'), 'copies verifier/ (the bundle verifier the export imports)');
  t.notOk(copied.some((c) => c === '/app/src' || c.startsWith('/app/src/')), 'no src/');
  t.notOk(copied.some((c) => /tsconfig/.test(c)), 'no tsconfig (nothing transpiles at run time)');
  t.notMatch(runtime, /\btsx\b/, 'tsx is named nowhere in the runtime stage');
  t.match(runtime, /ENV\b[^\n]*\bCONSULT_DIST=1\b/, 'consult runs dist/cli/main.js');
});

t.test('.dockerignore keeps local state and secrets out, and keeps what the build copies', async (t) => {
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const entry of ['node_modules', '.git', 'data', '.env', '.tap', 'bench/results']) {
    t.ok(ignored.includes(entry), `${entry} is ignored`);
  }
  const copied = [...build.matchAll(/^COPY\s+(?!--from)([^\n]+)/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).slice(0, -1));
  t.ok(copied.includes('test'), 'the build stage copies test/ for the type-check');
  for (const source of copied) t.notOk(ignored.includes(source), `${source} is in the build context`);
});

// ---------------------------------------------------------------------------------------------
// README
// ---------------------------------------------------------------------------------------------

t.test('the README explains running in production and points at these files', async (t) => {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('\n## Running in production'));
  t.ok(readme.includes('\n## Running in production\n'), 'has the section');
  t.match(section, /docker compose -f infra\/compose\.yaml up/);
  t.match(section, /\.env\.example/);
  t.match(section, /noeviction/);
  t.match(section, /npm run build\b/, 'says how to build dist/');
  t.match(section, /npm run start:prod\b/, 'and how to run it');
  t.match(section, /CONSULT_DIST=1/, 'and how the consult command picks dist/');
});
