// The reply page's URL carries a personal link's token (/r/<token>): the logs never do, whatever
// the request (the page, a form, a tampered or refused link, an unmatched or unreadable path under
// /r/, a rate-limited one). Captured from the real logger at trace level.
import { Writable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import t from 'tap';
import { DamageRegistry } from '../../src/audit/damage.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { buildApp } from '../../src/http/app.ts';
import { loggablePath, requestLogFields } from '../../src/http/request-log.ts';
import { createLogger } from '../../src/logger.ts';
import { projections } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { AUTH_SECRET } from '../helpers/http.ts';
import { linkToken, PageSession } from '../helpers/reply-page.ts';
import { tempStore } from '../helpers/temp-store.ts';
import { issueToken } from '../../src/auth/tokens.ts';
import { DRAFT_BODY, OPEN_BODY } from '../helpers/http.ts';

t.test('no link token reaches the logs', async (t) => {
  const lines: string[] = [];
  const logger = createLogger('trace', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  const { store } = tempStore(t);
  const runner = new ProjectionRunner({ store, projections, logger });
  await runner.start();
  const app = await buildApp({
    store, runner, handler: new CommandHandler({ store, logger }), damage: new DamageRegistry(), logger, storeKind: 'sqlite', authSecret: AUTH_SECRET,
    pageRateLimit: { max: 8, timeWindowMs: 60_000 },
  });
  t.teardown(async () => {
    await app.close();
    await runner.stop();
  });
  await runner.caughtUp();
  const bearer = await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'coordinator' });
  const api = (url: string, body: unknown) => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const id = (await api('/consultations', OPEN_BODY)).json().id as string;
  await api(`/consultations/${id}/drafts`, DRAFT_BODY);
  const sid = (await api(`/consultations/${id}/stakeholders`, { organisation: 'Women in Peace Network', kind: 'civil-society', contact: { name: 'Ioana', email: 'ioana@wipn.example' }, language: 'en' })).json().stakeholderId as string;
  const view = await app.inject({ method: 'GET', url: `/consultations/${id}/stakeholders/${sid}`, headers: { authorization: `Bearer ${bearer}` } });
  const token = await linkToken(id, sid, (view.json() as { contacts: { contactId: string }[] }).contacts[0]!.contactId);

  const page = new PageSession(app, token);
  t.equal((await page.open()).statusCode, 200);
  t.equal((await page.submit('comment', { section: '', text: 'logged?' })).post.statusCode, 303);
  t.equal((await page.submit('comment', { section: '', text: 'forged' }, { without: ['_csrf'] })).post.statusCode, 403);
  const tampered = `${token.slice(0, -4)}AAAA`;
  t.equal((await new PageSession(app, tampered).open()).statusCode, 404);
  t.equal((await app.inject({ url: `/r/${token}/nothing/here` })).statusCode, 404);
  t.equal((await app.inject({ url: `/R/${token}` })).statusCode, 404, 'unmatched (the router is case-sensitive): logged by its path, redacted');
  t.equal((await app.inject({ url: `/r/${token}%zz` })).statusCode, 400, 'unreadable: logged by its path, redacted');
  t.equal((await app.inject({ url: `/elsewhere/${token}` })).statusCode, 404);
  for (let i = 0; i < 8; i++) await app.inject({ url: `/r/${token}` });
  t.equal((await app.inject({ url: `/r/${token}` })).statusCode, 429);

  const log = lines.join('');
  t.ok(lines.length > 20, 'requests were logged');
  for (const [name, secret] of [['the token', token], ['the tampered token', tampered], ['its signature', token.split('.')[2]!], ['its claims', token.split('.')[1]!]] as const) {
    t.notOk(log.includes(secret), `${name} is not in the logs`);
  }
  t.notOk(log.includes('logged?'), 'nor the comment\'s text');
  const urls = lines.map((l) => (JSON.parse(l) as { req?: { url: string } }).req?.url).filter((u) => u !== undefined);
  t.ok(urls.includes('/r/*'), 'the page is logged by its route pattern');
  t.ok(urls.includes('/R/<token>'), 'an unmatched path with the token redacted');
  t.ok(urls.includes('/elsewhere/<token>'), 'a token-shaped segment anywhere is redacted');
  t.ok(lines.some((l) => l.includes('"tokenKey"') && l.includes('personal link refused')), 'a refused link is logged by a hash of its token');
});

t.test('loggablePath: the token under /r/ and anything shaped like one', async (t) => {
  t.equal(loggablePath('/r/abc.def.ghi/comment'), '/r/<token>/comment');
  t.equal(loggablePath('//r/anything'), '//r/<token>');
  t.equal(loggablePath('/r%2Fsecret'), '/r%2F<token>');
  t.equal(loggablePath('/x/eyJhbGciOi.eyJjaWQiOi.c2lnbmF0dXJl/y'), '/x/<token>/y');
  t.equal(loggablePath('/consultations/3f0c1a2b-0000-4000-8000-000000000000'), '/consultations/3f0c1a2b-0000-4000-8000-000000000000', 'ids stay');
  const fake = { method: 'GET', url: '/r/a.b.c', raw: { url: '/r/a.b.c?lang=ro' }, is404: true, routeOptions: {} } as unknown as FastifyRequest;
  t.strictSame(JSON.parse(JSON.stringify(requestLogFields(fake))), { method: 'GET', url: '/r/<token>' });
});
