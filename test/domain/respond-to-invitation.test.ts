import t from 'tap';
import { respondToInvitation } from '../../src/commands/respond-to-invitation.ts';
import { event } from '../../src/domain/events.ts';
import { CSO, MFA, accepted, asStakeholder, closedWithdrawn, cso, declined, mfa, opened, reinstated, removed, when } from '../helpers/domain-spec.ts';

const accept = { stakeholderId: CSO, response: 'accept' as const };
const decline = { stakeholderId: CSO, response: 'decline' as const };

t.test('given nothing, when RespondToInvitation, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(respondToInvitation, [], accept), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when RespondToInvitation, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(respondToInvitation, [opened, cso, closedWithdrawn], accept), { code: 'CONSULTATION_CLOSED' });
});

t.test('given no such stakeholder, when RespondToInvitation, then STAKEHOLDER_NOT_FOUND', async (t) => {
  t.throws(() => when(respondToInvitation, [opened], accept), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('given an invitation, when the stakeholder accepts, then InvitationAccepted', async (t) => {
  t.same(when(respondToInvitation, [opened, cso], accept, { actor: asStakeholder(CSO) }), [event('InvitationAccepted', { stakeholderId: CSO })]);
});

t.test('given an accepted invitation, when accepting again, then nothing', async (t) => {
  t.same(when(respondToInvitation, [opened, cso, accepted(CSO)], accept), []);
});

t.test('given an invitation, when the stakeholder declines, then InvitationDeclined (with its reason)', async (t) => {
  t.same(when(respondToInvitation, [opened, cso], { ...decline, reason: 'no capacity this year' }), [
    event('InvitationDeclined', { stakeholderId: CSO, reason: 'no capacity this year' }),
  ]);
  t.same(when(respondToInvitation, [opened, cso], decline), [event('InvitationDeclined', { stakeholderId: CSO })]);
});

t.test('given an accepted invitation, when declining, then InvitationDeclined (allowed)', async (t) => {
  t.same(when(respondToInvitation, [opened, cso, accepted(CSO)], decline), [event('InvitationDeclined', { stakeholderId: CSO })]);
});

t.test('given a declined invitation, when declining again, then nothing', async (t) => {
  t.same(when(respondToInvitation, [opened, cso, declined(CSO)], decline), []);
});

t.test('given a declined invitation, when accepting, then STAKEHOLDER_DECLINED (only a reinstatement brings it back)', async (t) => {
  t.throws(() => when(respondToInvitation, [opened, cso, declined(CSO)], accept), { code: 'STAKEHOLDER_DECLINED' });
  t.same(when(respondToInvitation, [opened, cso, declined(CSO), reinstated(CSO)], accept), [event('InvitationAccepted', { stakeholderId: CSO })]);
});

t.test('given a removed stakeholder, when it accepts or declines, then STAKEHOLDER_REMOVED', async (t) => {
  t.throws(() => when(respondToInvitation, [opened, cso, removed(CSO)], accept), { code: 'STAKEHOLDER_REMOVED' });
  t.throws(() => when(respondToInvitation, [opened, cso, removed(CSO)], decline), { code: 'STAKEHOLDER_REMOVED' });
});

t.test('a stakeholder responds only for itself: ACTOR_NOT_STAKEHOLDER', async (t) => {
  t.throws(() => when(respondToInvitation, [opened, cso, mfa], accept, { actor: asStakeholder(MFA) }), { code: 'ACTOR_NOT_STAKEHOLDER' });
});

t.test('the schema refuses an unknown response', async (t) => {
  t.throws(() => when(respondToInvitation, [opened, cso], { stakeholderId: CSO, response: 'maybe' as 'accept' }), { name: 'ZodError' });
});
