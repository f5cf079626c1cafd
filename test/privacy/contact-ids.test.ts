// A contact's id outlives an erasure (it stays in the events and in export bundles), so it must not
// confirm a guessed address: a contact created through the command path gets an id derived from
// the command that created it, never the address-derived one the upcaster gives contacts stored
// before ids existed.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { CommandDefinition } from '../../src/commands/command.ts';
import { CommandHandler, type CommandResult } from '../../src/commands/handler.ts';
import { commands } from '../../src/commands/index.ts';
import { contactIdsOf, legacyContactIdFor } from '../../src/domain/contacts.ts';
import { MemoryKeyStore } from '../../src/privacy/key-store.ts';
import { PersonalDataStore } from '../../src/privacy/personal-store.ts';
import { tempStore, type Teardown } from '../helpers/temp-store.ts';
import { COORDINATOR, openWithDraft } from '../helpers/consultation.ts';

const CONTACTS = [{ name: 'Ioana Marinescu', email: 'Ioana@WIPN.example' }, { name: 'Elena Dima', email: 'elena@wipn.example' }];
const INPUT = { organisation: 'Women in Peace Network', kind: 'civil-society', contacts: CONTACTS, language: 'en', endorser: false };

async function setUp(t: Teardown) {
  const { store: inner } = tempStore(t);
  const store = new PersonalDataStore(inner, new MemoryKeyStore());
  const handler = new CommandHandler({ store });
  const consultationId = await openWithDraft(handler);
  const run = <S extends z.ZodType>(command: CommandDefinition<S>, commandId: string, input: unknown) =>
    handler.execute(command, { consultationId, commandId, actor: COORDINATOR, input });
  /** the stakeholder's contact ids as a fresh handler folds them from the store (decoded, unsealed, upcast) */
  const storedIds = async (stakeholderId: string) =>
    (await new CommandHandler({ store }).load(consultationId)).stakeholders.get(stakeholderId)?.contacts.map((c) => c.contactId);
  return { run, storedIds };
}

/** The id of the stakeholder a command invited, and its contacts' ids and addresses after the command. */
function invitedBy(result: CommandResult): { stakeholderId: string; contacts: { contactId: string; email: string }[] } {
  const stakeholderId = String(result.events.find((e) => e.type === 'StakeholderInvited')?.data['stakeholderId']);
  return { stakeholderId, contacts: contactsOf(result, stakeholderId) };
}

function contactsOf(result: CommandResult, stakeholderId: string): { contactId: string; email: string }[] {
  return (result.state.stakeholders.get(stakeholderId)?.contacts ?? []).map(({ contactId, email }) => ({ contactId, email }));
}

t.test('InviteStakeholder: the contacts\' ids come from the command, not the addresses; a retry gives the same', async (t) => {
  const { run, storedIds } = await setUp(t);
  const commandId = randomUUID();
  const { stakeholderId, contacts } = invitedBy(await run(commands.inviteStakeholder, commandId, INPUT));
  const ids = contacts.map((c) => c.contactId);

  t.equal(new Set(ids).size, 2, 'two contacts of one command: two ids');
  for (const c of CONTACTS) {
    t.notOk(ids.includes(legacyContactIdFor(stakeholderId, c.email)), `no id is the address-derived one of ${c.email}`);
  }
  t.strictSame(ids, [contactIdsOf(commandId)(0), contactIdsOf(commandId)(1)], 'the command id and each contact\'s place in its input');

  const retried = await run(commands.inviteStakeholder, commandId, INPUT);
  t.equal(retried.replayed, true);
  t.strictSame(await storedIds(stakeholderId), ids, 'the retried command: the same ids, as stored');

  // the same input under another command id (in another consultation: here the address is taken) gives other ids
  const other = await setUp(t);
  const again = invitedBy(await other.run(commands.inviteStakeholder, randomUUID(), INPUT));
  t.equal(again.contacts.length, 2);
  t.notOk(again.contacts.some((c) => ids.includes(c.contactId)), 'another command: other ids for the same addresses');
});

t.test('ChangeContacts: an address that stays (whatever its case) keeps its id; a new address gets a new one from the command', async (t) => {
  const { run, storedIds } = await setUp(t);
  const invited = invitedBy(await run(commands.inviteStakeholder, randomUUID(), INPUT));
  const { stakeholderId } = invited;
  const [ioana] = invited.contacts;

  const commandId = randomUUID();
  const input = { stakeholderId, contacts: [{ name: 'Maria Popa', email: 'maria@wipn.example' }, { name: 'Ioana Marinescu', email: 'ioana@wipn.EXAMPLE' }] };
  const result = await run(commands.changeContacts, commandId, input);
  const [maria, kept] = contactsOf(result, stakeholderId);
  t.equal(kept?.contactId, ioana?.contactId, 'the address that stays keeps its id');
  t.equal(maria?.contactId, contactIdsOf(commandId)(0), 'the new address: from this command');
  t.not(maria?.contactId, legacyContactIdFor(stakeholderId, 'maria@wipn.example'), 'not the address-derived id');
  t.notOk(invited.contacts.some((c) => c.contactId === maria?.contactId), 'no id the stakeholder had');
  t.strictSame(result.events.find((e) => e.type === 'StakeholderContactsChanged')?.data['added'], [maria?.contactId], 'named as added');

  t.equal((await run(commands.changeContacts, commandId, input)).replayed, true);
  t.strictSame(await storedIds(stakeholderId), [maria?.contactId, ioana?.contactId], 'the retry: the same ids, as stored');
});
