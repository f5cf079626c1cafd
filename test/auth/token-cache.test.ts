// The verified-token cache: keyed by the whole token, never past the token's exp, bounded (the
// least recently used dropped first). Revocation is checked by the caller on every request
// (test/http/token-claims.test.ts).
import t from 'tap';
import { VerifiedTokenCache } from '../../src/auth/token-cache.ts';
import type { Principal } from '../../src/auth/tokens.ts';

const ANA: Principal = { role: 'coordinator', subject: 'Ana Popescu', jti: '0b6a4d4e-5f0c-4d51-9d57-6c1f0f2a9b01' };
const ION: Principal = { role: 'auditor', subject: 'Ion Rusu', jti: '7d2e1c3b-9a8f-4e6d-8c5b-4a3f2e1d0c9b' };
const EXP = 1_800_000_000; // seconds, as the claim has it

t.test('a token is given back until its exp, and not from then on', async (t) => {
  let now = EXP * 1000 - 60_000;
  const cache = new VerifiedTokenCache({ clock: () => now });
  cache.set('token-a', ANA, EXP);
  t.strictSame(cache.get('token-a'), ANA);
  now = EXP * 1000 - 1;
  t.strictSame(cache.get('token-a'), ANA, 'a millisecond before exp');
  now = EXP * 1000;
  t.equal(cache.get('token-a'), undefined, 'at exp: verify again');
  t.equal(cache.size, 0, 'and the entry is gone');
});

t.test('a token already past its exp (accepted within the clock skew) is not kept', async (t) => {
  const cache = new VerifiedTokenCache({ clock: () => EXP * 1000 + 30_000 });
  cache.set('token-a', ANA, EXP);
  t.equal(cache.get('token-a'), undefined);
  t.equal(cache.size, 0);
});

t.test('keyed by the whole token: another token, even one that begins alike, is not a hit', async (t) => {
  const cache = new VerifiedTokenCache({ clock: () => 0 });
  cache.set('header.payload.signature', ANA, EXP);
  t.equal(cache.get('header.payload.signaturX'), undefined);
  t.equal(cache.get('header.payload.'), undefined);
  t.equal(cache.get('header.payload.signature '), undefined);
  t.strictSame(cache.get('header.payload.signature'), ANA);
});

t.test('bounded: beyond maxEntries the least recently used token is dropped', async (t) => {
  const cache = new VerifiedTokenCache({ maxEntries: 2, clock: () => 0 });
  cache.set('a', ANA, EXP);
  cache.set('b', ION, EXP);
  t.strictSame(cache.get('a'), ANA, 'a used: b is now the least recent');
  cache.set('c', ION, EXP);
  t.equal(cache.size, 2);
  t.equal(cache.get('b'), undefined, 'b dropped');
  t.strictSame(cache.get('a'), ANA);
  t.strictSame(cache.get('c'), ION);
  for (let i = 0; i < 100; i++) cache.set(`t${i}`, ANA, EXP);
  t.equal(cache.size, 2, 'never more than maxEntries');
  t.throws(() => new VerifiedTokenCache({ maxEntries: 0 }), RangeError);
});
