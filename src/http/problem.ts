// Errors as application/problem+json (RFC 9457) with a stable `code`:
// zod → 400 naming the fields, unknown resource → 404, DomainError → its catalogued status
// (409, or 422 for well-formed input invalid for the state), stale If-Match → 412, body too
// large → 413. A 5xx never leaks internals.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { DomainError } from '../domain/errors.ts';
import { AppError, ERRORS } from '../errors/catalogue.ts';

export interface Problem {
  status: number;
  code: string;
  title: string;
  instance?: string;
  /** extension members, e.g. `errors` (the fields) or `details` (a domain error's) */
  extra?: Record<string, unknown>;
}

export class HttpProblem extends Error {
  constructor(readonly status: number, readonly code: string, readonly title: string, readonly extensions: Record<string, unknown> = {}) {
    super(title);
    this.name = 'HttpProblem';
  }
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  const { extra, ...fields } = problem;
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ type: `urn:wps-consult:problem:${problem.code.toLowerCase().replaceAll('_', '-')}`, ...fields, ...extra });
}

type Field = { path: string; message: string };

/** An unknown field is named in the path, one entry per field, so a client sees which one to drop. */
function fieldsOf(base: string[], keyword: string, message: string, unknownKeys: unknown): Field[] {
  if (keyword === 'unrecognized_keys' && Array.isArray(unknownKeys) && unknownKeys.length > 0) {
    return unknownKeys.map((k) => ({ path: [...base, String(k)].join('.'), message: 'unknown field' }));
  }
  return [{ path: base.join('.') || '(body)', message }];
}

function zodFields(error: ZodError): Field[] {
  return error.issues.flatMap((i) => fieldsOf(i.path.map(String), i.code, i.message, 'keys' in i ? i.keys : undefined));
}

/** Maps any error thrown by a route to a problem. */
export function problemFor(error: unknown, request: FastifyRequest): Problem {
  const instance = request.url;
  if (error instanceof HttpProblem) return { status: error.status, code: error.code, title: error.title, instance, extra: error.extensions };
  if (error instanceof AppError) {
    // a 5xx says what happened in the catalogue's words, never the message (it may name internals)
    const title = error.status >= 500 ? ERRORS[error.code].title : error.message;
    return { status: error.status, code: error.code, title, instance, ...(error.details ? { extra: { details: error.details } } : {}) };
  }
  if (error instanceof DomainError) {
    return { status: error.status, code: error.code, title: error.message, instance, ...(error.details ? { extra: { details: error.details } } : {}) };
  }
  if (error instanceof ZodError) {
    const errors = zodFields(error);
    return { status: 400, code: 'INVALID_INPUT', title: `invalid input: ${errors.map((e) => e.path).join(', ')}`, extra: { errors }, instance };
  }
  const fastifyError = error as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = fastifyError.validationContext ?? 'body';
    const errors = error.validation.flatMap((v) => fieldsOf(
      [where, ...String(v.instancePath ?? '').split('/').filter(Boolean)], v.keyword, v.message ?? 'invalid', v.params['keys'],
    ));
    return { status: 400, code: 'INVALID_INPUT', title: `invalid input: ${errors.map((e) => e.path).join(', ')}`, extra: { errors }, instance };
  }
  const known = error as { code?: unknown; status?: unknown; statusCode?: unknown; message?: unknown };
  if (known.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'BODY_TOO_LARGE', title: 'the request body is too large', instance };
  if (known.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', title: 'unsupported content type', instance };
  // a body that is not JSON (Fastify 5 reports FST_ERR_CTP_INVALID_JSON_BODY; a SyntaxError only
  // counts when it carries a 400, so one from anywhere else, e.g. a corrupt stored event, stays a 500)
  if (known.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || known.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && known.statusCode === 400)) {
    return { status: 400, code: 'MALFORMED_JSON', title: 'the body is not valid JSON', instance };
  }
  // errors of our own layers that carry a stable code and an HTTP status (RevisionMismatch, Contention, ProjectionTimeout)
  const status = typeof known.status === 'number' ? known.status : typeof known.statusCode === 'number' ? known.statusCode : 500;
  if (typeof known.code === 'string' && status < 500 && status >= 400) {
    return { status, code: known.code.startsWith('FST_') ? 'BAD_REQUEST' : known.code, title: String(known.message), instance };
  }
  if (typeof known.code === 'string' && (known.code === 'CONTENTION' || known.code === 'PROJECTION_TIMEOUT' || known.code === 'PROJECTION_FAILED' || known.code === 'EVENT_STORE_UNAVAILABLE')) {
    return { status: 503, code: known.code, title: 'the service is busy or its store unreachable; retry with the same Idempotency-Key', instance };
  }
  return { status: 500, code: 'INTERNAL', title: 'internal error', instance };
}
