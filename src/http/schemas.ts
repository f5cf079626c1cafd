// Schemas shared by routes: path parameters and the problem+json body.
import { z } from 'zod';

export const ConsultationParams = z.object({ id: z.uuid() });
export const StakeholderParams = z.object({ id: z.uuid(), sid: z.string().min(1).max(100) });
export const CommentParams = z.object({ id: z.uuid(), cid: z.string().min(1).max(100) });
export const VersionParams = z.object({ id: z.uuid(), version: z.coerce.number().int().positive() });

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
  413: ProblemBody, 422: ProblemBody, 503: ProblemBody,
} as const;
export const readErrors = { 400: ProblemBody, 401: ProblemBody, 404: ProblemBody, 503: ProblemBody } as const;

export const CommandAck = z.object({ revision: z.number().int().describe('the consultation stream\'s revision after the command; send it back as If-Match') });

export const COMMAND_HEADERS = z.looseObject({
  'idempotency-key': z.string().optional().describe('becomes the command id: a retry with the same key returns the first result and appends nothing'),
  'if-match': z.string().optional().describe('"<revision>": fail with 412 if the consultation has moved on'),
});
