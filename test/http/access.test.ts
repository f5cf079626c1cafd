// Access: bearer tokens signed with the server's secret; coordinators do everything, auditors read.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { SignJWT } from 'jose';
import { resolveAuthSecret } from '../../src/auth/secret.ts';
import { issueToken, verifyToken } from '../../src/auth/tokens.ts';
import { DamageRegistry } from '../../src/audit/damage.ts';
import { buildApp } from '../../src/http/app.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { projections } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { REDACT_PATHS } from '../../src/logger.ts';
import { AUTH_SECRET, OPEN_BODY, openConsultation, startApi } from '../helpers/http.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

t.test('no token or a bad one: 401 problem; the open endpoints need none', async (t) => {
  const api = await startApi(t);
  const none = await api.call({ url: '/consultations', as: null });
  t.equal(none.statusCode, 401);
  t.match(none.json(), { code: 'UNAUTHENTICATED', status: 401 });
  for (const token of ['garbage', await issueToken('another-secret-of-32-characters-x', { role: 'coordinator', subject: 'x' })]) {
    const bad = await api.call({ url: '/consultations', as: null, headers: { authorization: `Bearer ${token}` } });
    t.equal(bad.statusCode, 401);
    t.equal(bad.json().code, 'INVALID_TOKEN');
  }
  const expired = await new SignJWT({ role: 'coordinator' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('wps-consult')
    .setIssuedAt(1_700_000_000).setExpirationTime(1_700_000_100).sign(new TextEncoder().encode(AUTH_SECRET));
  t.equal((await api.call({ url: '/consultations', as: null, headers: { authorization: `Bearer ${expired}` } })).statusCode, 401, 'expired');
  const forged = await new SignJWT({ role: 'superuser' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer('wps-consult')
    .setExpirationTime('1h').sign(new TextEncoder().encode(AUTH_SECRET));
  t.equal((await api.call({ url: '/consultations', as: null, headers: { authorization: `Bearer ${forged}` } })).statusCode, 401, 'unknown role');
  t.equal((await api.call({ url: '/healthz', as: null })).statusCode, 200);
  t.equal((await api.call({ url: '/readyz', as: null })).statusCode, 200);
  t.equal((await api.call({ url: '/docs/json', as: null })).statusCode, 200);
});

t.test('auditors read everything, including the raw history, and may not write (403, nothing appended)', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  for (const url of ['/consultations', `/consultations/${id}`, `/consultations/${id}/drafts/1`, `/consultations/${id}/events`]) {
    t.equal((await api.call({ url, as: 'auditor' })).statusCode, 200, url);
  }
  const write = await api.call({ url: `/consultations/${id}/drafts`, body: { sections: [{ key: 'a', heading: 'A', text: '' }], commentDeadline: '2099-01-01T00:00:00Z' }, as: 'auditor' });
  t.equal(write.statusCode, 403);
  t.match(write.json(), { code: 'FORBIDDEN' });
  t.equal((await api.call({ url: `/consultations/${id}/events` })).json().events.length, 2, 'nothing appended');
});

t.test('the actor recorded on events is the token\'s subject', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const events = (await api.call({ url: `/consultations/${id}/events` })).json().events as { metadata: { actor: unknown } }[];
  t.strictSame(events[0]!.metadata.actor, { role: 'coordinator', id: 'Gender Office coordinator' });
});

t.test('request logs name the consultation and never carry a token', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const logger = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: { req: (req: { headers: unknown; method: string; url: string }) => ({ method: req.method, url: req.url, headers: req.headers }) } }, sink);
  const { store } = tempStore(t);
  const runner = new ProjectionRunner({ store, projections });
  await runner.start();
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store }), damage: new DamageRegistry(), logger, storeKind: 'sqlite', authSecret: AUTH_SECRET });
  t.teardown(async () => { await app.close(); await runner.stop(); });
  const token = await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'c' });
  const res = await app.inject({ method: 'POST', url: '/consultations', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(OPEN_BODY) });
  t.equal(res.statusCode, 201);
  await app.inject({ method: 'GET', url: '/consultations', headers: { authorization: 'Bearer not-a-valid-token' } });
  const id = (res.json() as { id: string }).id;
  await app.inject({ method: 'GET', url: `/consultations/${id}`, headers: { authorization: `Bearer ${token}` } });
  const all = lines.join('');
  t.ok(lines.some((l) => l.includes(`"consultationId":"${id}"`) && l.includes('request completed')), 'the request\'s log lines name its consultation');
  t.ok(all.includes('"url":"/consultations"'), 'requests were logged');
  t.notOk(all.includes(token), 'the valid token is not in the logs');
  t.notOk(all.includes('not-a-valid-token'), 'nor a rejected one');
});

t.test('tokens carry role, subject and an id; consult token prints one the server accepts', async (t) => {
  const token = await issueToken(AUTH_SECRET, { role: 'auditor', subject: 'Court of Audit' });
  t.match(await verifyToken(AUTH_SECRET, token), { role: 'auditor', subject: 'Court of Audit', jti: /^[0-9a-f-]{36}$/ });
  const bin = fileURLToPath(new URL('../../bin/consult.js', import.meta.url));
  const printed = spawnSync(process.execPath, [bin, 'token', '--role', 'coordinator', '--subject', 'Ana Popescu'], { env: { ...process.env, AUTH_SECRET }, encoding: 'utf8' });
  t.equal(printed.status, 0, printed.stderr);
  t.match(await verifyToken(AUTH_SECRET, printed.stdout.trim()), { role: 'coordinator', subject: 'Ana Popescu' });
  const usage = spawnSync(process.execPath, [bin, 'token', '--role', 'admin', '--subject', 'x'], { env: { ...process.env, AUTH_SECRET }, encoding: 'utf8' });
  t.equal(usage.status, 2);
  t.match(usage.stderr, /usage: consult token --role coordinator\|auditor/);
  // without AUTH_SECRET outside production: the development secret the server created in its data directory
  const dataDir = tempDir(t);
  resolveAuthSecret({ dataDir, NODE_ENV: 'development' });
  const dev = spawnSync(process.execPath, [bin, 'token', '--role', 'auditor', '--subject', 'A'], { env: { ...process.env, AUTH_SECRET: '', DATA_DIR: dataDir }, encoding: 'utf8' });
  t.equal(dev.status, 0, dev.stderr);
  t.match(dev.stderr, /development secret in .*auth-secret/);
});
