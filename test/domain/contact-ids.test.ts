// Contacts have stable ids: the deciders give them (keeping a contact's id while its address stays),
// and events stored before ids existed get the very same ids from an upcaster, at every replay.
import t from 'tap';
import { changeContacts } from '../../src/commands/change-contacts.ts';
import { inviteStakeholder } from '../../src/commands/invite-stakeholder.ts';
import { contactIdFor, withContactIds } from '../../src/domain/contacts.ts';
import { fromRecorded, type StoredEvent } from '../../src/domain/decode.ts';
import { event } from '../../src/domain/events.ts';
import { idFor } from '../../src/domain/ids.ts';
import { CONSULTATION_ID, COORDINATOR, CSO, cso, opened, stateFrom, when } from '../helpers/domain-spec.ts';

const META = {
  commandId: 'cmd-1', commandHash: 'h', actor: { ...COORDINATOR }, recordedAt: '2025-03-01T09:00:00.000Z', prevHash: '0'.repeat(64), hash: 'a'.repeat(64),
};
const stored = (type: string, data: unknown): StoredEvent => ({ streamName: `consultation-${CONSULTATION_ID}`, revision: 3, type, data, metadata: META });

/** StakeholderInvited as code before contact ids stored it */
const oldInvitation = () => stored('StakeholderInvited', {
  stakeholderId: CSO, organisation: "Women's Peace Network", kind: 'civil-society', language: 'en', endorser: false,
  contacts: [{ name: 'Focal point', email: 'Focal@WPN.example' }, { name: 'Deputy', email: 'deputy@wpn.example' }],
});

t.test('contactIdFor: a UUID v5 of the stakeholder and the normalised address; another stakeholder, another id', async (t) => {
  const id = contactIdFor(CSO, 'focal@wpn.example');
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(contactIdFor(CSO, '  FOCAL@wpn.Example '), id, 'case and surrounding spaces do not matter');
  t.not(contactIdFor('5c0f3a2e-0002-4000-8000-00000000af01', 'focal@wpn.example'), id);
  t.not(contactIdFor(CSO, 'deputy@wpn.example'), id);
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
    { contactId: contactIdFor(CSO, 'focal@wpn.example'), name: 'Focal point', email: 'Focal@WPN.example' },
    { contactId: contactIdFor(CSO, 'deputy@wpn.example'), name: 'Deputy', email: 'deputy@wpn.example' },
  ], 'the address is kept as stored; only the id is added');
});

t.test('upcaster: a StakeholderContactsChanged stored without ids gives an unchanged address the id it had', async (t) => {
  const changed = fromRecorded(stored('StakeholderContactsChanged', {
    stakeholderId: CSO, contacts: [{ name: 'New', email: 'new@wpn.example' }, { name: 'Focal point', email: 'focal@wpn.example' }],
  })).event;
  const invited = fromRecorded(oldInvitation()).event;
  if (changed?.type !== 'StakeholderContactsChanged' || invited?.type !== 'StakeholderInvited') return t.fail('decoded');
  t.equal(changed.data.contacts[1]?.contactId, invited.data.contacts[0]?.contactId);
  t.equal(changed.data.contacts[0]?.contactId, contactIdFor(CSO, 'new@wpn.example'));
});

t.test('upcaster: an event with ids is left as it is; a contact without an address is left to the schema', async (t) => {
  const withIds = { stakeholderId: CSO, contacts: [{ contactId: 'kept-as-stored', name: 'A', email: 'a@wpn.example' }] };
  const d = fromRecorded(stored('StakeholderContactsChanged', withIds)).event;
  t.strictSame(d?.data, withIds);
  t.throws(() => fromRecorded(stored('StakeholderContactsChanged', { stakeholderId: CSO, contacts: [{ name: 'no address' }] })), { name: 'UndecodableEventError' });
});

t.test('old and new agree: the upcast ids equal those InviteStakeholder writes today for the same stakeholder and addresses', async (t) => {
  const [today] = when(inviteStakeholder, [opened], {
    organisation: 'Peace Institute', kind: 'academia', language: 'en',
    contacts: [{ name: 'Focal point', email: 'Focal@WPN.example' }, { name: 'Deputy', email: 'deputy@wpn.example' }],
  });
  if (today?.type !== 'StakeholderInvited') return t.fail('invited');
  const sid = idFor('cmd-under-test', 'stakeholder');
  t.strictSame(today.data.contacts.map((c) => c.contactId), [contactIdFor(sid, 'focal@wpn.example'), contactIdFor(sid, 'deputy@wpn.example')]);
  const upcast = fromRecorded(stored('StakeholderInvited', { ...today.data, contacts: today.data.contacts.map(({ name, email }) => ({ name, email })) })).event;
  t.strictSame(upcast, today);
});

t.test('ChangeContacts keeps the id of an address that stays (whatever its case), gives a new address a new one', async (t) => {
  const before = stateFrom([opened, cso]).stakeholders.get(CSO)!.contacts[0]!;
  const [changed] = when(changeContacts, [opened, cso], {
    stakeholderId: CSO, contacts: [{ name: 'Maria', email: 'maria@wpn.example' }, { name: 'Focal, renamed', email: 'FOCAL@wpn.example' }],
  });
  t.strictSame(changed, event('StakeholderContactsChanged', {
    stakeholderId: CSO,
    contacts: [
      { contactId: contactIdFor(CSO, 'maria@wpn.example'), name: 'Maria', email: 'maria@wpn.example' },
      { contactId: before.contactId, name: 'Focal, renamed', email: 'FOCAL@wpn.example' },
    ],
    added: [contactIdFor(CSO, 'maria@wpn.example')],
  }));
});

t.test('ChangeContacts keeps an id as stored even where it was derived otherwise', async (t) => {
  const custom = event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: [{ contactId: 'c-legacy', name: 'Focal', email: 'focal@wpn.example' }] });
  const [changed] = when(changeContacts, [opened, cso, custom], {
    stakeholderId: CSO, contacts: [{ name: 'Focal', email: 'focal@wpn.example' }, { name: 'Maria', email: 'maria@wpn.example' }],
  });
  if (changed?.type !== 'StakeholderContactsChanged') return t.fail('changed');
  t.strictSame(changed.data.contacts.map((c) => c.contactId), ['c-legacy', contactIdFor(CSO, 'maria@wpn.example')]);
  t.strictSame(withContactIds(CSO, [{ name: 'X', email: 'x@wpn.example' }]), [{ contactId: contactIdFor(CSO, 'x@wpn.example'), name: 'X', email: 'x@wpn.example' }]);
});
