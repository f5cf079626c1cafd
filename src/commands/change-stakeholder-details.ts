import { z } from 'zod';
import { defineCommand } from './command.ts';
import { DomainError } from '../domain/errors.ts';
import { event, type EventOf } from '../domain/events.ts';
import {
  COORDINATOR_ONLY, DETAIL_FIELDS, organisationHolder, requireLanguageOffered, requireOpen, requireRole, requireStakeholder, sameDomains, sameLanguage,
} from '../domain/rules.ts';
import { Id, LanguageCode, ReplyDomains, SingleLine, StakeholderKind } from '../domain/schemas.ts';

/** The details a coordinator may correct; any of them, at least one. */
export const StakeholderDetailsChange = z.strictObject({
  organisation: SingleLine(300).optional().describe('its name (another stakeholder\'s name, whatever its case and spacing, is ORGANISATION_ALREADY_INVITED)'),
  kind: StakeholderKind.optional(),
  language: LanguageCode.optional().describe('one of the consultation\'s languages (LANGUAGE_NOT_OFFERED otherwise)'),
  endorser: z.boolean().optional()
    .describe('true: it becomes an endorser (pending on an open request); false: it ceases to be one (its decisions stay in the history, no longer counted)'),
  replyDomains: ReplyDomains.optional()
    .describe('the mail domains from which any address may reply for it by e-mail, replacing the list before ([]: none, only its contacts\' addresses)'),
});

export const atLeastOneDetail = [
  (x: Partial<Record<(typeof DETAIL_FIELDS)[number], unknown>>) => DETAIL_FIELDS.some((f) => x[f] !== undefined),
  { message: `give at least one of ${DETAIL_FIELDS.join(', ')}` },
] as const;

/**
 * Corrects who a stakeholder is: its organisation's name, kind, preferred language, whether it
 * endorses, or the mail domains it may reply from. One event with the fields that changed; the same values again are a no-op. A name is
 * refused when another stakeholder has it (as invitations compare names); a language must be one
 * of the consultation's. Becoming an endorser while an endorsement request is open makes it
 * pending on that request; ceasing to be one keeps its earlier decisions in the history, no longer
 * counted (see endorserChanged, src/domain/standing.ts). Its contacts are ChangeContacts.
 */
export const changeStakeholderDetails = defineCommand({
  name: 'ChangeStakeholderDetails',
  schema: StakeholderDetailsChange.extend({ stakeholderId: Id }).refine(...atLeastOneDetail),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const x = requireStakeholder(state, input.stakeholderId);
    const changed: Omit<EventOf<'StakeholderDetailsChanged'>['data'], 'stakeholderId'> = {};
    if (input.organisation !== undefined && input.organisation !== x.organisation) {
      const holder = organisationHolder(state, input.organisation, x.id);
      if (holder) {
        throw new DomainError('ORGANISATION_ALREADY_INVITED', `${holder.organisation} is another stakeholder of this consultation`, { stakeholderId: holder.id });
      }
      changed.organisation = input.organisation;
    }
    if (input.kind !== undefined && input.kind !== x.kind) changed.kind = input.kind;
    if (input.language !== undefined && !sameLanguage(input.language, x.language)) {
      requireLanguageOffered(state, input.language);
      changed.language = input.language;
    }
    if (input.endorser !== undefined && input.endorser !== x.endorser) changed.endorser = input.endorser;
    if (input.replyDomains !== undefined && !sameDomains(input.replyDomains, x.replyDomains)) changed.replyDomains = input.replyDomains;
    if (Object.keys(changed).length === 0) return [];
    return [event('StakeholderDetailsChanged', { stakeholderId: x.id, ...changed })];
  },
});
