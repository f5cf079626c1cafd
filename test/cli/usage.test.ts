// The `consult` command line: every command answers --help and -h with its own usage (exit 0,
// whatever the settings say); a wrong option or argument is a clear message and exit 2, never a
// stack trace; a command that reads a store never creates one (exit 1 naming the path and
// DATA_DIR). Run in this process for each command, and as a real process (bin/consult.js) once
// for each kind of answer, for its exit code and streams.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { consult } from '../helpers/consult.ts';
import { tempDir } from '../helpers/temp-store.ts';

t.setTimeout(120_000);
const bin = fileURLToPath(new URL('../../bin/consult.js', import.meta.url));

/** bin/consult.js as a process, with none of the caller's settings. */
function consultProcess(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  return spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, DATA_DIR: '', AUTH_SECRET: '', EVENTSTORE_URL: '', TOKEN_MAX_LIFETIME: '', NODE_ENV: 'development', ...options.env },
    encoding: 'utf8',
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
}

const SUBCOMMANDS = [['token'], ['token', 'revoke'], ['verify'], ['projections', 'rebuild'], ['store', 'copy']];
const STACK_TRACE = /\n\s+at /;

t.test('consult --help lists every command; without one it is a usage error', async (t) => {
  for (const flag of ['--help', '-h', 'help']) {
    const run = await consult([flag]);
    t.equal(run.status, 0, flag);
    for (const words of SUBCOMMANDS) t.match(run.stdout, `\n  ${words.join(' ')}`, `${flag} lists ${words.join(' ')}`);
  }
  const none = await consult([]);
  t.equal(none.status, 2);
  t.match(none.stderr, /^usage: consult <command>/);
  const unknown = await consult(['frobnicate']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /unknown command "frobnicate"/);
});

t.test('every subcommand answers --help and -h with its own usage, exit 0, even with bad settings', async (t) => {
  const cwd = tempDir(t);
  for (const words of SUBCOMMANDS) {
    for (const flag of ['--help', '-h']) {
      const run = await consult([...words, flag], { cwd, env: { PORT: 'eighty', TOKEN_MAX_LIFETIME: 'forever' } });
      const name = `consult ${words.join(' ')} ${flag}`;
      t.equal(run.status, 0, `${name}: exit 0 (${run.stderr.trim()})`);
      t.match(run.stdout, new RegExp(`^usage: consult ${words.join(' ')}( |$)`, 'm'), `${name}: its usage`);
      t.match(run.stdout, /-h, --help/, `${name}: lists its options`);
      t.equal(run.stderr, '', `${name}: nothing on stderr`);
    }
  }
  t.match((await consult(['help', 'verify'])).stdout, /^usage: consult verify/, 'consult help <command>');
  const group = await consult(['projections', '--help']);
  t.equal(group.status, 0);
  t.match(group.stdout, /usage: consult projections rebuild/);
  t.same(readdirSync(cwd), [], 'nothing was created');
});

t.test('an unknown option or a stray argument is a clear message and exit 2, not a stack trace', async (t) => {
  for (const words of SUBCOMMANDS) {
    const run = await consult([...words, '--bogus']);
    const name = `consult ${words.join(' ')} --bogus`;
    t.equal(run.status, 2, name);
    t.match(run.stderr, `consult ${words.join(' ')}: unknown option '--bogus'`, name);
    t.match(run.stderr, `usage: consult ${words.join(' ')}`, `${name}: the usage line`);
    t.notMatch(run.stderr, STACK_TRACE, `${name}: no stack trace`);
  }
  const stray = await consult(['verify', 'extra']);
  t.equal(stray.status, 2);
  t.match(stray.stderr, /unexpected argument 'extra'/);
  const missingValue = await consult(['verify', '--consultation']);
  t.equal(missingValue.status, 2);
  t.notMatch(missingValue.stderr, STACK_TRACE);
});

t.test('commands that read a store never create one: a missing store is exit 1 naming the path and DATA_DIR', async (t) => {
  const root = tempDir(t);
  const dataDir = path.join(root, 'data-that-does-not-exist');
  const cases: [string[], RegExp][] = [
    [['verify'], /no SQLite event store at .*events\.sqlite; set DATA_DIR to the server's data directory/],
    [['verify', '--consultation', '0b6a4d4e-5f0c-4d51-9d57-6c1f0f2a9b01'], /no SQLite event store at .*events\.sqlite; set DATA_DIR/],
    [['projections', 'rebuild'], /no SQLite event store at .*events\.sqlite; set DATA_DIR/],
    [['token', '--role', 'coordinator', '--subject', 'Ana'], /no development secret at .*auth-secret; set DATA_DIR/],
    [['token', 'revoke', '0b6a4d4e-5f0c-4d51-9d57-6c1f0f2a9b01'], /no data directory at .*; set DATA_DIR/],
  ];
  for (const [args, message] of cases) {
    const named = await consult(args, { env: { DATA_DIR: dataDir } });
    t.equal(named.status, 1, `DATA_DIR=… consult ${args.join(' ')}`);
    t.match(named.stderr, message);
    t.match(named.stderr, dataDir, 'names the path');
    t.notOk(existsSync(dataDir), `consult ${args[0]}: ${dataDir} still does not exist`);
    const byDefault = await consult(args, { cwd: root });
    t.equal(byDefault.status, 1, `consult ${args.join(' ')} without DATA_DIR`);
    t.match(byDefault.stderr, path.join(root, 'data'));
    t.notOk(existsSync(path.join(root, 'data')), `consult ${args[0]}: ./data still does not exist`);
  }
  t.same(readdirSync(root), [], 'nothing was created at all');
});

t.test('as a real process: help on stdout with exit 0, a usage error or a missing store on stderr with exit 2 or 1, no stack trace', async (t) => {
  const root = tempDir(t);
  const help = consultProcess(['verify', '--help'], { cwd: root, env: { PORT: 'eighty' } });
  t.equal(help.status, 0);
  t.match(help.stdout, /^usage: consult verify/);
  t.equal(help.stderr, '');
  const usage = consultProcess(['store', 'copy', '--bogus'], { cwd: root });
  t.equal(usage.status, 2);
  t.match(usage.stderr, "consult store copy: unknown option '--bogus'");
  t.notMatch(usage.stderr, STACK_TRACE);
  const missing = consultProcess(['verify'], { cwd: root });
  t.equal(missing.status, 1);
  t.match(missing.stderr, `no SQLite event store at ${path.join(root, 'data', 'events.sqlite')}; set DATA_DIR to the server's data directory`);
  t.notMatch(missing.stderr, STACK_TRACE);
  t.same(readdirSync(root), [], './data was not created');
});
