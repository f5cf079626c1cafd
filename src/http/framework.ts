// The answers the framework gives on its own, as problem+json with a catalogued code, like every
// other error: an unknown route (404 ROUTE_NOT_FOUND) or method (405 METHOD_NOT_ALLOWED with
// Allow), a URL the router cannot read (400 BAD_URL, 414 URI_TOO_LONG), what Node's HTTP parser
// refuses before Fastify sees a request (400 BAD_REQUEST, 408 REQUEST_TIMEOUT, 431
// HEADERS_TOO_LARGE), and requests that arrive while the server drains (503 SHUTTING_DOWN).
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ErrorCode } from '../errors/catalogue.ts';
import { instanceOf, problemFor, rawProblemResponse, sendProblem, statusOf } from './problem.ts';
import type { StoreWrites } from './store-writes.ts';

/** The methods a route of this server may take, in the order an Allow header lists them. */
const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The methods the router has a route for at this concrete path (with its parameters filled in). */
function allowedMethods(server: FastifyInstance, path: string): HTTPMethods[] {
  return METHODS.filter((method) => server.findRoute({ method, url: path }) !== null);
}

/** 405 with Allow when the path is known under other methods, else 404. */
export function answerNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = (request.raw.url ?? request.url).split('?', 1)[0] ?? '';
  const instance = instanceOf(path);
  const allowed = allowedMethods(request.server, path);
  if (allowed.length > 0 && !allowed.includes(request.method as HTTPMethods)) {
    reply.header('allow', allowed.join(', '));
    return sendProblem(reply, { code: 'METHOD_NOT_ALLOWED', title: `${request.method} is not allowed here; use ${allowed.join(', ')}`, ...(instance ? { instance } : {}) });
  }
  return sendProblem(reply, { code: 'ROUTE_NOT_FOUND', title: `no route ${request.method} ${instance ?? '(path too long to show)'}`, ...(instance ? { instance } : {}) });
}

/**
 * The JSON error handler: every error a route throws becomes problem+json. A store that refused
 * the write is marked not writable (see StoreWrites). A request that matched no route answers 404
 * or 405 whatever its body was (a body the 404 route could not parse is not the client's problem).
 */
export function problemErrorHandler(writes: StoreWrites) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (request.is404) return answerNotFound(request, reply);
    const problem = problemFor(error, instanceOf(request.url));
    if (problem.code === 'EVENT_STORE_UNAVAILABLE') writes.failed(error);
    if (statusOf(problem.code) >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, problem);
  };
}

/** Fastify's `frameworkErrors`: a URL the router cannot decode (bad %-encoding) or a path parameter over maxParamLength. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem = problemFor(error, instanceOf(request.raw.url));
  if (statusOf(problem.code) >= 500) request.log.error({ err: error }, 'router failed');
  void sendProblem(reply, problem);
}

/** How long a socket that was answered a client error may linger before it is destroyed. */
const CLIENT_ERROR_LINGER_MS = 2000;

/**
 * Fastify's `clientErrorHandler` (Node's `clientError` event): the request never reached Fastify,
 * so the answer is written to the socket as it is, and the connection closes. What the client sent
 * is not logged (its raw bytes hold its headers, the token among them).
 */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = error.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE'
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT'
    : 'BAD_REQUEST';
  this.log.info({ clientError: error.code ?? error.name, status: statusOf(code) }, 'client error: the request could not be read');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // end() sends the answer before the FIN; destroying at once could reset the connection while
  // unread request bytes sit in the buffer, and the client would never read the answer.
  socket.end(rawProblemResponse(code));
  setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
}

/**
 * While the server drains (app.close() waits for requests in flight), a request that still arrives
 * on an open connection is answered 503 SHUTTING_DOWN with Retry-After and Connection: close, before
 * any other hook (Fastify's own return503OnClosing is off: its bare 503 has no body nor Retry-After).
 */
export function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    return sendProblem(reply, { code: 'SHUTTING_DOWN', title: 'the server is shutting down; retry shortly or on another replica', ...instanceField(request) });
  });
}

function instanceField(request: FastifyRequest): { instance?: string } {
  const instance = instanceOf(request.url);
  return instance ? { instance } : {};
}
