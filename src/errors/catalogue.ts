// The one catalogue of error codes: the domain's rules, the service's own failures and the HTTP
// layer's, each with the status it is answered with. Clients and tests match on the code; the
// HTTP layer never guesses a status from an error's shape, it looks the code up here.
import { DOMAIN_ERRORS } from '../domain/errors.ts';

interface Entry {
  status: number;
  title: string;
  /** seconds a client should wait before retrying (sent as Retry-After) */
  retryAfter?: number;
}

/** Failures of the service itself: the store, the views, contention, a damaged history. */
export const SERVICE_ERRORS = {
  REVISION_MISMATCH: { status: 412, title: 'The consultation has moved on from the revision given in If-Match' },
  CONTENTION: { status: 503, title: 'Other writers kept winning the race for this consultation; retry with the same Idempotency-Key', retryAfter: 1 },
  PROJECTION_TIMEOUT: { status: 503, title: 'The views did not reflect the command in time; retry with the same Idempotency-Key', retryAfter: 1 },
  PROJECTION_FAILED: { status: 503, title: 'A view stopped on an event it could not apply', retryAfter: 30 },
  EVENT_STORE_UNAVAILABLE: { status: 503, title: 'The event store is unreachable or refuses writes; retry with the same Idempotency-Key', retryAfter: 5 },
  HISTORY_DAMAGED: { status: 503, title: 'This consultation\'s stored history is damaged; an operator must restore it (consult verify)', retryAfter: 300 },
  VIEWS_REBUILDING: { status: 503, title: 'The views are being rebuilt; retry shortly', retryAfter: 5 },
  SHUTTING_DOWN: { status: 503, title: 'The server is shutting down; retry on another replica or shortly', retryAfter: 5 },
  INTERNAL: { status: 500, title: 'internal error' },
} as const satisfies Record<string, Entry>;

/** Errors of the request itself, before any command runs. */
export const HTTP_ERRORS = {
  INVALID_INPUT: { status: 400, title: 'The input is invalid' },
  MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON' },
  BAD_REQUEST: { status: 400, title: 'The request cannot be read' },
  BAD_URL: { status: 400, title: 'The URL is not valid (bad percent-encoding?)' },
  INVALID_IDEMPOTENCY_KEY: { status: 400, title: 'Idempotency-Key must be 1 to 200 visible ASCII characters' },
  INVALID_IF_MATCH: { status: 400, title: 'If-Match must be a revision in quotes, as in the ETag: "12"' },
  INVALID_CSV: { status: 400, title: 'The CSV cannot be read' },
  CSV_MISSING_COLUMNS: { status: 400, title: 'The CSV\'s header row lacks required columns' },
  CSV_DUPLICATE_COLUMNS: { status: 400, title: 'The CSV\'s header row names a column twice' },
  INVALID_CSV_ENCODING: { status: 400, title: 'The CSV is not valid in its charset (the Content-Type\'s, UTF-8 by default): send the charset it was saved in' },
  UNAUTHENTICATED: { status: 401, title: 'A bearer token is required (Authorization: Bearer <token>)' },
  INVALID_TOKEN: { status: 401, title: 'The bearer token is invalid or expired' },
  TOKEN_REVOKED: { status: 401, title: 'The bearer token was revoked' },
  INBOUND_SIGNATURE_INVALID: { status: 401, title: 'The inbound mail webhook needs the HMAC-SHA256 of the body (X-Inbound-Signature: sha256=<hex>) or the secret (Authorization: Bearer <secret>)' },
  FORBIDDEN: { status: 403, title: 'This role may not do this' },
  NO_KEY_STORE: { status: 501, title: 'This server keeps no key store of personal data, so it cannot erase any' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  REVISION_NOT_FOUND: { status: 404, title: 'The consultation has no such revision (yet): ?revision is past its head, or ?at before it was opened' },
  POINT_IN_TIME_CONFLICT: { status: 400, title: 'Ask for a past view by ?revision or by ?at, not both; ?at may not be in the future' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The route does not take this method' },
  NOT_ACCEPTABLE: { status: 406, title: 'No representation matches the Accept header' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request did not arrive in time' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  INBOUND_MESSAGE_REFUSED: { status: 413, title: 'The inbound mail is refused: an attachment is over the limit, or there are too many' },
  TOO_MANY_ROWS: { status: 413, title: 'The CSV has too many rows: split the file' },
  URI_TOO_LONG: { status: 414, title: 'The URL is too long' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  UNSUPPORTED_CHARSET: { status: 415, title: 'The CSV import does not read this charset' },
  INBOUND_RECIPIENT_REFUSED: { status: 422, title: 'The inbound mail is for no reply+ or bounces+ address of this server that holds' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
} as const satisfies Record<string, Entry>;

export const ERRORS: Record<ErrorCode, Entry> = { ...DOMAIN_ERRORS, ...SERVICE_ERRORS, ...HTTP_ERRORS };

export type ErrorCode = keyof typeof DOMAIN_ERRORS | keyof typeof SERVICE_ERRORS | keyof typeof HTTP_ERRORS;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/**
 * An error of the service or the HTTP layer with a catalogued code; its status comes from the
 * catalogue. (Domain rule violations are the domain's own DomainError, catalogued alike.)
 */
export class AppError extends Error {
  readonly status: number;
  readonly retryAfter: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    /** structured details for clients (problem+json `details`) */
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? ERRORS[code].title);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
    this.retryAfter = ERRORS[code].retryAfter;
  }
}
