// What Node's HTTP parser refuses before Fastify sees a request (bad header bytes, headers or a
// request line too large, an unknown method, garbage), and requests that arrive while the server
// drains: a real server on 127.0.0.1, port 0, spoken to through a raw socket. Each answer is
// problem+json with a stable code, and the connection closes.
import { DamageRegistry } from '../../src/audit/damage.ts';
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/logger.ts';
import { buildApp } from '../../src/http/app.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { projections } from '../../src/projections/index.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { AUTH_SECRET } from '../helpers/http.ts';
import { tempStore } from '../helpers/temp-store.ts';

type Teardown = { teardown(fn: () => unknown): void };

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => {
    const colon = l.indexOf(':');
    return [l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim()];
  }));
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection. */
function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { text += chunk; });
    socket.on('end', () => resolve(text));
    socket.on('error', (error) => (text ? resolve(text) : reject(error)));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no end of the answer within 10 s; received: ${text.slice(0, 200)}`));
    });
  });
}

async function exchange(port: number, request: string | Buffer): Promise<RawResponse> {
  const socket = await open(port);
  const answer = readAll(socket);
  socket.write(request);
  return parseResponse(await answer);
}

async function startServer(t: Teardown) {
  const lines: string[] = [];
  const logger = createLogger('trace', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  const { store } = tempStore(t);
  const runner = new ProjectionRunner({ store, projections });
  await runner.start();
  const app = await buildApp({ store, runner, handler: new CommandHandler({ store }), damage: new DamageRegistry(), logger, storeKind: 'sqlite', authSecret: AUTH_SECRET });
  t.teardown(async () => {
    await app.close();
    await runner.stop();
  });
  return { app, lines, logger };
}

const listening = async (app: Awaited<ReturnType<typeof startServer>>['app']) => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
};

function problemOf(res: RawResponse) {
  const body = JSON.parse(res.body) as { status: number; code: string; type: string };
  return { status: res.status, type: res.headers['content-type'], connection: res.headers['connection'], bodyStatus: body.status, code: body.code };
}

const expected = (status: number, code: string) => ({ status, type: 'application/problem+json; charset=utf-8', connection: 'close', bodyStatus: status, code });

t.test('what the HTTP parser refuses is a problem+json answer, and the connection closes', async (t) => {
  const { app, lines } = await startServer(t);
  const port = await listening(app);
  const token = 'eyJhbGciOiJIUzI1NiJ9.secret-token-in-a-bad-request.sig';
  const cases: [string, string | Buffer, number, string][] = [
    ['a header name with a control byte', `GET /consultations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nX-Bad\x01Name: y\r\n\r\n`, 400, 'BAD_REQUEST'],
    ['a header value with a NUL byte', Buffer.from(`GET /consultations HTTP/1.1\r\nHost: x\r\nX-Test: a\u0000b\r\n\r\n`, 'latin1'), 400, 'BAD_REQUEST'],
    ['a header without a colon', 'GET /consultations HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n', 400, 'BAD_REQUEST'],
    ['an unknown method', 'FROB /consultations HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'BAD_REQUEST'],
    ['not HTTP at all', 'hello there\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a bad Content-Length', 'POST /consultations HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'BAD_REQUEST'],
    ['headers over 16 KiB', `GET /consultations HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['many headers', `GET /consultations HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: ${'v'.repeat(10)}\r\n`).join('')}\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a request line over 16 KiB', `GET /${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
  ];
  for (const [name, request, status, code] of cases) {
    const res = await exchange(port, request);
    t.strictSame(problemOf(res), expected(status, code), name);
  }
  t.notOk(lines.join('').includes(token), 'the bytes of a refused request (its token among them) are not logged');
  t.ok(lines.some((l) => l.includes('"clientError":"HPE_HEADER_OVERFLOW"')), 'the refusal is logged by its code');

  const fine = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.equal(fine.status, 200, 'the server still answers');
});

t.test('while the server drains, a request on an open connection is 503 SHUTTING_DOWN with Retry-After; the one in flight completes', async (t) => {
  const { app } = await startServer(t);
  let entered!: () => void;
  const inFlight = new Promise<void>((resolve) => { entered = resolve; });
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let closingStarted!: () => void;
  const closing = new Promise<void>((resolve) => { closingStarted = resolve; });
  // a route that holds its request until the test releases it, standing for a slow command
  app.get('/test/hold', async () => {
    entered();
    await released;
    return { held: true };
  });
  app.addHook('preClose', async () => closingStarted()); // runs after the server's own preClose hook
  const port = await listening(app);

  const serverSockets: Socket[] = [];
  app.server.on('connection', (s: Socket) => serverSockets.push(s));

  const slow = await open(port);
  const slowAnswer = readAll(slow);
  slow.write('GET /test/hold HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await inFlight;

  // a second connection whose request has begun, not finished, when the drain starts: the
  // server does not close it as idle, and the request arrives whole after close() was called
  const late = await open(port);
  const lateAnswer = readAll(late);
  late.write('GET /consultations HTTP/1.1\r\nHost: x\r\n');
  for (let i = 0; i < 500 && !(serverSockets.length === 2 && serverSockets[1]!.bytesRead > 0); i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(serverSockets[1]?.bytesRead, 'the server has read the request\'s first bytes');

  const closed = app.close();
  await closing;
  late.write('\r\n');
  const refused = parseResponse(await lateAnswer);
  t.strictSame(problemOf(refused), expected(503, 'SHUTTING_DOWN'), 'the late request is refused');
  t.equal(refused.headers['retry-after'], '5', 'with Retry-After from the catalogue');

  release();
  const done = parseResponse(await slowAnswer);
  t.equal(done.status, 200, 'the request in flight completed');
  t.strictSame(JSON.parse(done.body), { held: true });
  await closed;
});
