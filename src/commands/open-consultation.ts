import { z } from 'zod';
import { defineCommand } from './command.ts';
import { COORDINATOR_ONLY, requireRole } from '../domain/rules.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { LanguageCode, MAX_LANGUAGES, MultiLine, NotifyEmails, SingleLine, TimeZone } from '../domain/schemas.ts';

export const openConsultation = defineCommand({
  name: 'OpenConsultation',
  schema: z.strictObject({
    title: SingleLine(300),
    summary: MultiLine(5_000, 0).default(''),
    leadOrganisation: SingleLine(300),
    /** the first is the language of the drafts' own text; the others are what sections may be translated into */
    languages: z.array(LanguageCode).min(1).max(MAX_LANGUAGES)
      .refine((l) => new Set(l).size === l.length, 'each language once')
      .describe(`the first is the language of every section's own heading and text; sections may be translated into the others (at most ${MAX_LANGUAGES} in all)`),
    timeZone: TimeZone,
    notifyEmails: NotifyEmails.optional()
      .describe('the coordinating office\'s mailboxes to alert: delivery failures and held replies reach them as one digest a day at most (each once, at most 20)'),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    if (state.status !== 'none') throw new DomainError('CONSULTATION_ALREADY_EXISTS');
    return [event('ConsultationOpened', { consultationId: ctx.consultationId, ...input })];
  },
});
