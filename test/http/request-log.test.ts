// The request logs, captured from the real logger (createLogger with a destination): they name
// the method, the route and the allow-listed query parameters, and never carry a token (in a
// header or a query string), an e-mail address or a comment's text, whatever the request did.
import { DamageRegistry } from '../../src/audit/damage.ts';
import t from 'tap';
import { Writable } from 'node:stream';
import { issueToken } from '../../src/auth/tokens.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { buildApp } from '../../src/http/app.ts';
import { requestLogFields } from '../../src/http/request-log.ts';
import { createLogger } from '../../src/logger.ts';
import { projections } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { AUTH_SECRET, DRAFT_BODY, OPEN_BODY } from '../helpers/http.ts';
import { tempStore } from '../helpers/temp-store.ts';
import type { FastifyRequest } from 'fastify';

t.test('no token, e-mail address or comment text reaches the logs, whatever the request', async (t) => {
  const lines: string[] = [];
  const logger = createLogger('trace', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  const { store } = tempStore(t);
  const runner = new ProjectionRunner({ store, projections, logger });
  await runner.start();
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store, logger }), damage: new DamageRegistry(), logger, storeKind: 'sqlite', authSecret: AUTH_SECRET });
  t.teardown(async () => {
    await app.close();
    await runner.stop();
  });
  await runner.caughtUp();

  const token = await issueToken(AUTH_SECRET, { role: 'coordinator', subject: 'Gender Office coordinator' });
  const queryToken = await issueToken(AUTH_SECRET, { role: 'auditor', subject: 'a token pasted into a link' });
  const email = 'ioana.secret-contact@wipn.example';
  const otherEmail = 'someone.in.a.query@example.org';
  const commentText = 'Our confidential remark on the protection pillar';
  const csvEmail = 'row.two.person@csv-import.example';
  const call = (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) => app.inject({
    method, url,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });

  // a query string a route does not take is refused (400), and logged without its values
  t.equal((await call('POST', `/consultations?access_token=${queryToken}`, OPEN_BODY)).statusCode, 400);
  const opened = await call('POST', '/consultations', OPEN_BODY);
  t.equal(opened.statusCode, 201);
  const id = (opened.json() as { id: string }).id;
  t.equal((await call('POST', `/consultations/${id}/drafts`, DRAFT_BODY)).statusCode, 201);
  const invitation = { organisation: 'Women in Peace Network', kind: 'civil-society', contact: { name: 'Ioana', email }, language: 'en' };
  t.equal((await call('POST', `/consultations/${id}/stakeholders?email=${otherEmail}`, invitation)).statusCode, 400);
  const invited = await call('POST', `/consultations/${id}/stakeholders`, invitation);
  t.equal(invited.statusCode, 201);
  const sid = (invited.json() as { stakeholderId: string }).stakeholderId;
  const commented = await call('POST', `/consultations/${id}/comments`, { stakeholderId: sid, draftVersion: 1, sectionKey: 's2', text: commentText, channel: 'api' });
  t.equal(commented.statusCode, 201);
  t.equal((await call('POST', `/consultations/${id}/stakeholders/import`, `organisation,kind,name,email,language\nCSV Org,other,Row Two,${csvEmail},en\nBad Org,nonsense,X,not-an-address,en\n`, { 'content-type': 'text/csv' })).statusCode, 200);
  const matrix = await call('GET', `/consultations/${id}/comments?version=1&stakeholder=${sid}&token=${queryToken}&email=${otherEmail}&q=${encodeURIComponent(commentText)}`);
  t.equal(matrix.statusCode, 400, 'unknown query parameters are refused (and still logged without their values)');
  t.equal((await call('GET', `/consultations/${id}/comments?version=1&stakeholder=${sid}`)).statusCode, 200);
  // refused requests carry their secrets too
  t.equal((await call('GET', `/consultations?access_token=${queryToken}`, undefined, { authorization: `Bearer ${queryToken}x` })).statusCode, 401);
  t.equal((await call('GET', `/nowhere?access_token=${queryToken}`)).statusCode, 404);
  t.equal((await call('GET', `/consultations/%zz?access_token=${queryToken}`)).statusCode, 400);
  t.equal((await call('GET', `/consultations/${'a'.repeat(150)}?access_token=${queryToken}`)).statusCode, 414);
  t.equal((await call('POST', `/consultations/${id}/comments?access_token=${queryToken}`, { stakeholderId: sid, draftVersion: 1, text: commentText, channel: 'carrier-pigeon' })).statusCode, 400);
  // and a failure inside (the store closed under the server) is logged with its error
  await store.close();
  t.equal((await call('POST', `/consultations/${id}/comments`, { stakeholderId: sid, draftVersion: 1, text: commentText, channel: 'api' })).statusCode, 500);

  const log = lines.join('');
  t.ok(lines.length > 20, 'requests were logged');
  for (const [name, secret] of [['the bearer token', token], ['the token in a query string', queryToken], ['a contact\'s e-mail address', email],
    ['an e-mail address in a query string', otherEmail], ['an e-mail address from the CSV', csvEmail], ['the comment\'s text', commentText]] as const) {
    t.notOk(log.includes(secret), `${name} is not in the logs`);
  }
  t.notOk(/access_token|[?&]token=|[?&]email=/.test(log), 'nor the names of query parameters outside the allow-list');
  const entries = lines.map((l) => JSON.parse(l) as { req?: { method: string; url: string; query?: Record<string, string> }; consultationId?: string; msg: string });
  t.ok(entries.some((e) => e.req?.url === '/consultations/:id/comments' && e.req.method === 'GET'), 'a request is logged by its route');
  t.ok(entries.some((e) => e.req?.url === '/consultations/:id/comments' && e.req.query?.['version'] === '1' && e.req.query['stakeholder'] === sid), 'with its allow-listed query parameters');
  t.ok(entries.some((e) => e.req?.url === '/nowhere'), 'an unmatched request by its path, without the query string');
  t.ok(entries.some((e) => e.consultationId === id && e.msg === 'request completed'), 'the request\'s lines name its consultation');
  t.ok(entries.some((e) => e.msg === 'request failed'), 'the 500 was logged');
});

t.test('the request serializer: route or path, allow-listed query parameters, values cut', async (t) => {
  const fake = (url: string, route?: string) => ({ method: 'GET', url, raw: { url }, is404: route === undefined, routeOptions: { url: route } }) as unknown as FastifyRequest;
  const logged = (url: string, route?: string) => JSON.parse(JSON.stringify(requestLogFields(fake(url, route)))) as unknown; // as the log line has it
  t.strictSame(logged('/consultations/abc?status=open&access_token=x&status=closed', '/consultations/:id'), {
    method: 'GET', url: '/consultations/:id', query: { status: ['open', 'closed'] },
  });
  t.strictSame(logged('/x?__proto__=1&constructor=2'), { method: 'GET', url: '/x' });
  const long = requestLogFields(fake(`/${'p'.repeat(500)}?section=${'s'.repeat(500)}`));
  t.equal(long.url.length, 201, 'a path is cut to 200 characters');
  t.equal((long.query?.['section'] as string).length, 201, 'so is a value');
});
