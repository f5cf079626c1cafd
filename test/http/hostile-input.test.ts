// Hostile input over every route of the API, as the OpenAPI document lists them: each answer is
// the documented status with a problem+json body and a stable code, and nothing is appended.
// - every path parameter set to each Object.prototype name: 400 INVALID_INPUT naming it;
// - bad %-encodings: 400 BAD_URL; a parameter over the router's 100 characters: 414 URI_TOO_LONG;
// - a method the path does not take: 405 METHOD_NOT_ALLOWED with Allow; an unknown path: 404;
// - JSON as text/plain, a form, no content type, CSV to a JSON route: 415 UNSUPPORTED_MEDIA_TYPE;
// - bodies naming __proto__ or constructor.prototype: 400 MALFORMED_JSON;
// - prototype names (or any unknown name) in the query string: 400 INVALID_INPUT naming them.
// (Bad header bytes, huge headers and shutdown need a real socket: raw-socket.test.ts.)
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { commands } from '../../src/commands/index.ts';
import { storeAttachment } from '../../src/inbound/attachments.ts';
import { eventCount, inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', 'isPrototypeOf'];
const BAD_ENCODINGS = ['%E0%A4%A', '%zz', '%', '%C0%'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Method = typeof METHODS[number];

type Api = Awaited<ReturnType<typeof startApi>>;
type Route = { method: Method; path: string; params: string[] };

/** The API's routes from the OpenAPI document: method, path with `{param}`s, the params in order. */
async function apiRoutes(api: Api): Promise<Route[]> {
  const doc = (await api.call({ url: '/docs/json', as: null })).json() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/consultations'))
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({
      method: m.toUpperCase() as Method,
      path,
      params: [...path.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!),
    })));
}

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

/** The parts of an answer this suite checks, in one comparable object (a HEAD answer has the headers only). */
function answer(res: LightMyRequestResponse, method?: Method) {
  const problem = res.headers['content-type']?.toString().startsWith('application/problem+json') ?? false;
  if (method === 'HEAD') return { status: res.statusCode, problem, bodyStatus: res.statusCode, code: 'HEAD: no body' };
  const body = problem ? res.json() as { status: number; code: string } : null;
  return { status: res.statusCode, problem, bodyStatus: body?.status, code: body?.code };
}

function expected(status: number, code: string) {
  return { status, problem: true, bodyStatus: status, code };
}

const SOME_BODY = { reason: 'x' };

t.test('hostile input over every route', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hostile-input-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const api = await startApi(t, { dataDir });
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: 'Women in Peace Network', kind: 'civil-society', contact: { name: 'Ioana', email: 'ioana@wipn.example' }, language: 'en' });
  const submitted = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: sid, draftVersion: 1, text: 'On the whole plan', channel: 'api' } });
  t.equal(submitted.statusCode, 201, submitted.body);
  const cid = (submitted.json() as { commentId: string }).commentId;
  // a reply by e-mail with a file, so that GET …/attachments/:sha256 has one to serve
  const file = await storeAttachment(dataDir, Buffer.from('a signed letter'));
  const replied = await api.handler.execute(commands.recordEmailReply, {
    consultationId: id, commandId: randomUUID(), actor: { role: 'system', id: 'inbound-mail' },
    input: {
      stakeholderId: sid, contactId: (await api.handler.load(id)).stakeholders.get(sid)!.contacts[0]!.contactId, messageId: '<letter@wipn.example>', receivedAt: new Date().toISOString(),
      from: 'ioana@wipn.example', blocks: [], attachments: [{ sha256: file.sha256, filename: 'letter.pdf', contentType: 'application/pdf', size: file.size }],
    },
  });
  await api.runner.waitFor(replied.position, 5000);
  const valid: Record<string, string> = { id, sid, cid, version: '1', sha256: file.sha256 };
  const before = await eventCount(api, id);

  const routes = await apiRoutes(api);
  t.ok(routes.length >= 26, `every route of the API is covered (${routes.length})`);
  // a JSON body (the CSV import gets CSV): the schemas may refuse it, the test is about what comes first
  const send = (method: Method, url: string) => {
    if (method === 'GET' || method === 'HEAD') return api.call({ method, url });
    if (url.endsWith('/stakeholders/import')) return api.call({ method, url, payload: 'organisation,kind,name,email,language\n', headers: { 'content-type': 'text/csv' } });
    return api.call({ method, url, body: SOME_BODY });
  };

  t.test('each Object.prototype name as every path id: 400 INVALID_INPUT naming the parameter', async (t) => {
    for (const route of routes) {
      for (const param of route.params) {
        for (const name of PROTOTYPE_NAMES) {
          const url = fill(route.path, { ...valid, [param]: name });
          const res = await send(route.method, url);
          t.strictSame(answer(res), expected(400, 'INVALID_INPUT'), `${route.method} ${url}`);
          if (route.method !== 'HEAD') t.ok(res.json().errors.some((e: { path: string }) => e.path === `params.${param}`), `${route.method} ${url} names params.${param}`);
        }
      }
    }
  });

  t.test('ids that are not UUIDs and versions that are not digits: 400; well-formed ids of nothing: 404', async (t) => {
    for (const [path, param, bad] of [
      ['/consultations/{id}', 'id', 'not-a-uuid'],
      ['/consultations/{id}/stakeholders/{sid}', 'sid', 'ministry-of-defence'],
      ['/consultations/{id}/comments/{cid}', 'cid', 'c1'],
      ['/consultations/{id}/drafts/{version}', 'version', '1e1'],
      ['/consultations/{id}/drafts/{version}', 'version', '0x1'],
      ['/consultations/{id}/drafts/{version}', 'version', '-1'],
    ] as const) {
      const res = await send('GET', fill(path, { ...valid, [param]: bad }));
      t.strictSame(answer(res), expected(400, 'INVALID_INPUT'), `${path} with ${param}=${bad}`);
    }
    t.strictSame(answer(await send('GET', `/consultations/${randomUUID()}`)), expected(404, 'CONSULTATION_NOT_FOUND'));
    t.strictSame(answer(await send('GET', `/consultations/${id}/stakeholders/${randomUUID()}`)), expected(404, 'STAKEHOLDER_NOT_FOUND'));
    t.strictSame(answer(await send('GET', `/consultations/${id}/comments/${randomUUID()}`)), expected(404, 'COMMENT_NOT_FOUND'));
    t.strictSame(answer(await send('GET', `/consultations/${id}/drafts/9`)), expected(404, 'DRAFT_NOT_FOUND'));
  });

  t.test('bad %-encodings in every path parameter: 400 BAD_URL', async (t) => {
    for (const route of routes) {
      for (const param of route.params) {
        for (const bad of BAD_ENCODINGS) {
          const url = fill(route.path, { ...valid, [param]: bad });
          t.strictSame(answer(await send(route.method, url)), expected(400, 'BAD_URL'), `${route.method} ${url}`);
        }
      }
    }
    t.strictSame(answer(await send('GET', '/consul%zztations')), expected(400, 'BAD_URL'), 'in a static segment too');
  });

  t.test('a path parameter over 100 characters: 414 URI_TOO_LONG', async (t) => {
    for (const route of routes) {
      for (const param of route.params) {
        const url = fill(route.path, { ...valid, [param]: 'a'.repeat(101) });
        const res = await send(route.method, url);
        t.strictSame(answer(res), expected(414, 'URI_TOO_LONG'), `${route.method} ${route.path} with a long ${param}`);
      }
    }
    const huge = await send('GET', `/${'x'.repeat(20_000)}`);
    t.strictSame(answer(huge), expected(404, 'ROUTE_NOT_FOUND'), 'a huge unknown path');
    t.notOk('instance' in huge.json(), 'is not echoed back');
  });

  t.test('a method a path does not take: 405 with Allow; an unknown path: 404', async (t) => {
    // a method is allowed at a URL when a route of that method has a pattern that matches it
    // (…/stakeholders/import matches …/stakeholders/{sid} too: GET there is a 400 for its sid)
    const matches = (pattern: string, url: string) => new RegExp(`^${pattern.replace(/\{\w+\}/g, '[^/]+')}$`).test(url);
    for (const path of new Set(routes.map((r) => r.path))) {
      const url = fill(path, valid);
      const documented = routes.filter((r) => matches(r.path, url)).map((r) => r.method);
      const allowed = METHODS.filter((m) => documented.includes(m) || (m === 'HEAD' && documented.includes('GET')));
      for (const method of METHODS.filter((m) => !allowed.includes(m))) {
        const res = await send(method, url);
        const code = method === 'HEAD' ? 'HEAD: no body' : 'METHOD_NOT_ALLOWED';
        t.strictSame({ ...answer(res, method), allow: res.headers.allow }, { ...expected(405, code), allow: allowed.join(', ') }, `${method} ${path}`);
      }
    }
    for (const url of ['/nowhere', `/consultations/${id}/nothing`, `/consultations/${id}/stakeholders/${sid}/nothing`, '/consultations//', '/Consultations', `/consultations/${id}/comments/${cid}/answer/again`]) {
      for (const method of ['GET', 'POST'] as const) {
        t.strictSame(answer(await send(method, url)), expected(404, 'ROUTE_NOT_FOUND'), `${method} ${url}`);
      }
    }
    const garbled = await api.call({ method: 'POST', url: '/nowhere', payload: '{"not json', headers: { 'content-type': 'application/json' } });
    t.strictSame(answer(garbled), expected(404, 'ROUTE_NOT_FOUND'), 'an unknown path is 404 whatever its body');
    t.strictSame(answer(await api.call({ url: '/nowhere', as: null })), expected(404, 'ROUTE_NOT_FOUND'), 'without a token too');
  });

  t.test('wrong content types on every route that takes a body: 415 UNSUPPORTED_MEDIA_TYPE', async (t) => {
    for (const route of routes.filter((r) => r.method === 'POST' || r.method === 'PUT' || r.method === 'DELETE')) {
      const url = fill(route.path, valid);
      const isImport = route.path.endsWith('/stakeholders/import');
      const wrong: [string | undefined, string][] = [
        ['text/plain', JSON.stringify(SOME_BODY)],
        ['application/x-www-form-urlencoded', 'reason=x'],
        ['multipart/form-data; boundary=x', '--x--'],
        ['application/xml', '<reason>x</reason>'],
        [undefined, JSON.stringify(SOME_BODY)],
        isImport ? ['application/json', JSON.stringify({ csv: 'organisation' })] : ['text/csv', 'organisation,kind'],
      ];
      for (const [type, payload] of wrong) {
        const res = await api.call({ method: route.method, url, payload, headers: type ? { 'content-type': type } : {} });
        t.strictSame(answer(res), expected(415, 'UNSUPPORTED_MEDIA_TYPE'), `${route.method} ${route.path} as ${type ?? 'no content type'}`);
      }
    }
  });

  t.test('bodies that name __proto__ or constructor.prototype: 400 MALFORMED_JSON', async (t) => {
    for (const route of routes.filter((r) => r.method === 'POST' || r.method === 'PUT') .filter((r) => !r.path.endsWith('/import'))) {
      const url = fill(route.path, valid);
      for (const payload of ['{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}', '{"reason":"x","nested":{"__proto__":{"x":1}}}']) {
        const res = await api.call({ method: route.method, url, payload, headers: { 'content-type': 'application/json' } });
        t.strictSame(answer(res), expected(400, 'MALFORMED_JSON'), `${route.method} ${route.path} ${payload}`);
      }
    }
    t.equal(({} as Record<string, unknown>)['isAdmin'], undefined, 'Object.prototype is untouched');
  });

  t.test('prototype names in the query string are unknown parameters: 400 naming them, nothing inherited', async (t) => {
    const query = PROTOTYPE_NAMES.map((n) => `${n}=1`).join('&');
    // the query a route cannot answer 200 without
    const required: Record<string, string> = { '/consultations/{id}/stakeholders/{sid}/messages/preview': 'kind=invitation' };
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const given = required[route.path];
      const url = `${fill(route.path, valid)}${given ? `?${given}` : ''}`;
      t.equal((await send('GET', url)).statusCode, 200, `GET ${route.path}`);
      const hostile = await send('GET', `${url}${given ? '&' : '?'}${query}&__proto__[x]=1&constructor[prototype][y]=2`);
      t.equal(hostile.statusCode, 400, `GET ${route.path}?${PROTOTYPE_NAMES[0]}=…`);
      t.equal(hostile.json().code, 'INVALID_INPUT');
      const named = (hostile.json().errors as { path: string }[]).map((e) => e.path);
      t.ok(named.includes('querystring.constructor') && named.includes('querystring.hasOwnProperty'), `names them: ${named.join(', ')}`);
    }
    t.equal(({} as Record<string, unknown>)['x'], undefined, 'Object.prototype is untouched');
  });

  t.test('nothing was appended by any of it', async (t) => {
    t.equal(await eventCount(api, id), before);
  });
});
