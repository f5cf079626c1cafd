import t from 'tap';
import { inviteStakeholder } from '../../src/commands/invite-stakeholder.ts';
import { event } from '../../src/domain/events.ts';
import { idFor } from '../../src/domain/ids.ts';
import { COMMAND_ID, CSO, MFA, closedWithdrawn, cso, declined, draft, errorOf, mfa, newContactId, opened, reinstated, removed, when } from '../helpers/domain-spec.ts';

const input = {
  organisation: 'Romanian Women Mediators Network',
  kind: 'civil-society' as const,
  contacts: [
    { name: 'Ioana Marin', email: 'ioana@mediators.example' },
    { name: 'Elena Dima', email: 'elena@mediators.example' },
  ],
  language: 'ro',
};
/** the stakeholder id the command under test gets */
const SID = idFor(COMMAND_ID, 'stakeholder');
/** its contacts with the ids the command gives them (by their place in its input, not their address) */
const CONTACTS = input.contacts.map((c, i) => ({ contactId: newContactId(i), ...c }));
/** cso (spec.ts) is "Women's Peace Network", focal@wpn.example */
const csoAgain = {
  organisation: "Women's Peace Network",
  kind: 'civil-society' as const,
  contacts: [{ name: 'Focal point', email: 'focal@wpn.example' }],
  language: 'en',
};

t.test('given nothing, when InviteStakeholder, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(inviteStakeholder, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when InviteStakeholder, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(inviteStakeholder, [opened, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given an opened consultation (no draft yet), when InviteStakeholder, then StakeholderInvited with an id derived from the command id', async (t) => {
  t.same(when(inviteStakeholder, [opened], input), [
    event('StakeholderInvited', { stakeholderId: SID, ...input, contacts: CONTACTS, endorser: false }),
  ]);
});

t.test('the same command id gives the same stakeholder id; another command id another', async (t) => {
  const [a] = when(inviteStakeholder, [opened], input, { commandId: 'c0ffee00-0c01-4000-8000-000000000001' });
  const [b] = when(inviteStakeholder, [opened], input, { commandId: 'c0ffee00-0c01-4000-8000-000000000001' });
  const [c] = when(inviteStakeholder, [opened], input, { commandId: 'c0ffee00-0c02-4000-8000-000000000002' });
  t.same(a, b);
  t.not(a?.type === 'StakeholderInvited' && a.data.stakeholderId, c?.type === 'StakeholderInvited' && c.data.stakeholderId);
});

t.test('a ministry invited as an endorser', async (t) => {
  const ministry = { ...input, organisation: 'Ministry of Education', kind: 'ministry' as const, endorser: true };
  t.same(when(inviteStakeholder, [opened, draft(1)], ministry), [
    event('StakeholderInvited', { stakeholderId: SID, ...ministry, contacts: CONTACTS }),
  ]);
});

t.test('given the organisation invited, when inviting a contact address it already has, then nothing (no-op)', async (t) => {
  t.same(when(inviteStakeholder, [opened, cso], csoAgain), []);
});

t.test('the address matches whatever its case', async (t) => {
  t.same(when(inviteStakeholder, [opened, cso], { ...csoAgain, contacts: [{ name: 'Focal point', email: 'Focal@WPN.Example' }] }), []);
  // and the organisation's name whatever its case and spacing
  t.same(when(inviteStakeholder, [opened, cso], { ...csoAgain, organisation: "  women's   peace network " }), []);
});

t.test('given the organisation invited, when inviting it under other contacts, then ORGANISATION_ALREADY_INVITED', async (t) => {
  const other = { ...csoAgain, organisation: "WOMEN'S PEACE NETWORK", contacts: [{ name: 'New person', email: 'new@wpn.example' }] };
  t.throws(() => when(inviteStakeholder, [opened, cso], other), { code: 'ORGANISATION_ALREADY_INVITED', details: { stakeholderId: CSO } });
});

t.test('given an address of another organisation, when inviting with it, then CONTACT_BELONGS_TO_OTHER_STAKEHOLDER', async (t) => {
  const withTakenAddress = { ...input, contacts: [...input.contacts, { name: 'Shared', email: 'GENDER@mfa.example' }] };
  t.throws(() => when(inviteStakeholder, [opened, cso, mfa], withTakenAddress), {
    code: 'CONTACT_BELONGS_TO_OTHER_STAKEHOLDER',
    details: { stakeholderId: MFA },
  });
});

t.test('given the stakeholder removed, when inviting it again, then STAKEHOLDER_REMOVED (only reinstating brings it back)', async (t) => {
  const history = [opened, cso, removed(CSO)];
  t.throws(() => when(inviteStakeholder, history, csoAgain), { code: 'STAKEHOLDER_REMOVED', details: { stakeholderId: CSO } });
  t.throws(() => when(inviteStakeholder, history, { ...csoAgain, contacts: [{ name: 'New', email: 'new@wpn.example' }] }), {
    code: 'STAKEHOLDER_REMOVED',
  });
});

t.test('given the stakeholder declined, when inviting it again, then STAKEHOLDER_DECLINED (only reinstating brings it back)', async (t) => {
  const history = [opened, cso, declined(CSO)];
  t.throws(() => when(inviteStakeholder, history, csoAgain), { code: 'STAKEHOLDER_DECLINED', details: { stakeholderId: CSO } });
  t.throws(() => when(inviteStakeholder, history, { ...csoAgain, contacts: [{ name: 'New', email: 'new@wpn.example' }] }), {
    code: 'STAKEHOLDER_DECLINED',
  });
});

t.test('given the stakeholder removed and reinstated, when inviting its address again, then nothing (no-op)', async (t) => {
  t.same(when(inviteStakeholder, [opened, cso, removed(CSO), reinstated(CSO)], csoAgain), []);
  t.same(when(inviteStakeholder, [opened, cso, declined(CSO), reinstated(CSO)], csoAgain), []);
});

t.test('the schema refuses no contacts, a bad address, the same address twice, and an unknown kind', async (t) => {
  t.throws(() => when(inviteStakeholder, [opened], { ...input, contacts: [] }), { name: 'ZodError' });
  t.throws(() => when(inviteStakeholder, [opened], { ...input, contacts: [{ name: 'X', email: 'not-an-address' }] }), { name: 'ZodError' });
  t.throws(() => when(inviteStakeholder, [opened], {
    ...input,
    contacts: [{ name: 'A', email: 'a@x.example' }, { name: 'B', email: 'A@X.example' }],
  }), { name: 'ZodError' });
  t.throws(() => when(inviteStakeholder, [opened], { ...input, kind: 'company' as 'other' }), { name: 'ZodError' });
});

t.test('given the contact invited, when inviting it with other details, then STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS naming the fields', async (t) => {
  const error = errorOf(() => when(inviteStakeholder, [opened, cso], { ...csoAgain, endorser: true, language: 'ro' }));
  t.equal(error.code, 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS');
  t.equal(error.status, 409);
  t.same(error.details, { stakeholderId: CSO, fields: ['language', 'endorser'], existing: { language: 'en', endorser: false }, given: { language: 'ro', endorser: true } });
  t.throws(() => when(inviteStakeholder, [opened, cso], { ...csoAgain, kind: 'academia' }), {
    code: 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS', details: { fields: ['kind'] },
  });
});

t.test('the details compare as the stakeholder\'s current ones (after a change), the organisation whatever its case and spacing', async (t) => {
  const history = [opened, cso, event('StakeholderDetailsChanged', { stakeholderId: CSO, endorser: true, kind: 'academia' })];
  t.same(when(inviteStakeholder, history, { ...csoAgain, organisation: "WOMEN'S  peace network", endorser: true, kind: 'academia' }), []);
  t.throws(() => when(inviteStakeholder, history, csoAgain), { code: 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS', details: { fields: ['kind', 'endorser'] } });
});

t.test('a removed or declined stakeholder is refused as such first, whatever its details', async (t) => {
  t.throws(() => when(inviteStakeholder, [opened, cso, removed(CSO)], { ...csoAgain, endorser: true }), { code: 'STAKEHOLDER_REMOVED' });
  t.throws(() => when(inviteStakeholder, [opened, cso, declined(CSO)], { ...csoAgain, endorser: true }), { code: 'STAKEHOLDER_DECLINED' });
});

t.test('a language the consultation does not offer is LANGUAGE_NOT_OFFERED (opened in en and ro)', async (t) => {
  const error = errorOf(() => when(inviteStakeholder, [opened], { ...input, language: 'pl' }));
  t.equal(error.code, 'LANGUAGE_NOT_OFFERED');
  t.same(error.details, { language: 'pl', languages: ['en', 'ro'] });
  t.throws(() => when(inviteStakeholder, [opened, cso], { ...csoAgain, language: 'nl' }), { code: 'LANGUAGE_NOT_OFFERED' }, 'an existing contact too');
  t.equal(when(inviteStakeholder, [opened], { ...input, language: 'ro' })[0]?.type, 'StakeholderInvited');
});

t.test('reply domains: lower-cased and validated; kept on the event when given; inviting again without them compares nothing', async (t) => {
  t.same(when(inviteStakeholder, [opened], { ...input, replyDomains: [' Mediators.Example ', 'ngo.ro'] }), [
    event('StakeholderInvited', {
      stakeholderId: SID, ...input, contacts: CONTACTS, endorser: false, replyDomains: ['mediators.example', 'ngo.ro'],
    }),
  ]);
  for (const bad of [['@mediators.example'], ['a b.example'], ['localhost'], ['x.example', 'X.example'], ['-bad.example']]) {
    t.throws(() => when(inviteStakeholder, [opened], { ...input, replyDomains: bad }), `refused: ${bad.join(', ')}`);
  }
  const withDomains = event('StakeholderDetailsChanged', { stakeholderId: CSO, replyDomains: ['wpn.example'] });
  t.same(when(inviteStakeholder, [opened, cso, withDomains], csoAgain), [], 'the same invitation again, saying nothing of domains');
  t.same(when(inviteStakeholder, [opened, cso, withDomains], { ...csoAgain, replyDomains: ['wpn.example'] }), []);
  t.equal(errorOf(() => when(inviteStakeholder, [opened, cso, withDomains], { ...csoAgain, replyDomains: ['other.example'] })).code,
    'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS');
});
