// problem+json from the one catalogue: the status comes from the code, never from an error's
// shape; every 503 carries Retry-After; a 5xx names no internals; `instance` has no query string.
import t from 'tap';
import { ZodError, z } from 'zod';
import { DomainError } from '../../src/domain/errors.ts';
import { AppError, ERRORS, isErrorCode, type ErrorCode } from '../../src/errors/catalogue.ts';
import { InputError, instanceOf, problemBody, problemFor, problemHeaders, rawProblemResponse } from '../../src/http/problem.ts';

const codes = Object.keys(ERRORS).filter(isErrorCode);

t.test('every code answers with its catalogued status, and every 503 with Retry-After', async (t) => {
  for (const code of codes) {
    t.equal(problemBody({ code, title: 'x' })['status'], ERRORS[code].status, code);
    if (ERRORS[code].status === 503) t.match(problemHeaders(code), { 'retry-after': /^\d+$/ }, `${code} carries Retry-After`);
  }
  t.strictSame(problemHeaders('CONSULTATION_CLOSED'), {}, 'a 409 does not');
});

t.test('errors map by their code only', async (t) => {
  const map = (error: unknown) => {
    const p = problemFor(error, '/consultations/x');
    return { code: p.code, status: ERRORS[p.code].status, title: p.title };
  };
  t.strictSame(map(new DomainError('CONSULTATION_CLOSED', 'the consultation is closed')), { code: 'CONSULTATION_CLOSED', status: 409, title: 'the consultation is closed' });
  t.strictSame(map(new AppError('CONTENTION', 'gave up appending to consultation-1 after 20 attempts')),
    { code: 'CONTENTION', status: 503, title: ERRORS.CONTENTION.title }, 'a 5xx says the catalogue\'s words, not the message');
  t.match(problemFor(new InputError('CSV_MISSING_COLUMNS', 'lacks email', [{ path: 'header.email', message: 'missing' }], { missingColumns: ['email'] })),
    { code: 'CSV_MISSING_COLUMNS', errors: [{ path: 'header.email' }], details: { missingColumns: ['email'] } });
  const zod = z.object({ title: z.string() }).safeParse({});
  t.match(problemFor(zod.error), { code: 'INVALID_INPUT', errors: [{ path: 'title' }] });
  t.ok(zod.error instanceof ZodError);
  for (const [fst, code] of [
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE'], ['FST_ERR_CTP_BODY_TOO_LARGE', 'BODY_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 'MALFORMED_JSON'], ['FST_ERR_CTP_EMPTY_JSON_BODY', 'MALFORMED_JSON'],
    ['FST_ERR_BAD_URL', 'BAD_URL'], ['FST_ERR_MAX_PARAM_LENGTH', 'URI_TOO_LONG'], ['FST_ERR_NOT_FOUND', 'ROUTE_NOT_FOUND'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'BAD_REQUEST'],
  ] as const) {
    t.equal(map(Object.assign(new Error('Fastify says'), { code: fst, statusCode: 400 })).code, code, fst);
  }
  t.match(map(Object.assign(new Error('Body cannot be empty'), { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 })).title, /empty but Content-Type says application\/json.*\{\}/, 'an empty JSON body says what to send');
});

t.test('anything else is 500 INTERNAL naming nothing, whatever status it claims', async (t) => {
  for (const error of [
    new Error('SQLITE_CORRUPT: database disk image is malformed at /data/events.sqlite'),
    Object.assign(new Error('claims 409'), { status: 409, code: 'SOMETHING_ELSE' }),
    Object.assign(new SyntaxError('Unexpected token in a stored event'), { statusCode: 400 }),
    Object.assign(new Error('an unknown Fastify error'), { code: 'FST_ERR_SOMETHING_NEW', statusCode: 400 }),
    { code: 'CONSULTATION_CLOSED' }, // the code of a catalogued error, on something that is not one
    'a string', null, undefined,
  ]) {
    const p = problemFor(error, '/x');
    t.strictSame(problemBody(p), { type: 'urn:wps-consult:problem:internal', status: 500, code: 'INTERNAL', title: 'internal error', instance: '/x' }, String((error as Error | null)?.message ?? error));
  }
});

t.test('instance is the path: never the query string; an over-long path is left out', async (t) => {
  t.equal(instanceOf('/consultations?access_token=eyJ.secret.sig'), '/consultations');
  t.equal(instanceOf('/consultations/abc'), '/consultations/abc');
  t.equal(instanceOf(`/${'x'.repeat(300)}`), undefined);
  t.equal(instanceOf(undefined), undefined);
});

t.test('a raw answer for the socket: status line, problem+json, Content-Length, Connection: close', async (t) => {
  const text = rawProblemResponse('HEADERS_TOO_LARGE');
  const [head, body] = text.split('\r\n\r\n') as [string, string];
  t.match(head, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  t.match(head, /\r\nContent-Type: application\/problem\+json; charset=utf-8\r\n/);
  t.match(head, new RegExp(`\\r\\nContent-Length: ${Buffer.byteLength(body)}\\r\\n`));
  t.match(head, /\r\nConnection: close$/);
  t.strictSame(JSON.parse(body), { type: 'urn:wps-consult:problem:headers-too-large', status: 431, code: 'HEADERS_TOO_LARGE', title: ERRORS.HEADERS_TOO_LARGE.title });
  const code: ErrorCode = 'SHUTTING_DOWN';
  t.match(rawProblemResponse(code), /\r\nretry-after: 5\r\n/, 'a 503 carries Retry-After here too');
});
