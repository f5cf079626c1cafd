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
}).describe('application/problem+json');

/** The error responses every command route may give. */
export const commandErrors = {
  400: ProblemBody, 401: ProblemBody, 403: ProblemBody, 404: ProblemBody, 409: ProblemBody, 412: ProblemBody,
  413: ProblemBody, 415: ProblemBody, 422: ProblemBody, 503: ProblemBody,
} as const;
export const readErrors = { 400: ProblemBody, 401: ProblemBody, 404: ProblemBody, 503: ProblemBody } as const;

export const CommandAck = z.object({ revision: z.number().int().describe('the consultation stream\'s revision after the command; send it back as If-Match') });

export const COMMAND_HEADERS = z.looseObject({
  'idempotency-key': z.string().optional().describe('becomes the command id: a retry with the same key returns the first result and appends nothing'),
  'if-match': z.string().optional().describe('"<revision>": fail with 412 if the consultation has moved on'),
});

/** The query string of a route that takes no parameters: any name is an unknown field (400). */
export const NoQuery = z.strictObject({});
