import { z } from 'zod';
import { defineCommand } from './command.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole, sameEmail } from '../domain/rules.ts';
import { NotifyEmails } from '../domain/schemas.ts';

/**
 * Replaces the coordinating office's mailboxes to alert: delivery failures and held replies reach
 * them as one digest a day at most. `[]` alerts nobody. The same list
 * again (same addresses in the same order, whatever their case) records nothing.
 */
export const changeNotifyEmails = defineCommand({
  name: 'ChangeNotifyEmails',
  schema: z.strictObject({
    notifyEmails: NotifyEmails.describe('the office\'s mailboxes, each once (a repeated address is dropped), at most 20; [] for none'),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const current = state.notifyEmails;
    const same = current.length === input.notifyEmails.length && current.every((e, i) => sameEmail(e, input.notifyEmails[i] ?? ''));
    if (same) return [];
    return [event('NotifyEmailsChanged', { notifyEmails: input.notifyEmails })];
  },
});
