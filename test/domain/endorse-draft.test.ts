import t from 'tap';
import { endorseDraft } from '../../src/commands/endorse-draft.ts';
import { event } from '../../src/domain/events.ts';
import {
  CSO, ENDORSEMENT_DEADLINE, MFA, MOD, asStakeholder, closedWithdrawn, cso, declined, draft, endorsed, endorsementRequested, extended,
  mfa, mod, opened, reinstated, removed, signatory, withheld, when,
} from '../helpers/domain-spec.ts';

const given = [opened, draft(1), mfa, mod, cso, endorsementRequested(1)];
const input = { stakeholderId: MFA, draftVersion: 1, signatory };
const endorsedV1 = event('DraftEndorsed', input);
const AFTER_DEADLINE = '2027-05-02T09:00:00Z';
const EXTENDED = '2027-05-15T15:00:00Z';

t.test('given nothing, when EndorseDraft, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(endorseDraft, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when EndorseDraft, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(endorseDraft, [...given, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given an open request, when an endorser endorses, then DraftEndorsed (with statement and evidence)', async (t) => {
  t.same(when(endorseDraft, given, input, { actor: asStakeholder(MFA) }), [endorsedV1]);
  const full = { ...input, statement: 'The Ministry endorses the plan.', evidence: 'letter 123/2027' };
  t.same(when(endorseDraft, given, full), [event('DraftEndorsed', full)]);
});

t.test('only stakeholders invited as endorsers: NOT_AN_ENDORSER', async (t) => {
  t.throws(() => when(endorseDraft, given, { ...input, stakeholderId: CSO }), { code: 'NOT_AN_ENDORSER' });
  t.throws(() => when(endorseDraft, given, { ...input, stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002' }), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('not a removed or declined endorser: STAKEHOLDER_REMOVED, STAKEHOLDER_DECLINED; again after reinstatement', async (t) => {
  t.throws(() => when(endorseDraft, [...given, removed(MFA)], input), { code: 'STAKEHOLDER_REMOVED' });
  t.throws(() => when(endorseDraft, [...given, declined(MFA)], input), { code: 'STAKEHOLDER_DECLINED' });
  t.same(when(endorseDraft, [...given, declined(MFA), reinstated(MFA)], input), [endorsedV1]);
});

t.test('an endorser endorses only for itself: ACTOR_NOT_STAKEHOLDER', async (t) => {
  t.throws(() => when(endorseDraft, given, input, { actor: asStakeholder(MOD) }), { code: 'ACTOR_NOT_STAKEHOLDER' });
});

t.test('only on the version with the open request: NO_ENDORSEMENT_REQUEST', async (t) => {
  t.throws(() => when(endorseDraft, [opened, draft(1), mfa], input), { code: 'NO_ENDORSEMENT_REQUEST' });
  t.throws(() => when(endorseDraft, [opened, draft(1), mfa, draft(2), endorsementRequested(2)], input), { code: 'NO_ENDORSEMENT_REQUEST' });
});

t.test('only before the deadline: at the deadline accepted, after it ENDORSEMENT_DEADLINE_PASSED', async (t) => {
  t.same(when(endorseDraft, given, input, { now: '2027-05-01T18:00:00+03:00' }), [endorsedV1]);
  t.throws(() => when(endorseDraft, given, input, { now: AFTER_DEADLINE }), {
    code: 'ENDORSEMENT_DEADLINE_PASSED', details: { deadline: ENDORSEMENT_DEADLINE },
  });
});

t.test("an endorser's own extension lets it endorse later while the others are refused", async (t) => {
  const history = [...given, extended('endorsement', 1, ENDORSEMENT_DEADLINE, EXTENDED, MFA)];
  t.same(when(endorseDraft, history, input, { now: AFTER_DEADLINE }), [endorsedV1]);
  t.throws(() => when(endorseDraft, history, { ...input, stakeholderId: MOD }, { now: AFTER_DEADLINE }), { code: 'ENDORSEMENT_DEADLINE_PASSED' });
  t.throws(() => when(endorseDraft, history, input, { now: '2027-05-15T15:00:01Z' }), { code: 'ENDORSEMENT_DEADLINE_PASSED' });
});

t.test('a global extension lets every endorser endorse later', async (t) => {
  const history = [...given, extended('endorsement', 1, ENDORSEMENT_DEADLINE, EXTENDED)];
  t.same(when(endorseDraft, history, { ...input, stakeholderId: MOD }, { now: AFTER_DEADLINE }), [
    event('DraftEndorsed', { ...input, stakeholderId: MOD }),
  ]);
});

t.test('given the version endorsed, when the same endorsement again, then nothing', async (t) => {
  t.same(when(endorseDraft, [...given, endorsedV1], input), []);
  const full = { ...input, statement: 'The Ministry endorses the plan.', evidence: 'letter 123/2027' };
  t.same(when(endorseDraft, [...given, event('DraftEndorsed', full)], full), []);
  t.same(when(endorseDraft, [...given, event('DraftEndorsed', full)], { ...full, statement: '  The Ministry endorses the plan.\r\n' }), [],
    'the same once the text is normalised as the schema stores it');
});

t.test('given the version endorsed, when endorsing with another signatory, title, statement or evidence, then a new DraftEndorsed that replaces it', async (t) => {
  const history = [...given, endorsedV1];
  const others = [
    { ...input, signatory: { name: 'Ioana Marin', title: signatory.title } },
    { ...input, signatory: { name: signatory.name, title: 'Minister' } },
    { ...input, statement: 'Endorsed after the inter-ministerial meeting.' },
    { ...input, evidence: 'letter 124/2027' },
  ];
  for (const other of others) t.same(when(endorseDraft, history, other), [event('DraftEndorsed', other)], JSON.stringify(other));
  const full = { ...input, statement: 'Endorsed.', evidence: 'letter 123/2027' };
  t.same(when(endorseDraft, [...given, event('DraftEndorsed', full)], input), [endorsedV1], 'without the statement and evidence it had: a new decision');
  const replaced = [...history, event('DraftEndorsed', others[0]!)];
  t.same(when(endorseDraft, replaced, others[0]!), [], 'the new one is what counts now');
  t.same(when(endorseDraft, replaced, input), [endorsedV1], 'and the first signatory again is a new decision again');
});

t.test('given the version withheld, when endorsing, then DraftEndorsed (it replaces the earlier decision)', async (t) => {
  t.same(when(endorseDraft, [...given, withheld(MFA, 1)], input), [endorsedV1]);
  t.same(when(endorseDraft, [...given, endorsed(MFA, 1), withheld(MFA, 1)], input), [endorsedV1]);
});

t.test('an endorsement of an older version does not count for a newer one', async (t) => {
  const history = [
    ...given, endorsed(MFA, 1), draft(2), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' }), endorsementRequested(2),
  ];
  t.throws(() => when(endorseDraft, history, input), { code: 'NO_ENDORSEMENT_REQUEST' });
  t.same(when(endorseDraft, history, { ...input, draftVersion: 2 }), [event('DraftEndorsed', { ...input, draftVersion: 2 })]);
});

t.test('the schema refuses a signatory without a name or title', async (t) => {
  t.throws(() => when(endorseDraft, given, { ...input, signatory: { name: '', title: 'Minister' } }), { name: 'ZodError' });
  t.throws(() => when(endorseDraft, given, { ...input, signatory: { name: 'A', title: ' ' } }), { name: 'ZodError' });
});
