// The reply page's forms as the browser sends them (application/x-www-form-urlencoded, every value
// a string, an empty field ""): one strict schema each, whose fields reuse the commands' own
// schemas, and the command input each becomes. Every form carries the CSRF token (`_csrf`, checked
// by @fastify/csrf-protection before this) and the command id generated when the page was
// rendered, so a double submit records once.
import { z } from 'zod';
import { commands } from '../commands/index.ts';
import { Id } from '../domain/schemas.ts';

/** An optional text: an empty field is no value. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const Version = z.coerce.number().int().positive();
const Common = { _csrf: z.string(), commandId: Id };

const comment = commands.submitComment.schema.shape;
const endorse = commands.endorseDraft.schema.shape;

export const FORMS = {
  respond: z.strictObject({ ...Common, response: z.enum(['accept', 'decline']), reason: optional(commands.respondToInvitation.schema.shape.reason.unwrap()) }),
  comment: z.strictObject({
    ...Common, draftVersion: Version,
    /** "" : the whole draft */
    section: z.union([z.literal(''), comment.sectionKey.unwrap().unwrap()]),
    text: comment.text,
    proposedText: optional(comment.proposedText.unwrap()),
  }),
  review: z.strictObject({ ...Common, draftVersion: Version }),
  endorse: z.strictObject({
    ...Common, draftVersion: Version,
    signatoryName: endorse.signatory.shape.name, signatoryTitle: endorse.signatory.shape.title,
    statement: optional(endorse.statement.unwrap()),
  }),
  withhold: z.strictObject({ ...Common, draftVersion: Version, reason: commands.withholdEndorsement.schema.shape.reason }),
} as const;

export type FormName = keyof typeof FORMS;

export function isFormName(action: string): action is FormName {
  return Object.hasOwn(FORMS, action);
}

/** The fields of a form that failed, each as "required" (left empty) or "invalid". */
export function fieldProblems(error: z.ZodError, body: unknown): Record<string, 'required' | 'invalid'> {
  const values = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const problems: Record<string, 'required' | 'invalid'> = Object.create(null);
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    const value = values[field];
    problems[field] = value === undefined || (typeof value === 'string' && value.trim() === '') ? 'required' : 'invalid';
  }
  return problems;
}
