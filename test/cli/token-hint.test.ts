// The `consult token` command the server prints at start names exactly the settings the CLI needs
// to sign a token this server accepts, quoted for a POSIX shell. (Running it: test/main.test.ts.)
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { shellWord, tokenCommandHint } from '../../src/cli/token-hint.ts';

const repoRoot = '/srv/wps-consult';
const DAY = 86_400;
const TAIL = 'npx consult token --role coordinator --subject developer';

t.test('in the repository with the default data directory and lifetime: the bare command', async (t) => {
  t.equal(tokenCommandHint({ dataDir: '/srv/wps-consult/data', tokenMaxLifetimeSeconds: 30 * DAY, cwd: repoRoot, repoRoot }), TAIL);
  t.equal(tokenCommandHint({ dataDir: '/srv/wps-consult/src/data', tokenMaxLifetimeSeconds: 30 * DAY, cwd: '/srv/wps-consult/src', repoRoot }), TAIL, './data of a subdirectory');
});

t.test('another DATA_DIR or TOKEN_MAX_LIFETIME is named in front of it', async (t) => {
  t.equal(tokenCommandHint({ dataDir: '/var/lib/consult', tokenMaxLifetimeSeconds: 30 * DAY, cwd: repoRoot, repoRoot }), `DATA_DIR=/var/lib/consult ${TAIL}`);
  t.equal(tokenCommandHint({ dataDir: '/srv/wps-consult/data', tokenMaxLifetimeSeconds: 8 * 3600, cwd: repoRoot, repoRoot }), `TOKEN_MAX_LIFETIME=8h ${TAIL}`);
  t.equal(tokenCommandHint({ dataDir: "/tmp/Ana's data", tokenMaxLifetimeSeconds: 30 * DAY, cwd: repoRoot, repoRoot }), `DATA_DIR='/tmp/Ana'\\''s data' ${TAIL}`, 'quoted for the shell');
});

t.test('started outside the repository: cd there first (npx finds consult only inside), with the data directory made absolute', async (t) => {
  t.equal(tokenCommandHint({ dataDir: '/home/ana/data', tokenMaxLifetimeSeconds: 30 * DAY, cwd: '/home/ana', repoRoot }), `cd /srv/wps-consult && DATA_DIR=/home/ana/data ${TAIL}`);
});

t.test('shellWord survives a real shell', async (t) => {
  for (const word of ['plain', "it's", 'two words', '$HOME', 'a"b', 'back\\slash', '*']) {
    t.equal(spawnSync('sh', ['-c', `printf %s ${shellWord(word)}`], { encoding: 'utf8' }).stdout, word, word);
  }
});
