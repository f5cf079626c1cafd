// `consult token` and `consult token revoke`: a token the server accepts, its id and expiry on
// stderr, a lifetime bounded by TOKEN_MAX_LIFETIME, the server's development secret only (never a
// new one), and revocation into DATA_DIR/revoked-tokens. (As a real process: test/http/access.test.ts
// and test/main.test.ts.)
import t from 'tap';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { resolveAuthSecret } from '../../src/auth/secret.ts';
import { verifyToken } from '../../src/auth/tokens.ts';
import { consult as consultHere } from '../helpers/consult.ts';
import { AUTH_SECRET } from '../helpers/http.ts';
import { tempDir } from '../helpers/temp-store.ts';

const HOUR = 3600;

/** `consult ...` with these settings only. */
const consult = (args: string[], env: Record<string, string> = {}, cwd?: string) => consultHere(args, { env, ...(cwd ? { cwd } : {}) });

t.test('prints a token the server accepts on stdout, its id and expiry on stderr', async (t) => {
  const run = await consult(['token', '--role', 'auditor', '--subject', 'Court of Audit', '--expires', '8h'], { AUTH_SECRET });
  t.equal(run.status, 0, run.stderr);
  const token = run.stdout.trim();
  const principal = await verifyToken(AUTH_SECRET, token);
  t.match(principal, { role: 'auditor', subject: 'Court of Audit' });
  const claims = decodeJwt(token);
  t.equal(claims.exp! - claims.iat!, 8 * HOUR, '--expires 8h');
  t.match(run.stderr, `token id (jti) ${principal!.jti}, expires ${new Date(claims.exp! * 1000).toISOString()}`);
  t.match(run.stderr, `consult token revoke ${principal!.jti}`);
  t.notMatch(run.stderr, token, 'the token itself only on stdout');
});

t.test('--expires defaults to TOKEN_MAX_LIFETIME, and longer is an error naming the maximum', async (t) => {
  const byDefault = await consult(['token', '--role', 'coordinator', '--subject', 'Ana'], { AUTH_SECRET });
  t.equal(byDefault.status, 0, byDefault.stderr);
  const claims = decodeJwt(byDefault.stdout.trim());
  t.equal(claims.exp! - claims.iat!, 30 * 24 * HOUR, '30 days');

  const tooLong = await consult(['token', '--role', 'coordinator', '--subject', 'Ana', '--expires', '31d'], { AUTH_SECRET });
  t.equal(tooLong.status, 2);
  t.match(tooLong.stderr, /--expires 31d is longer than .*TOKEN_MAX_LIFETIME=30d/);
  t.equal(tooLong.stdout, '', 'no token');

  const shorter = await consult(['token', '--role', 'coordinator', '--subject', 'Ana', '--expires', '9h'], { AUTH_SECRET, TOKEN_MAX_LIFETIME: '8h' });
  t.equal(shorter.status, 2);
  t.match(shorter.stderr, /TOKEN_MAX_LIFETIME=8h/);
  const within = await consult(['token', '--role', 'coordinator', '--subject', 'Ana'], { AUTH_SECRET, TOKEN_MAX_LIFETIME: '8h' });
  t.equal(decodeJwt(within.stdout.trim()).exp! - decodeJwt(within.stdout.trim()).iat!, 8 * HOUR, 'the default follows the maximum');

  const bad = await consult(['token', '--role', 'coordinator', '--subject', 'Ana', '--expires', 'soon'], { AUTH_SECRET });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--expires takes a duration such as 8h/);
  const badSetting = await consult(['token', '--role', 'coordinator', '--subject', 'Ana'], { AUTH_SECRET, TOKEN_MAX_LIFETIME: 'forever' });
  t.equal(badSetting.status, 1);
  t.match(badSetting.stderr, /TOKEN_MAX_LIFETIME="forever": a duration such as 8h, 30d or 2w/);
});

t.test('a subject the server would refuse is refused before signing', async (t) => {
  const long = await consult(['token', '--role', 'coordinator', '--subject', 'x'.repeat(6_000)], { AUTH_SECRET });
  t.equal(long.status, 2);
  t.match(long.stderr, /--subject: /);
  t.equal(long.stdout, '');
});

t.test('without AUTH_SECRET it signs only with the development secret the server created; a missing one is an error and nothing is created', async (t) => {
  const root = tempDir(t);
  const dataDir = path.join(root, 'data');
  const missing = await consult(['token', '--role', 'coordinator', '--subject', 'Ana'], { DATA_DIR: dataDir });
  t.equal(missing.status, 1);
  t.match(missing.stderr, `no development secret at ${path.join(dataDir, 'auth-secret')}; set DATA_DIR to the server's data directory`);
  t.equal(missing.stdout, '', 'no token');
  t.notOk(existsSync(dataDir), 'the data directory was not created');
  const inCwd = await consult(['token', '--role', 'coordinator', '--subject', 'Ana'], {}, root);
  t.equal(inCwd.status, 1, 'the default ./data neither');
  t.notOk(existsSync(path.join(root, 'data')));

  const { secret } = resolveAuthSecret({ dataDir, NODE_ENV: 'development' }); // what the server does at its first start
  const signed = await consult(['token', '--role', 'coordinator', '--subject', 'Ana'], { DATA_DIR: dataDir });
  t.equal(signed.status, 0, signed.stderr);
  t.match(await verifyToken(secret, signed.stdout.trim()), { role: 'coordinator', subject: 'Ana' }, 'signed with the server\'s secret');
});

t.test('token revoke appends the id to DATA_DIR/revoked-tokens (mode 0600), once', async (t) => {
  const dataDir = tempDir(t);
  const jti = '0b6a4d4e-5f0c-4d51-9d57-6c1f0f2a9b01';
  const first = await consult(['token', 'revoke', jti], { DATA_DIR: dataDir });
  t.equal(first.status, 0, first.stderr);
  const file = path.join(dataDir, 'revoked-tokens');
  t.match(first.stdout, `revoked ${jti}`);
  t.equal(readFileSync(file, 'utf8'), `${jti}\n`);
  t.equal(statSync(file).mode & 0o777, 0o600, 'only the owner reads it');
  const again = await consult(['token', 'revoke', jti.toUpperCase()], { DATA_DIR: dataDir });
  t.equal(again.status, 0);
  t.match(again.stdout, 'already revoked');
  t.equal(readFileSync(file, 'utf8'), `${jti}\n`, 'listed once');

  const notAnId = await consult(['token', 'revoke', 'abc'], { DATA_DIR: dataDir });
  t.equal(notAnId.status, 2);
  t.match(notAnId.stderr, /not a token id/);
  const noDir = path.join(dataDir, 'nope');
  const missing = await consult(['token', 'revoke', jti], { DATA_DIR: noDir });
  t.equal(missing.status, 1);
  t.match(missing.stderr, `no data directory at ${noDir}; set DATA_DIR`);
  t.notOk(existsSync(noDir));
});
