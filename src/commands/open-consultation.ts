import { z } from 'zod';
import { defineCommand } from './command.ts';
import { COORDINATOR_ONLY, requireRole } from '../domain/rules.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { LanguageCode, TimeZone } from '../domain/schemas.ts';

export const openConsultation = defineCommand({
  name: 'OpenConsultation',
  schema: z.object({
    title: z.string().trim().min(1).max(300),
    summary: z.string().trim().max(5_000).default(''),
    leadOrganisation: z.string().trim().min(1).max(300),
    languages: z.array(LanguageCode).min(1).max(20),
    timeZone: TimeZone,
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    if (state.status !== 'none') throw new DomainError('CONSULTATION_ALREADY_EXISTS');
    return [event('ConsultationOpened', { consultationId: ctx.consultationId, ...input })];
  },
});
