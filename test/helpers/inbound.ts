// A consultation ready to receive mail: a draft of two sections, an organisation with one contact,
// its reply and bounce addresses, and the inbound mailbox on the real handler over SQLite.
import { randomUUID } from 'node:crypto';
import { replyAddress, stakeholderTokenKeys } from '../../src/auth/stakeholder-tokens.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import { InboundMailbox, type InboundSettings } from '../../src/inbound/mailbox.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import type { EventStore } from '../../src/store/port.ts';
import { COORDINATOR } from './consultation.ts';
import { tempDir, tempStore } from './temp-store.ts';

export const INBOUND_DOMAIN = 'in.consult.example';
export const KEYS = stakeholderTokenKeys('inbound-test-secret-0123456789abcdef');
export const CONTACT_EMAIL = 'maria.ionescu@wpn.example';

type Teardown = { teardown(fn: () => unknown): void };

export interface InboundWorld {
  store: EventStore;
  handler: CommandHandler;
  mailbox: InboundMailbox;
  dataDir: string;
  consultationId: string;
  stakeholderId: string;
  contactId: string;
  /** reply+<token>@ and bounces+<token>@ of the contact */
  replyTo: string;
  bounces: string;
  /** the types and data of the consultation's events, in order */
  events(): Promise<{ type: string; data: Record<string, unknown> }[]>;
}

export async function inboundWorld(t: Teardown, settings: Partial<InboundSettings> = {}, store: EventStore = tempStore(t).store): Promise<InboundWorld> {
  const handler = new CommandHandler({ store });
  const consultationId = randomUUID();
  const run = (command: Parameters<CommandHandler['execute']>[0], input: unknown) => handler.execute(command, { consultationId, commandId: randomUUID(), actor: COORDINATOR, input });
  await run(commands.openConsultation, { title: 'Third NAP on WPS', leadOrganisation: 'Gender Office', languages: ['en', 'ro', 'nl'], timeZone: 'Europe/Bucharest' });
  await run(commands.publishDraft, {
    sections: [
      { key: 'participation', heading: 'Participation', text: 'Women participate in peace processes.' },
      { key: 'protection', heading: 'Protection', text: 'Protection from gender-based violence in conflict.' },
    ],
    commentDeadline: '2099-12-31T17:00:00Z',
  });
  const invited = await run(commands.inviteStakeholder, { organisation: "Women's Peace Network", kind: 'civil-society', contacts: [{ name: 'Maria Ionescu', email: CONTACT_EMAIL }], language: 'en' });
  const stakeholderId = invited.events.find((e) => e.type === 'StakeholderInvited')!.data['stakeholderId'] as string;
  const contactId = (await handler.load(consultationId)).stakeholders.get(stakeholderId)!.contacts[0]!.contactId;
  const subject = { consultationId, stakeholderId, contactId };
  const dataDir = settings.dataDir ?? tempDir(t);
  const mailbox = new InboundMailbox({
    handler,
    settings: { domain: INBOUND_DOMAIN, keys: KEYS, dataDir, maxBytes: 1024 * 1024, maxAttachmentBytes: 256 * 1024, ...settings },
  });
  return {
    store, handler, mailbox, dataDir, consultationId, stakeholderId, contactId,
    replyTo: replyAddress(KEYS, 'reply', subject, INBOUND_DOMAIN),
    bounces: replyAddress(KEYS, 'bounces', subject, INBOUND_DOMAIN),
    async events() {
      const all = await store.readStream(streamNameFor(consultationId));
      return all.map((e) => ({ type: e.type, data: e.data as Record<string, unknown> }));
    },
  };
}
