import t from 'tap';
import { reinstateStakeholder } from '../../src/commands/reinstate-stakeholder.ts';
import { respondToInvitation } from '../../src/commands/respond-to-invitation.ts';
import { submitComment } from '../../src/commands/submit-comment.ts';
import { endorseDraft } from '../../src/commands/endorse-draft.ts';
import { event } from '../../src/domain/events.ts';
import {
  CSO, MFA, accepted, closedWithdrawn, cso, declined, draft, endorsementRequested, mfa, opened, reinstated, removed, signatory, when,
} from '../helpers/domain-spec.ts';

const input = { stakeholderId: CSO };
const comment = { stakeholderId: CSO, draftVersion: 1, sectionKey: 's1', text: 'Add indicators for pillar 2.' };

t.test('given nothing, when ReinstateStakeholder, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(reinstateStakeholder, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when ReinstateStakeholder, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(reinstateStakeholder, [opened, cso, removed(CSO), closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given no such stakeholder, when ReinstateStakeholder, then STAKEHOLDER_NOT_FOUND', async (t) => {
  t.throws(() => when(reinstateStakeholder, [opened], input), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('given a removed stakeholder, when ReinstateStakeholder, then StakeholderReinstated', async (t) => {
  t.same(when(reinstateStakeholder, [opened, cso, removed(CSO)], { ...input, reason: 'removed by mistake' }), [
    event('StakeholderReinstated', { stakeholderId: CSO, reason: 'removed by mistake' }),
  ]);
});

t.test('given a stakeholder that declined, when ReinstateStakeholder, then StakeholderReinstated', async (t) => {
  t.same(when(reinstateStakeholder, [opened, cso, declined(CSO)], input), [event('StakeholderReinstated', { stakeholderId: CSO })]);
});

t.test('given an active stakeholder, when ReinstateStakeholder, then nothing', async (t) => {
  t.same(when(reinstateStakeholder, [opened, cso], input), []);
  t.same(when(reinstateStakeholder, [opened, cso, accepted(CSO)], input), []);
  t.same(when(reinstateStakeholder, [opened, cso, removed(CSO), reinstated(CSO)], input), []);
});

t.test('after reinstatement from removal or from declining, the stakeholder may comment again', async (t) => {
  for (const gone of [removed(CSO), declined(CSO)]) {
    t.throws(() => when(submitComment, [opened, draft(1), cso, gone], comment), { code: gone.type === 'StakeholderRemoved' ? 'STAKEHOLDER_REMOVED' : 'STAKEHOLDER_DECLINED' });
    t.equal(when(submitComment, [opened, draft(1), cso, gone, reinstated(CSO)], comment)[0]?.type, 'CommentSubmitted');
  }
});

t.test('after reinstatement from declining, the invitation is pending: it may be accepted', async (t) => {
  t.same(when(respondToInvitation, [opened, cso, declined(CSO), reinstated(CSO)], { stakeholderId: CSO, response: 'accept' }), [
    event('InvitationAccepted', { stakeholderId: CSO }),
  ]);
});

t.test('after reinstatement, an endorser may endorse again', async (t) => {
  const history = [opened, draft(1), mfa, endorsementRequested(1), removed(MFA)];
  t.throws(() => when(endorseDraft, history, { stakeholderId: MFA, draftVersion: 1, signatory }), { code: 'STAKEHOLDER_REMOVED' });
  t.same(when(endorseDraft, [...history, reinstated(MFA)], { stakeholderId: MFA, draftVersion: 1, signatory }), [
    event('DraftEndorsed', { stakeholderId: MFA, draftVersion: 1, signatory }),
  ]);
});
