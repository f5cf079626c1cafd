// What a bearer token must carry to be accepted: exp and iat (not in the future beyond a minute of
// clock skew), a lifetime (exp - iat) within TOKEN_MAX_LIFETIME, an id (jti) that is not revoked,
// and a subject that is a valid actor id (it is recorded as the actor of every event it causes).
// Anything else is 401 INVALID_TOKEN; a revoked token is 401 TOKEN_REVOKED.
import { DamageRegistry } from '../../src/audit/damage.ts';
import t from 'tap';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { RevokedTokens, revokeToken } from '../../src/auth/revocations.ts';
import { VerifiedTokenCache } from '../../src/auth/token-cache.ts';
import { checkToken, mintToken, verifyToken } from '../../src/auth/tokens.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import type { AuthPolicy } from '../../src/http/auth.ts';
import { buildApp } from '../../src/http/app.ts';
import { projections } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { AUTH_SECRET, startApi } from '../helpers/http.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;
const nowSeconds = () => Math.floor(Date.now() / 1000);

type Claims = { iss: string; sub: string; role: string; jti: string; iat: number; exp: number };

/** A token signed with the server's secret, with these claims changed (undefined: left out). */
async function sign(changes: { [K in keyof Claims]?: Claims[K] | undefined } = {}): Promise<string> {
  const claims: Record<string, unknown> = { iss: 'wps-consult', sub: 'Ana Popescu', role: 'coordinator', jti: randomUUID(), iat: nowSeconds(), exp: nowSeconds() + HOUR, ...changes };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(AUTH_SECRET));
}

/** The app on a real store, with this token policy. */
async function appWith(t: { teardown(fn: () => unknown): void }, policy: AuthPolicy) {
  const { store } = tempStore(t);
  const runner = new ProjectionRunner({ store, projections });
  await runner.start();
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store }), damage: new DamageRegistry(), logger: pino({ level: 'silent' }), storeKind: 'sqlite', authSecret: AUTH_SECRET, authPolicy: policy });
  t.teardown(async () => { await app.close(); await runner.stop(); });
  return app;
}

type App = Awaited<ReturnType<typeof startApi>>['app'];
const list = (app: App, token: string) => app.inject({ method: 'GET', url: '/consultations', headers: { authorization: `Bearer ${token}` } });

t.test('a token with every claim in order is accepted', async (t) => {
  const { app } = await startApi(t);
  t.equal((await list(app, await sign())).statusCode, 200);
});

t.test('a token without exp, iat or jti is refused: none of them is optional', async (t) => {
  const { app } = await startApi(t);
  for (const claim of ['exp', 'iat', 'jti'] as const) {
    const res = await list(app, await sign({ [claim]: undefined }));
    t.equal(res.statusCode, 401, `without ${claim}`);
    t.equal(res.json().code, 'INVALID_TOKEN', `without ${claim}`);
  }
  t.equal((await list(app, await sign({ jti: 'not-a-uuid' }))).statusCode, 401, 'a jti that is not a UUID');
});

t.test('iat in the future is refused beyond a minute of clock skew', async (t) => {
  const { app } = await startApi(t);
  const ahead = await list(app, await sign({ iat: nowSeconds() + 10 * 60, exp: nowSeconds() + HOUR }));
  t.equal(ahead.statusCode, 401, 'issued ten minutes from now');
  t.equal(ahead.json().code, 'INVALID_TOKEN');
  t.equal((await list(app, await sign({ iat: nowSeconds() + 20 }))).statusCode, 200, 'twenty seconds ahead: clock skew');
});

t.test('a lifetime (exp - iat) over the maximum is refused, even while the token is young', async (t) => {
  const { app } = await startApi(t); // the default maximum: 30 days
  const long = await list(app, await sign({ iat: nowSeconds() - 60, exp: nowSeconds() + 31 * DAY }));
  t.equal(long.statusCode, 401);
  t.equal(long.json().code, 'INVALID_TOKEN');
  t.equal((await list(app, await sign({ exp: nowSeconds() + 30 * DAY }))).statusCode, 200, '30 days is allowed');

  const short = await appWith(t, { maxLifetimeSeconds: 8 * HOUR }); // TOKEN_MAX_LIFETIME=8h
  t.equal((await list(short, await sign({ exp: nowSeconds() + 9 * HOUR }))).statusCode, 401, '9h against a maximum of 8h');
  t.equal((await list(short, await sign({ exp: nowSeconds() + 8 * HOUR }))).statusCode, 200, '8h against a maximum of 8h');
});

t.test('an expired token is refused', async (t) => {
  const { app } = await startApi(t);
  t.equal((await list(app, await sign({ iat: nowSeconds() - 2 * HOUR, exp: nowSeconds() - HOUR }))).statusCode, 401);
});

t.test('the subject is checked as an actor id: a 6,000-character or empty one is refused', async (t) => {
  const { app } = await startApi(t);
  for (const sub of ['x'.repeat(6_000), '']) {
    const res = await list(app, await sign({ sub }));
    t.equal(res.statusCode, 401, `${sub.length} characters`);
    t.equal(res.json().code, 'INVALID_TOKEN');
  }
  await t.rejects(mintToken(AUTH_SECRET, { role: 'coordinator', subject: 'x'.repeat(6_000) }), /not a valid subject/, 'and no such token is minted');
});

// The subject's rule is the domain's actor id (Actor.shape.id), never a second pattern; a claim
// that schema would rewrite (a trailing CR trimmed) is refused rather than rewritten.
t.test('a subject with CR/LF, a control character, a bidi override or surrounding spaces is refused', async (t) => {
  const { app } = await startApi(t);
  for (const sub of ['Ana\r\nPopescu', 'Ana\nrole: coordinator', 'Ana\r', ' Ana', 'Ana\u0000', 'Ana \u202Eofni']) {
    const res = await list(app, await sign({ sub }));
    t.equal(res.statusCode, 401, JSON.stringify(sub));
  }
});

t.test('a revoked token is 401 TOKEN_REVOKED without a restart; other tokens still work', async (t) => {
  const file = path.join(tempDir(t), 'revoked-tokens');
  const app = await appWith(t, { revoked: new RevokedTokens(file) });
  const kept = await mintToken(AUTH_SECRET, { role: 'coordinator', subject: 'Ana Popescu' });
  const lost = await mintToken(AUTH_SECRET, { role: 'coordinator', subject: 'Ion Rusu' });
  t.equal((await list(app, lost.token)).statusCode, 200, 'accepted before');
  revokeToken(file, lost.jti);
  let res = await list(app, lost.token);
  for (let i = 0; i < 100 && res.statusCode === 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    res = await list(app, lost.token);
  }
  t.equal(res.statusCode, 401, 'refused once the list is re-read');
  t.match(res.json(), { code: 'TOKEN_REVOKED', status: 401 });
  t.equal((await list(app, kept.token)).statusCode, 200, 'a token that was not revoked');
});

t.test('a token kept as verified is refused as soon as the list says it is revoked', async (t) => {
  const file = path.join(tempDir(t), 'revoked-tokens');
  const verified = new VerifiedTokenCache();
  const app = await appWith(t, { revoked: new RevokedTokens(file, { checkEveryMs: 0 }), verified });
  const lost = await mintToken(AUTH_SECRET, { role: 'coordinator', subject: 'Ion Rusu' });
  t.equal((await list(app, lost.token)).statusCode, 200, 'accepted before');
  t.equal(verified.size, 1, 'and kept as verified');
  revokeToken(file, lost.jti);
  const res = await list(app, lost.token);
  t.equal(res.statusCode, 401);
  t.match(res.json(), { code: 'TOKEN_REVOKED', status: 401 });
});

t.test('a token kept as verified is refused once its exp has passed (beyond the clock skew)', async (t) => {
  let now = Date.now();
  const clock = () => now;
  const verified = new VerifiedTokenCache({ clock });
  const app = await appWith(t, { verified, clock });
  const minted = await mintToken(AUTH_SECRET, { role: 'coordinator', subject: 'Ana Popescu' }, { lifetimeSeconds: HOUR, now: new Date(now) });
  t.equal((await list(app, minted.token)).statusCode, 200);
  t.equal(verified.size, 1, 'kept as verified');
  now = minted.expiresAt.getTime() + 61_000;
  const res = await list(app, minted.token);
  t.equal(res.statusCode, 401, 'past exp and the minute of skew');
  t.equal(res.json().code, 'INVALID_TOKEN');
});

t.test('checkToken says why a token is refused (for the logs), verifyToken gives the principal with its jti', async (t) => {
  const minted = await mintToken(AUTH_SECRET, { role: 'auditor', subject: 'Court of Audit' }, { lifetimeSeconds: HOUR });
  t.strictSame(await verifyToken(AUTH_SECRET, minted.token), { role: 'auditor', subject: 'Court of Audit', jti: minted.jti });
  t.equal(minted.expiresAt.getTime() - Date.now() <= HOUR * 1000, true, 'expires within the hour asked for');
  const refused = await checkToken(AUTH_SECRET, await sign({ iat: nowSeconds() - 60, exp: nowSeconds() + 2 * HOUR }), { maxLifetimeSeconds: HOUR });
  t.match(refused, { ok: false, reason: 'invalid', detail: /longer than TOKEN_MAX_LIFETIME \(1h\)/ });
  const revoked = await checkToken(AUTH_SECRET, minted.token, { maxLifetimeSeconds: HOUR, isRevoked: (jti) => jti === minted.jti });
  t.match(revoked, { ok: false, reason: 'revoked' });
});
