import t from 'tap';
import { resendInvitation } from '../../src/commands/resend-invitation.ts';
import { fixtureContactId } from '../helpers/contact-ids.ts';
import { event } from '../../src/domain/events.ts';
import { asStakeholder, closedWithdrawn, CSO, cso, declined, opened, removed, stateFrom, when } from '../helpers/domain-spec.ts';

const contactId = fixtureContactId(CSO, 'focal@wpn.example');

t.test('given an active stakeholder, when ResendInvitation, then InvitationResendRequested (each time asked)', async (t) => {
  t.same(when(resendInvitation, [opened, cso], { stakeholderId: CSO }), [event('InvitationResendRequested', { stakeholderId: CSO })]);
  t.same(when(resendInvitation, [opened, cso, event('InvitationResendRequested', { stakeholderId: CSO })], { stakeholderId: CSO, contactId }), [
    event('InvitationResendRequested', { stakeholderId: CSO, contactId }),
  ], 'to one contact; a second request is a new one');
});

t.test('refusals: no consultation, closed, no stakeholder, removed, declined, no such contact, not a coordinator', async (t) => {
  t.throws(() => when(resendInvitation, [], { stakeholderId: CSO }), { code: 'CONSULTATION_NOT_FOUND' });
  t.throws(() => when(resendInvitation, [opened, cso, closedWithdrawn], { stakeholderId: CSO }), { code: 'CONSULTATION_CLOSED' });
  t.throws(() => when(resendInvitation, [opened], { stakeholderId: CSO }), { code: 'STAKEHOLDER_NOT_FOUND' });
  t.throws(() => when(resendInvitation, [opened, cso, removed(CSO)], { stakeholderId: CSO }), { code: 'STAKEHOLDER_REMOVED' });
  t.throws(() => when(resendInvitation, [opened, cso, declined(CSO)], { stakeholderId: CSO }), { code: 'STAKEHOLDER_DECLINED' });
  t.throws(() => when(resendInvitation, [opened, cso], { stakeholderId: CSO, contactId: fixtureContactId(CSO, 'other@wpn.example') }), { code: 'CONTACT_NOT_FOUND' });
  t.throws(() => when(resendInvitation, [opened, cso], { stakeholderId: CSO }, { actor: asStakeholder(CSO) }), { code: 'ACTOR_NOT_ALLOWED' });
});

t.test('the request changes nothing in the state but the command ids', async (t) => {
  const before = stateFrom([opened, cso]);
  const after = stateFrom([opened, cso, event('InvitationResendRequested', { stakeholderId: CSO })]);
  t.same(after.stakeholders, before.stakeholders);
  t.same(after.messages, before.messages);
});

t.test('an erased contact cannot be written to: CONTACT_ERASED for it, or for the organisation when every contact was erased', async (t) => {
  const erased = event('PersonalDataErased', { erasureId: 'e-1', reason: 'asked', keyIds: [], contacts: [{ stakeholderId: CSO, contactId }], signatures: [], heldReplies: [] });
  t.throws(() => when(resendInvitation, [opened, cso, erased], { stakeholderId: CSO, contactId }), { code: 'CONTACT_ERASED' });
  t.throws(() => when(resendInvitation, [opened, cso, erased], { stakeholderId: CSO }), { code: 'CONTACT_ERASED' }, 'its only contact');
});
