// The revocation list: DATA_DIR/revoked-tokens, one token id per line. The server checks the file
// at most once per interval (a stat, not a read per request), re-reads it only when it changed, and
// fails closed when it cannot read it.
import t from 'tap';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RevokedTokens, revokeToken } from '../../src/auth/revocations.ts';
import { tempDir } from '../helpers/temp-store.ts';

const A = '0b6a4d4e-5f0c-4d51-9d57-6c1f0f2a9b01';
const B = '7d2e1c3b-9a8f-4e6d-8c5b-4a3f2e1d0c9b';

t.test('a newly revoked id counts from the next check, at most one interval later', async (t) => {
  const file = path.join(tempDir(t), 'revoked-tokens');
  let now = 0;
  const list = new RevokedTokens(file, { checkEveryMs: 1000, clock: () => now });
  t.equal(await list.has(A), false, 'no file: nothing is revoked');
  t.equal(revokeToken(file, A), true);
  now = 999;
  t.equal(await list.has(A), false, 'within the interval the file is not looked at again');
  now = 1000;
  t.equal(await list.has(A), true, 'the next check sees the change');
  t.equal(await list.has(B), false);
  revokeToken(file, B);
  now = 2000;
  t.equal(await list.has(B), true, 'and the one after that sees the next one');
});

t.test('revokeToken appends one line per id, once, to a file only its owner can read', async (t) => {
  const file = path.join(tempDir(t), 'revoked-tokens');
  t.equal(revokeToken(file, A), true);
  t.equal(revokeToken(file, A), false, 'already revoked');
  t.equal(statSync(file).mode & 0o777, 0o600);
  writeFileSync(file, `${A}\n# a comment\n${B}`); // edited by hand, without its last newline
  revokeToken(file, '11111111-2222-4333-8444-555555555555');
  t.equal(readFileSync(file, 'utf8'), `${A}\n# a comment\n${B}\n11111111-2222-4333-8444-555555555555\n`);
  const list = new RevokedTokens(file);
  t.equal(await list.has(B), true);
  t.equal(await list.has('# a comment'), false, 'comments are not ids');
});

t.test('a list that cannot be read fails closed: the check errors instead of letting tokens through', async (t) => {
  const file = path.join(tempDir(t), 'revoked-tokens');
  mkdirSync(file); // a directory where the file should be
  await t.rejects(new RevokedTokens(file).has(A), { code: 'EISDIR' });
});
