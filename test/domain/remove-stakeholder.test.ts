import t from 'tap';
import { removeStakeholder } from '../../src/commands/remove-stakeholder.ts';
import { event } from '../../src/domain/events.ts';
import { CSO, closedWithdrawn, cso, declined, opened, removed, when } from '../helpers/domain-spec.ts';

const input = { stakeholderId: CSO, reason: 'merged into another network' };

t.test('given nothing, when RemoveStakeholder, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(removeStakeholder, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when RemoveStakeholder, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(removeStakeholder, [opened, cso, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given no such stakeholder, when RemoveStakeholder, then STAKEHOLDER_NOT_FOUND', async (t) => {
  t.throws(() => when(removeStakeholder, [opened, cso], { ...input, stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002' }), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('given a stakeholder, when RemoveStakeholder, then StakeholderRemoved', async (t) => {
  t.same(when(removeStakeholder, [opened, cso], input), [event('StakeholderRemoved', input)]);
  // a stakeholder that declined can be removed too
  t.same(when(removeStakeholder, [opened, cso, declined(CSO)], input), [event('StakeholderRemoved', input)]);
});

t.test('given a removed stakeholder, when RemoveStakeholder again, then nothing', async (t) => {
  t.same(when(removeStakeholder, [opened, cso, removed(CSO)], input), []);
});

t.test('the schema refuses an empty reason', async (t) => {
  t.throws(() => when(removeStakeholder, [opened, cso], { ...input, reason: '   ' }), { name: 'ZodError' });
});
