// Schemas shared by routes: path parameters and the problem+json body.
//
// Every id in a path is checked against its format before a command runs: the ids this product
// creates are UUIDs, a draft version is a positive whole number written in digits. A malformed one
// is 400 INVALID_INPUT naming the parameter (`params.sid`); a well-formed id that names nothing is
// the resource's 404. (A parameter longer than the router's limit is 414 URI_TOO_LONG.)
import { z } from 'zod';

/** A draft version as written in a URL: digits only, no sign, exponent, hex or padding. */
export const DraftVersion = z.string().regex(/^[1-9][0-9]{0,8}$/, 'a draft version: 1, 2, 3, …').transform(Number);

export const ConsultationParams = z.strictObject({ id: z.uuid() });
export const StakeholderParams = z.strictObject({ id: z.uuid(), sid: z.uuid() });
export const CommentParams = z.strictObject({ id: z.uuid(), cid: z.uuid() });
export const VersionParams = z.strictObject({ id: z.uuid(), version: DraftVersion });

export const ProblemBody = z.object({
  type: z.string(),
  status: z.number(),
  code: z.string().describe('stable error code, e.g. CONSULTATION_CLOSED'),
  title: z.string(),
  instance: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
}).describe('application/problem+json (RFC 9457) with a stable `code` from the catalogue');

/**
 * The schemas the OpenAPI document names as components (`#/components/schemas/<id>`) instead of
 * repeating them inline: the problem body, which every error answer of every operation carries.
 */
export const documentedSchemas = z.registry<{ id: string }>();
documentedSchemas.add(ProblemBody, { id: 'Problem' });

/** An error answer as the OpenAPI document shows it: application/problem+json, with what it means here. */
export function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: ProblemBody } } } as const;
}

/** What any route may answer: a fault of the server, never with internals. */
export const INTERNAL_ERROR = problem('INTERNAL: a fault of the server; the body never carries internals');

/** What any API route may answer besides: a fault of the server, or a store, view or shutdown that makes it wait. */
const SERVER_ERRORS = {
  500: INTERNAL_ERROR,
  503: problem('retry after `Retry-After` seconds (with the same Idempotency-Key for a command): EVENT_STORE_UNAVAILABLE, CONTENTION, '
    + 'PROJECTION_TIMEOUT, PROJECTION_FAILED, VIEWS_REBUILDING, SHUTTING_DOWN; HISTORY_DAMAGED when the consultation\'s stored history is damaged'),
} as const;

/** The error responses every command route may give. */
export const commandErrors = {
  400: problem('INVALID_INPUT (`errors` names each field, `params.<name>` for a malformed path id), MALFORMED_JSON, '
    + 'INVALID_IDEMPOTENCY_KEY, INVALID_IF_MATCH, BAD_URL, BAD_REQUEST'),
  401: problem('UNAUTHENTICATED, INVALID_TOKEN, TOKEN_REVOKED'),
  403: problem('FORBIDDEN (an auditor may only read), ACTOR_NOT_ALLOWED'),
  404: problem('CONSULTATION_NOT_FOUND, STAKEHOLDER_NOT_FOUND, COMMENT_NOT_FOUND, DRAFT_NOT_FOUND'),
  409: problem('a domain rule refuses the command, e.g. CONSULTATION_CLOSED, DRAFT_NOT_LATEST, COMMENT_DEADLINE_PASSED'),
  412: problem('REVISION_MISMATCH: the consultation has moved on from the revision in If-Match'),
  413: problem('BODY_TOO_LARGE (1 MiB)'),
  415: problem('UNSUPPORTED_MEDIA_TYPE: send application/json'),
  422: problem('well-formed input invalid for the state, e.g. SECTION_NOT_FOUND, DEADLINE_IN_PAST; COMMAND_ID_REUSED (the same Idempotency-Key with another body)'),
  ...SERVER_ERRORS,
} as const;

/** The error responses every read route may give. */
export const readErrors = {
  400: problem('INVALID_INPUT: a malformed path id (`params.<name>`) or query parameter, an unknown query parameter; BAD_URL, BAD_REQUEST'),
  401: problem('UNAUTHENTICATED, INVALID_TOKEN, TOKEN_REVOKED'),
  404: problem('CONSULTATION_NOT_FOUND, or the resource inside it: DRAFT_NOT_FOUND, STAKEHOLDER_NOT_FOUND, COMMENT_NOT_FOUND'),
  ...SERVER_ERRORS,
} as const;

/** The answer to a path parameter longer than the router takes (app.ts MAX_PARAM_LENGTH). */
export const URI_TOO_LONG = problem('URI_TOO_LONG: a path parameter over 100 characters');

export const CommandAck = z.object({ revision: z.number().int().describe('the consultation stream\'s revision after the command; send it back as If-Match') });

export const COMMAND_HEADERS = z.looseObject({
  'idempotency-key': z.string().optional().describe('becomes the command id: a retry with the same key returns the first result and appends nothing'),
  'if-match': z.string().optional().describe('"<revision>": fail with 412 if the consultation has moved on'),
});

/** The query string of a route that takes no parameters: any name is an unknown field (400). */
export const NoQuery = z.strictObject({});
