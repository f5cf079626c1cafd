import t from 'tap';
import { completeReview } from '../../src/commands/complete-review.ts';
import { event } from '../../src/domain/events.ts';
import { CSO, MFA, asStakeholder, closedWithdrawn, cso, declined, draft, mfa, opened, removed, when } from '../helpers/domain-spec.ts';

const given = [opened, draft(1), cso];
const input = { stakeholderId: CSO, draftVersion: 1 };
const reviewed = event('ReviewCompleted', input);

t.test('given nothing, when CompleteReview, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(completeReview, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when CompleteReview, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(completeReview, [...given, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given a stakeholder and draft 1, when CompleteReview, then ReviewCompleted', async (t) => {
  t.same(when(completeReview, given, input, { actor: asStakeholder(CSO) }), [reviewed]);
});

t.test('given the review completed, when CompleteReview again, then nothing', async (t) => {
  t.same(when(completeReview, [...given, reviewed], input), []);
});

t.test('a review of version 1 does not complete version 2', async (t) => {
  t.same(when(completeReview, [...given, reviewed, draft(2, '2027-05-01T00:00:00Z')], { ...input, draftVersion: 2 }), [
    event('ReviewCompleted', { stakeholderId: CSO, draftVersion: 2 }),
  ]);
});

t.test('only on the latest draft: NO_DRAFT, DRAFT_NOT_FOUND, DRAFT_NOT_LATEST', async (t) => {
  t.throws(() => when(completeReview, [opened, cso], input), { code: 'NO_DRAFT' });
  t.throws(() => when(completeReview, given, { ...input, draftVersion: 2 }), { code: 'DRAFT_NOT_FOUND' });
  t.throws(() => when(completeReview, [...given, draft(2, '2027-05-01T00:00:00Z')], input), { code: 'DRAFT_NOT_LATEST' });
});

t.test('only an invited, active stakeholder: STAKEHOLDER_NOT_FOUND, STAKEHOLDER_REMOVED, STAKEHOLDER_DECLINED', async (t) => {
  t.throws(() => when(completeReview, given, { ...input, stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002' }), { code: 'STAKEHOLDER_NOT_FOUND' });
  t.throws(() => when(completeReview, [...given, removed(CSO)], input), { code: 'STAKEHOLDER_REMOVED' });
  t.throws(() => when(completeReview, [...given, declined(CSO)], input), { code: 'STAKEHOLDER_DECLINED' });
});

t.test('a stakeholder completes only its own review: ACTOR_NOT_STAKEHOLDER', async (t) => {
  t.throws(() => when(completeReview, [...given, mfa], input, { actor: asStakeholder(MFA) }), { code: 'ACTOR_NOT_STAKEHOLDER' });
});
