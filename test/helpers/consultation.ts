// Drives a consultation through the real command handler, for tests beyond the pure domain specs.
import { randomUUID } from 'node:crypto';
import { commands } from '../../src/commands/index.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import type { EventStore } from '../../src/store/port.ts';

export const COORDINATOR = { role: 'coordinator', id: 'gender-office' } as const;
export const FAR_DEADLINE = '2099-12-31T17:00:00Z';

export async function openWithDraft(handler: CommandHandler, consultationId = randomUUID()): Promise<string> {
  await handler.execute(commands.openConsultation, {
    consultationId,
    commandId: randomUUID(),
    actor: COORDINATOR,
    input: { title: 'Third NAP on WPS', leadOrganisation: 'Gender Office', languages: ['en'], timeZone: 'Europe/Bucharest' },
  });
  await handler.execute(commands.publishDraft, {
    consultationId,
    commandId: randomUUID(),
    actor: COORDINATOR,
    input: {
      sections: [{ key: 's1', heading: 'Participation', text: 'Women participate in peace processes.' }],
      commentDeadline: FAR_DEADLINE,
    },
  });
  return consultationId;
}

export async function invite(handler: CommandHandler, consultationId: string, organisation: string, endorser = false): Promise<string> {
  const email = `${organisation.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.org`;
  const result = await handler.execute(commands.inviteStakeholder, {
    consultationId,
    commandId: randomUUID(),
    actor: COORDINATOR,
    input: { organisation, kind: endorser ? 'ministry' : 'civil-society', contacts: [{ name: 'Focal point', email }], language: 'en', endorser },
  });
  const invited = result.events.find((e) => e.type === 'StakeholderInvited');
  if (!invited) throw new Error(`${organisation} was not invited`);
  return invited.data.stakeholderId as string;
}

export function comment(handler: CommandHandler, consultationId: string, stakeholderId: string, text: string, commandId = randomUUID()) {
  return handler.execute(commands.submitComment, {
    consultationId,
    commandId,
    actor: COORDINATOR,
    input: { stakeholderId, draftVersion: 1, sectionKey: 's1', text, channel: 'api' },
  });
}

/** Three consultations whose events interleave in the global order: 24 events in all. */
export async function seedConsultations(store: EventStore): Promise<string[]> {
  const handler = new CommandHandler({ store });
  const ids = [await openWithDraft(handler), await openWithDraft(handler), await openWithDraft(handler)];
  const sids = [];
  for (const id of ids) sids.push(await invite(handler, id, `Org of ${id.slice(0, 8)}`));
  for (let round = 0; round < 5; round++) {
    for (const [i, id] of ids.entries()) await comment(handler, id, sids[i]!, `round ${round}`);
  }
  return ids;
}
