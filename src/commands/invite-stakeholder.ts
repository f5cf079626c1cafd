import { z } from 'zod';
import { defineCommand } from './command.ts';
import { contactIdsOf, withContactIds } from '../domain/contacts.ts';
import { DomainError } from '../domain/errors.ts';
import { event } from '../domain/events.ts';
import { idFor } from '../domain/ids.ts';
import {
  COORDINATOR_ONLY, differingDetails, organisationHolder, requireLanguageOffered, requireOpen, requireRole, sameEmail, sameOrganisation,
} from '../domain/rules.ts';
import { Contact, LanguageCode, ReplyDomains, SingleLine, StakeholderKind } from '../domain/schemas.ts';
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';

export const Contacts = z.array(Contact).min(1).max(20).refine(
  (cs) => new Set(cs.map((c) => c.email.toLowerCase())).size === cs.length,
  'the same e-mail address appears twice',
);

/** The stakeholder that already has one of these contact addresses, if any. */
export function stakeholderByEmail(state: ReadonlyState, emails: readonly string[]): ReadonlyStakeholder | undefined {
  return [...state.stakeholders.values()].find((x) => x.contacts.some((c) => emails.some((e) => sameEmail(e, c.email))));
}

/**
 * Invites an organisation, in one of the consultation's languages; each contact gets an id
 * derived from this command, not from its address (contactIdsOf). Inviting a contact address it
 * already has with the same details (organisation, kind, language, endorser) is a no-op (the
 * caller finds the existing stakeholder by that address); with other details it is refused
 * (STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS: they are corrected with ChangeStakeholderDetails, not by
 * inviting again); a removed or declined one comes back only by reinstating it.
 */
export const inviteStakeholder = defineCommand({
  name: 'InviteStakeholder',
  schema: z.strictObject({
    organisation: SingleLine(300),
    kind: StakeholderKind,
    contacts: Contacts,
    language: LanguageCode,
    endorser: z.boolean().default(false),
    replyDomains: ReplyDomains.optional()
      .describe('mail domains from which any address may reply for it by e-mail ("mfa.gov.ro"; exactly those, not their subdomains), besides its contacts\' addresses; omitted: none (inviting again without it compares nothing)'),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    requireLanguageOffered(state, input.language);
    const existing = stakeholderByEmail(state, input.contacts.map((c) => c.email));
    if (existing) {
      if (!sameOrganisation(existing.organisation, input.organisation)) {
        throw new DomainError('CONTACT_BELONGS_TO_OTHER_STAKEHOLDER', `a contact address belongs to ${existing.organisation}`, { stakeholderId: existing.id });
      }
      if (existing.removed) throw new DomainError('STAKEHOLDER_REMOVED', `${existing.organisation} was removed; reinstate it`, { stakeholderId: existing.id });
      if (existing.response === 'declined') throw new DomainError('STAKEHOLDER_DECLINED', `${existing.organisation} declined; reinstate it`, { stakeholderId: existing.id });
      // reply domains omitted: the invitation says nothing of them
      const differing = differingDetails(existing, { ...input, replyDomains: input.replyDomains ?? existing.replyDomains });
      if (differing.length > 0) {
        const pick = (x: typeof input | typeof existing) => Object.fromEntries(differing.map((f) => [f, x[f]]));
        throw new DomainError(
          'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS',
          `${existing.organisation} is invited already with other ${differing.join(', ')} (${differing.map((f) => `${f}: ${String(existing[f])}`).join(', ')}); change its details instead`,
          { stakeholderId: existing.id, fields: differing, existing: pick(existing), given: pick(input) },
        );
      }
      return [];
    }
    const sameOrg = organisationHolder(state, input.organisation);
    if (sameOrg) {
      if (sameOrg.removed) throw new DomainError('STAKEHOLDER_REMOVED', `${sameOrg.organisation} was removed; reinstate it`, { stakeholderId: sameOrg.id });
      if (sameOrg.response === 'declined') throw new DomainError('STAKEHOLDER_DECLINED', `${sameOrg.organisation} declined; reinstate it`, { stakeholderId: sameOrg.id });
      throw new DomainError('ORGANISATION_ALREADY_INVITED', `${sameOrg.organisation} is invited already; change its contacts instead`, { stakeholderId: sameOrg.id });
    }
    const stakeholderId = idFor(ctx.commandId, 'stakeholder');
    const { replyDomains, ...rest } = input;
    return [event('StakeholderInvited', {
      stakeholderId, ...rest, contacts: withContactIds(input.contacts, [], contactIdsOf(ctx.commandId)), ...(replyDomains && replyDomains.length > 0 ? { replyDomains } : {}),
    })];
  },
});
