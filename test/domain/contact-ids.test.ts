// Contacts have stable ids: the deciders give a new contact one derived from the command (never
// from its address) and keep a contact's id while its address stays; events stored before ids
// existed get address-derived ids from an upcaster, the same at every replay.
import t from 'tap';
import { changeContacts } from '../../src/commands/change-contacts.ts';
import { inviteStakeholder } from '../../src/commands/invite-stakeholder.ts';
import { legacyContactIdFor, withContactIds } from '../../src/domain/contacts.ts';
import { fromRecorded, type StoredEvent } from '../../src/domain/decode.ts';
import { event } from '../../src/domain/events.ts';
import { idFor } from '../../src/domain/ids.ts';
import { COMMAND_ID, CONSULTATION_ID, COORDINATOR, CSO, cso, newContactId, opened, stateFrom, when } from '../helpers/domain-spec.ts';

const META = {
  commandId: 'cmd-1', commandHash: 'h', actor: { ...COORDINATOR }, recordedAt: '2025-03-01T09:00:00.000Z', prevHash: '0'.repeat(64), hash: 'a'.repeat(64),
};
const stored = (type: string, data: unknown): StoredEvent => ({ streamName: `consultation-${CONSULTATION_ID}`, revision: 3, type, data, metadata: META });

/** StakeholderInvited as code before contact ids stored it */
const oldInvitation = () => stored('StakeholderInvited', {
  stakeholderId: CSO, organisation: "Women's Peace Network", kind: 'civil-society', language: 'en', endorser: false,
  contacts: [{ name: 'Focal point', email: 'Focal@WPN.example' }, { name: 'Deputy', email: 'deputy@wpn.example' }],
});

t.test('legacyContactIdFor (the upcaster\'s): a UUID v5 of the stakeholder and the normalised address; another stakeholder, another id', async (t) => {
  const id = legacyContactIdFor(CSO, 'focal@wpn.example');
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(legacyContactIdFor(CSO, '  FOCAL@wpn.Example '), id, 'case and surrounding spaces do not matter');
  t.not(legacyContactIdFor('5c0f3a2e-0002-4000-8000-00000000af01', 'focal@wpn.example'), id);
  t.not(legacyContactIdFor(CSO, 'deputy@wpn.example'), id);
  // pinned: stored links and reply addresses name these ids, so the derivation never changes
  t.equal(id, '20a67643-ccbb-53fb-b8f1-4f0861c7ce60');
});

t.test('upcaster: contacts stored without ids get them, the same at every decode', async (t) => {
  const first = fromRecorded(oldInvitation()).event;
  const again = fromRecorded(oldInvitation()).event;
  t.strictSame(first, again, 'deterministic');
  t.equal(first?.type, 'StakeholderInvited');
  if (first?.type !== 'StakeholderInvited') return;
  t.strictSame(first.data.contacts, [
    { contactId: legacyContactIdFor(CSO, 'focal@wpn.example'), name: 'Focal point', email: 'Focal@WPN.example' },
    { contactId: legacyContactIdFor(CSO, 'deputy@wpn.example'), name: 'Deputy', email: 'deputy@wpn.example' },
  ], 'the address is kept as stored; only the id is added');
});

t.test('upcaster: a StakeholderContactsChanged stored without ids gives an unchanged address the id it had', async (t) => {
  const changed = fromRecorded(stored('StakeholderContactsChanged', {
    stakeholderId: CSO, contacts: [{ name: 'New', email: 'new@wpn.example' }, { name: 'Focal point', email: 'focal@wpn.example' }],
  })).event;
  const invited = fromRecorded(oldInvitation()).event;
  if (changed?.type !== 'StakeholderContactsChanged' || invited?.type !== 'StakeholderInvited') return t.fail('decoded');
  t.equal(changed.data.contacts[1]?.contactId, invited.data.contacts[0]?.contactId);
  t.equal(changed.data.contacts[0]?.contactId, legacyContactIdFor(CSO, 'new@wpn.example'));
});

t.test('upcaster: an event with ids is left as it is; a contact without an address is left to the schema', async (t) => {
  const withIds = { stakeholderId: CSO, contacts: [{ contactId: 'kept-as-stored', name: 'A', email: 'a@wpn.example' }] };
  const d = fromRecorded(stored('StakeholderContactsChanged', withIds)).event;
  t.strictSame(d?.data, withIds);
  t.throws(() => fromRecorded(stored('StakeholderContactsChanged', { stakeholderId: CSO, contacts: [{ name: 'no address' }] })), { name: 'UndecodableEventError' });
});

t.test('InviteStakeholder: each contact\'s id comes from the command id and its place in the input, not from its address', async (t) => {
  const [today] = when(inviteStakeholder, [opened], {
    organisation: 'Peace Institute', kind: 'academia', language: 'en',
    contacts: [{ name: 'Focal point', email: 'Focal@WPN.example' }, { name: 'Deputy', email: 'deputy@wpn.example' }],
  });
  if (today?.type !== 'StakeholderInvited') return t.fail('invited');
  const sid = idFor(COMMAND_ID, 'stakeholder');
  const ids = today.data.contacts.map((c) => c.contactId);
  t.strictSame(ids, [newContactId(0), newContactId(1)]);
  t.strictSame(ids, [idFor(COMMAND_ID, 'contact-0'), idFor(COMMAND_ID, 'contact-1')], 'idFor(commandId, "contact-<index>")');
  t.notOk(ids.includes(legacyContactIdFor(sid, 'focal@wpn.example')) || ids.includes(legacyContactIdFor(sid, 'deputy@wpn.example')), 'not address-derived');
  const upcast = fromRecorded(stored('StakeholderInvited', today.data)).event;
  t.strictSame(upcast, today, 'stored with its ids: decoded as it is');
});

t.test('ChangeContacts keeps the id of an address that stays (whatever its case), gives a new address a new one', async (t) => {
  const before = stateFrom([opened, cso]).stakeholders.get(CSO)!.contacts[0]!;
  const [changed] = when(changeContacts, [opened, cso], {
    stakeholderId: CSO, contacts: [{ name: 'Maria', email: 'maria@wpn.example' }, { name: 'Focal, renamed', email: 'FOCAL@wpn.example' }],
  });
  t.strictSame(changed, event('StakeholderContactsChanged', {
    stakeholderId: CSO,
    contacts: [
      { contactId: newContactId(0), name: 'Maria', email: 'maria@wpn.example' },
      { contactId: before.contactId, name: 'Focal, renamed', email: 'FOCAL@wpn.example' },
    ],
    added: [newContactId(0)],
  }));
});

t.test('ChangeContacts keeps an id as stored even where it was derived otherwise (an address-derived one included)', async (t) => {
  const custom = event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: [{ contactId: 'c-legacy', name: 'Focal', email: 'focal@wpn.example' }] });
  const [changed] = when(changeContacts, [opened, cso, custom], {
    stakeholderId: CSO, contacts: [{ name: 'Focal', email: 'focal@wpn.example' }, { name: 'Maria', email: 'maria@wpn.example' }],
  });
  if (changed?.type !== 'StakeholderContactsChanged') return t.fail('changed');
  t.strictSame(changed.data.contacts.map((c) => c.contactId), ['c-legacy', newContactId(1)]);
  const old = fromRecorded(oldInvitation()).event;
  if (old?.type !== 'StakeholderInvited') return t.fail('upcast');
  const [kept] = when(changeContacts, [opened, old], { stakeholderId: CSO, contacts: [{ name: 'Deputy', email: 'deputy@wpn.example' }, { name: 'Maria', email: 'maria@wpn.example' }] });
  if (kept?.type !== 'StakeholderContactsChanged') return t.fail('changed');
  t.strictSame(kept.data.contacts.map((c) => c.contactId), [legacyContactIdFor(CSO, 'deputy@wpn.example'), newContactId(1)], 'an upcast contact keeps the id its links name');
});

t.test('withContactIds: a new contact gets newId(its index), a current address keeps its id', async (t) => {
  const current = [{ contactId: 'kept', name: 'A', email: 'A@wpn.example' }];
  t.strictSame(withContactIds([{ name: 'X', email: 'x@wpn.example' }, { name: 'A', email: 'a@WPN.example' }], current, (i) => `new-${i}`), [
    { contactId: 'new-0', name: 'X', email: 'x@wpn.example' },
    { contactId: 'kept', name: 'A', email: 'a@WPN.example' },
  ]);
});
