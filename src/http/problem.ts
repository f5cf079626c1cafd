// Errors as application/problem+json (RFC 9457) with a stable `code` from the one catalogue
// (src/errors/catalogue.ts): the code's entry gives the status and, for every 503, Retry-After.
// The status is looked up by code, never guessed from an error's shape: a DomainError or AppError
// carries its code; zod and Fastify's validation errors are INVALID_INPUT; Fastify's own errors
// are mapped by their FST_* code below; anything else is 500 INTERNAL, with no internals.
import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { DomainError } from '../domain/errors.ts';
import { AppError, ERRORS, type ErrorCode } from '../errors/catalogue.ts';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  code: ErrorCode;
  title: string;
  /** the request's path, never its query string (it may hold a token) */
  instance?: string;
  /** the fields at fault */
  errors?: FieldError[];
  /** a domain or service error's structured details */
  details?: Record<string, unknown>;
}

/** An AppError that names the fields at fault (problem+json `errors`), e.g. a CSV's missing columns. */
export class InputError extends AppError {
  constructor(code: ErrorCode, message: string, readonly errors: FieldError[], details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'InputError';
  }
}

/** Fastify's own errors, by their code. */
const FASTIFY_ERRORS = new Map<string, ErrorCode>([
  ['FST_ERR_NOT_FOUND', 'ROUTE_NOT_FOUND'],
  ['FST_ERR_VALIDATION', 'INVALID_INPUT'],
  ['FST_ERR_BAD_URL', 'BAD_URL'],
  ['FST_ERR_INVALID_URL', 'BAD_URL'],
  ['FST_ERR_MAX_PARAM_LENGTH', 'URI_TOO_LONG'],
  ['FST_ERR_CTP_BODY_TOO_LARGE', 'BODY_TOO_LARGE'],
  ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE'],
  ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'BAD_REQUEST'],
  ['FST_ERR_CTP_EMPTY_JSON_BODY', 'MALFORMED_JSON'],
  ['FST_ERR_CTP_INVALID_JSON_BODY', 'MALFORMED_JSON'],
  ['FST_ERR_ROUTE_MISSING_CONTENT_TYPE', 'UNSUPPORTED_MEDIA_TYPE'],
  ['FST_ERR_ROUTE_MISSING_CONTENT', 'BAD_REQUEST'],
]);

/** Where the catalogue's title would not say what to do: what a client most likely got wrong. */
const FASTIFY_TITLES = new Map<string, string>([
  ['FST_ERR_CTP_EMPTY_JSON_BODY', 'The body is empty but Content-Type says application/json: send a JSON body ({} where the body is optional), or no Content-Type'],
]);

/** The longest path a problem echoes as its `instance`; a longer one is left out. */
const MAX_INSTANCE_LENGTH = 256;

/** The path of a request URL without its query string, or undefined when it is too long to echo. */
export function instanceOf(url: string | undefined): string | undefined {
  const path = (url ?? '').split('?', 1)[0] ?? '';
  return path !== '' && path.length <= MAX_INSTANCE_LENGTH ? path : undefined;
}

export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

/** An unknown field is named in the path, one entry per field, so a client sees which one to drop. */
function fieldsOf(base: string[], keyword: string, message: string, unknownKeys: unknown): FieldError[] {
  if (keyword === 'unrecognized_keys' && Array.isArray(unknownKeys) && unknownKeys.length > 0) {
    return unknownKeys.map((k) => ({ path: [...base, String(k)].join('.'), message: 'unknown field' }));
  }
  return [{ path: base.join('.') || '(body)', message }];
}

function zodFields(error: ZodError): FieldError[] {
  return error.issues.flatMap((i) => fieldsOf(i.path.map(String), i.code, i.message, 'keys' in i ? i.keys : undefined));
}

function invalidInput(errors: FieldError[], instance: string | undefined): Problem {
  return { code: 'INVALID_INPUT', title: `invalid input: ${errors.map((e) => e.path).join(', ')}`, errors, ...(instance ? { instance } : {}) };
}

/** Maps anything thrown while answering a request to a problem. */
export function problemFor(error: unknown, instance?: string): Problem {
  const at = instance ? { instance } : {};
  if (error instanceof AppError || error instanceof DomainError) {
    const code: ErrorCode = error.code;
    // a 5xx says what happened in the catalogue's words, never the message (it may name internals)
    const title = statusOf(code) >= 500 ? ERRORS[code].title : error.message;
    return {
      code, title, ...at,
      ...(error instanceof InputError ? { errors: error.errors } : {}),
      ...(error.details ? { details: error.details } : {}),
    };
  }
  if (error instanceof ZodError) return invalidInput(zodFields(error), instance);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    return invalidInput(error.validation.flatMap((v) => fieldsOf(
      [where, ...String(v.instancePath ?? '').split('/').filter(Boolean)], v.keyword, v.message ?? 'invalid', v.params['keys'],
    )), instance);
  }
  const fastifyCode = (error as { code?: unknown } | null)?.code;
  const code = typeof fastifyCode === 'string' ? FASTIFY_ERRORS.get(fastifyCode) : undefined;
  if (code) return { code, title: FASTIFY_TITLES.get(fastifyCode as string) ?? ERRORS[code].title, ...at };
  return { code: 'INTERNAL', title: ERRORS.INTERNAL.title, ...at };
}

/** The problem+json document. */
export function problemBody(problem: Problem): Record<string, unknown> {
  const { code, title, instance, errors, details } = problem;
  return {
    type: `urn:wps-consult:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    status: statusOf(code),
    code,
    title,
    ...(instance !== undefined ? { instance } : {}),
    ...(errors !== undefined ? { errors } : {}),
    ...(details !== undefined ? { details } : {}),
  };
}

/** Headers every answer with this code carries: Retry-After where the catalogue gives one. */
export function problemHeaders(code: ErrorCode): Record<string, string> {
  const { retryAfter } = ERRORS[code];
  return retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply
    .code(statusOf(problem.code))
    .headers(problemHeaders(problem.code))
    .type('application/problem+json')
    .send(problemBody(problem));
}

/**
 * A whole HTTP/1.1 response as text, for the errors Node's HTTP parser reports before Fastify
 * has a request (bad header bytes, headers too large): problem+json, then the connection closes.
 */
export function rawProblemResponse(code: ErrorCode): string {
  const status = statusOf(code);
  const body = JSON.stringify(problemBody({ code, title: ERRORS[code].title }));
  const headers = {
    'Content-Type': 'application/problem+json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...problemHeaders(code),
    Connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}\r\n${body}`;
}
