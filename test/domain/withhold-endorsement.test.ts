import t from 'tap';
import { withholdEndorsement } from '../../src/commands/withhold-endorsement.ts';
import { event } from '../../src/domain/events.ts';
import {
  CSO, ENDORSEMENT_DEADLINE, MFA, MOD, asStakeholder, closedWithdrawn, cso, declined, draft, endorsed, endorsementRequested, extended,
  mfa, mod, opened, removed, withheld, when,
} from '../helpers/domain-spec.ts';

const given = [opened, draft(1), mfa, mod, cso, endorsementRequested(1)];
const input = { stakeholderId: MFA, draftVersion: 1, reason: 'budget not agreed' };
const withheldV1 = event('EndorsementWithheld', input);
const AFTER_DEADLINE = '2027-05-02T09:00:00Z';

t.test('given nothing, when WithholdEndorsement, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(withholdEndorsement, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when WithholdEndorsement, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(withholdEndorsement, [...given, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given an open request, when an endorser withholds, then EndorsementWithheld', async (t) => {
  t.same(when(withholdEndorsement, given, input, { actor: asStakeholder(MFA) }), [withheldV1]);
});

t.test('only stakeholders invited as endorsers: NOT_AN_ENDORSER', async (t) => {
  t.throws(() => when(withholdEndorsement, given, { ...input, stakeholderId: CSO }), { code: 'NOT_AN_ENDORSER' });
});

t.test('not a removed or declined endorser', async (t) => {
  t.throws(() => when(withholdEndorsement, [...given, removed(MFA)], input), { code: 'STAKEHOLDER_REMOVED' });
  t.throws(() => when(withholdEndorsement, [...given, declined(MFA)], input), { code: 'STAKEHOLDER_DECLINED' });
});

t.test('an endorser withholds only for itself: ACTOR_NOT_STAKEHOLDER', async (t) => {
  t.throws(() => when(withholdEndorsement, given, input, { actor: asStakeholder(MOD) }), { code: 'ACTOR_NOT_STAKEHOLDER' });
});

t.test('only on the version with the open request: NO_ENDORSEMENT_REQUEST', async (t) => {
  t.throws(() => when(withholdEndorsement, [opened, draft(1), mfa], input), { code: 'NO_ENDORSEMENT_REQUEST' });
  t.throws(() => when(withholdEndorsement, given, { ...input, draftVersion: 2 }), { code: 'NO_ENDORSEMENT_REQUEST' });
});

t.test('only before the deadline (its own extension counts): ENDORSEMENT_DEADLINE_PASSED', async (t) => {
  t.throws(() => when(withholdEndorsement, given, input, { now: AFTER_DEADLINE }), { code: 'ENDORSEMENT_DEADLINE_PASSED' });
  const history = [...given, extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-15T15:00:00Z', MFA)];
  t.same(when(withholdEndorsement, history, input, { now: AFTER_DEADLINE }), [withheldV1]);
});

t.test('given the version withheld, when withholding again with the same reason, then nothing', async (t) => {
  t.same(when(withholdEndorsement, [...given, withheldV1], input), []);
});

t.test('given the version withheld, when withholding with another reason, then a new EndorsementWithheld that replaces it', async (t) => {
  const other = { ...input, reason: 'Awaiting the legal service\'s opinion on section 2.' };
  t.same(when(withholdEndorsement, [...given, withheldV1], other), [event('EndorsementWithheld', other)]);
  t.same(when(withholdEndorsement, [...given, withheldV1, event('EndorsementWithheld', other)], other), []);
});

t.test('given the version endorsed, when withholding, then EndorsementWithheld (it replaces the endorsement)', async (t) => {
  t.same(when(withholdEndorsement, [...given, endorsed(MFA, 1)], input), [withheldV1]);
  t.same(when(withholdEndorsement, [...given, withheld(MFA, 1), endorsed(MFA, 1)], input), [withheldV1]);
});

t.test('the schema refuses an empty reason', async (t) => {
  t.throws(() => when(withholdEndorsement, given, { ...input, reason: '' }), { name: 'ZodError' });
});
