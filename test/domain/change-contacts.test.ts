import t from 'tap';
import { changeContacts } from '../../src/commands/change-contacts.ts';
import { inviteStakeholder } from '../../src/commands/invite-stakeholder.ts';
import { fixtureContactId, fixtureContacts } from '../helpers/contact-ids.ts';
import { event } from '../../src/domain/events.ts';
import { CSO, MFA, closedWithdrawn, cso, mfa, newContactId, opened, when } from '../helpers/domain-spec.ts';

const contacts = [
  { name: 'Maria Ionescu', email: 'maria@wpn.example' },
  { name: 'Focal point', email: 'focal@wpn.example' },
];

t.test('given nothing, when ChangeContacts, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(changeContacts, [], { stakeholderId: CSO, contacts }), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when ChangeContacts, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(changeContacts, [opened, cso, closedWithdrawn], { stakeholderId: CSO, contacts }), { code: 'CONSULTATION_CLOSED' });
});

t.test('given no such stakeholder, when ChangeContacts, then STAKEHOLDER_NOT_FOUND', async (t) => {
  t.throws(() => when(changeContacts, [opened, cso], { stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002', contacts }), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('given a stakeholder, when ChangeContacts, then StakeholderContactsChanged (a new primary focal point)', async (t) => {
  t.same(when(changeContacts, [opened, cso], { stakeholderId: CSO, contacts }), [
    event('StakeholderContactsChanged', {
      stakeholderId: CSO,
      contacts: [{ contactId: newContactId(0), ...contacts[0]! }, { contactId: fixtureContactId(CSO, 'focal@wpn.example'), ...contacts[1]! }],
      added: [newContactId(0)],
    }),
  ], 'the new focal point is named as added (the relay invites it); the one it had is not');
});

t.test('given the same contacts, when ChangeContacts, then nothing (addresses compared whatever their case)', async (t) => {
  const same = [{ name: "Focal point of Women's Peace Network", email: 'FOCAL@wpn.example' }];
  t.same(when(changeContacts, [opened, cso], { stakeholderId: CSO, contacts: same }), []);
});

t.test('the same people in another order is a change (the first is the primary)', async (t) => {
  const history = [opened, cso, event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, contacts) })];
  const reversed = [...contacts].reverse();
  t.same(when(changeContacts, history, { stakeholderId: CSO, contacts: reversed }), [
    event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, reversed) }),
  ]);
});

t.test('given an address of another stakeholder, when ChangeContacts with it, then CONTACT_BELONGS_TO_OTHER_STAKEHOLDER', async (t) => {
  t.throws(
    () => when(changeContacts, [opened, cso, mfa], { stakeholderId: CSO, contacts: [...contacts, { name: 'X', email: 'Gender@MFA.example' }] }),
    { code: 'CONTACT_BELONGS_TO_OTHER_STAKEHOLDER', details: { stakeholderId: MFA } },
  );
});

t.test('after the change, the new address finds the stakeholder and the old one is free', async (t) => {
  const history = [opened, cso, event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, [{ name: 'Maria', email: 'maria@wpn.example' }]) })];
  t.same(when(inviteStakeholder, history, {
    organisation: "Women's Peace Network", kind: 'civil-society', contacts: [{ name: 'Maria', email: 'maria@wpn.example' }], language: 'en',
  }), []);
  t.equal(when(inviteStakeholder, history, {
    organisation: 'Another network', kind: 'civil-society', contacts: [{ name: 'Old focal point', email: 'focal@wpn.example' }], language: 'en',
  })[0]?.type, 'StakeholderInvited');
});

t.test('the schema refuses no contacts and the same address twice', async (t) => {
  t.throws(() => when(changeContacts, [opened, cso], { stakeholderId: CSO, contacts: [] }), { name: 'ZodError' });
  t.throws(() => when(changeContacts, [opened, cso], {
    stakeholderId: CSO, contacts: [{ name: 'A', email: 'a@wpn.example' }, { name: 'B', email: 'A@wpn.example' }],
  }), { name: 'ZodError' });
});
