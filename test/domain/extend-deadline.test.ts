import t from 'tap';
import { extendDeadline } from '../../src/commands/extend-deadline.ts';
import { submitComment } from '../../src/commands/submit-comment.ts';
import { endorseDraft } from '../../src/commands/endorse-draft.ts';
import { event } from '../../src/domain/events.ts';
import {
  CSO, ENDORSEMENT_DEADLINE, MFA, MOD, closedWithdrawn, cso, draft, endorsementRequested, errorOf, extended, invited, mfa, mod, opened,
  signatory, when,
} from '../helpers/domain-spec.ts';

const OTHER = '5c0f3a2e-0005-4000-8000-000000000e01';
const other = invited(OTHER, 'Institute for Security Studies', 'desk@iss.example');
/** as draft(1) stores it */
const V1_DEADLINE = '2027-04-01T17:00:00+03:00';
const given = [opened, draft(1), cso, other, mfa, mod];
const reason = 'the regional meetings run late';
const comments = { phase: 'comments' as const, deadline: '2027-04-15T14:00:00Z', reason };
const endorsement = { phase: 'endorsement' as const, deadline: '2027-05-15T15:00:00Z', reason };

t.test('given nothing, when ExtendDeadline, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(extendDeadline, [], comments), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when ExtendDeadline, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(extendDeadline, [...given, closedWithdrawn], comments), { code: 'CONSULTATION_CLOSED' });
});

t.test('comments, for everyone: DeadlineExtended on the latest draft, with the previous deadline', async (t) => {
  t.same(when(extendDeadline, given, comments), [
    event('DeadlineExtended', { phase: 'comments', draftVersion: 1, deadline: comments.deadline, previousDeadline: V1_DEADLINE, reason }),
  ]);
  t.same(when(extendDeadline, [...given, draft(2, '2027-05-01T00:00:00Z')], { ...comments, deadline: '2027-05-10T00:00:00Z' }), [
    event('DeadlineExtended', {
      phase: 'comments', draftVersion: 2, deadline: '2027-05-10T00:00:00Z', previousDeadline: '2027-05-01T00:00:00Z', reason,
    }),
  ]);
});

t.test('comments: an extension must move the deadline later: DEADLINE_NOT_LATER', async (t) => {
  t.throws(() => when(extendDeadline, given, { ...comments, deadline: '2027-03-20T00:00:00Z' }), {
    code: 'DEADLINE_NOT_LATER', details: { currentDeadline: V1_DEADLINE },
  });
  // the same instant written with another offset is not later
  t.throws(() => when(extendDeadline, given, { ...comments, deadline: '2027-04-01T14:00:00Z' }), { code: 'DEADLINE_NOT_LATER' });
  // a second extension must pass the first
  const once = [...given, extended('comments', 1, V1_DEADLINE, comments.deadline)];
  t.throws(() => when(extendDeadline, once, { ...comments, deadline: '2027-04-10T00:00:00Z' }), { code: 'DEADLINE_NOT_LATER' });
  t.same(when(extendDeadline, once, { ...comments, deadline: '2027-04-20T00:00:00Z' }), [
    event('DeadlineExtended', { phase: 'comments', draftVersion: 1, deadline: '2027-04-20T00:00:00Z', previousDeadline: comments.deadline, reason }),
  ]);
});

t.test('comments: no draft yet: NO_DRAFT', async (t) => {
  t.throws(() => when(extendDeadline, [opened, cso], comments), { code: 'NO_DRAFT' });
});

t.test('comments, for one stakeholder: DeadlineExtended with its stakeholderId', async (t) => {
  t.same(when(extendDeadline, given, { ...comments, stakeholderId: CSO }), [
    event('DeadlineExtended', {
      phase: 'comments', draftVersion: 1, deadline: comments.deadline, previousDeadline: V1_DEADLINE, reason, stakeholderId: CSO,
    }),
  ]);
  t.throws(() => when(extendDeadline, given, { ...comments, stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002' }), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test("a stakeholder's extension is measured from its own deadline, and does not move the others'", async (t) => {
  const history = [...given, extended('comments', 1, V1_DEADLINE, comments.deadline, CSO)];
  // its own: must pass its extension
  t.throws(() => when(extendDeadline, history, { ...comments, deadline: '2027-04-10T00:00:00Z', stakeholderId: CSO }), {
    code: 'DEADLINE_NOT_LATER', details: { currentDeadline: comments.deadline },
  });
  // another stakeholder's and the global deadline are still the original one
  t.same(when(extendDeadline, history, { ...comments, deadline: '2027-04-10T00:00:00Z', stakeholderId: OTHER }), [
    event('DeadlineExtended', {
      phase: 'comments', draftVersion: 1, deadline: '2027-04-10T00:00:00Z', previousDeadline: V1_DEADLINE, reason, stakeholderId: OTHER,
    }),
  ]);
  t.equal(when(extendDeadline, history, { ...comments, deadline: '2027-04-10T00:00:00Z' })[0]?.type, 'DeadlineExtended');
  const comment = { stakeholderId: OTHER, draftVersion: 1, text: 'Late but relevant.' };
  t.throws(() => when(submitComment, history, comment, { now: '2027-04-05T00:00:00Z' }), { code: 'COMMENT_DEADLINE_PASSED' });
});

t.test("a global extension past a stakeholder's own one becomes that stakeholder's deadline too", async (t) => {
  const history = [
    ...given,
    extended('comments', 1, V1_DEADLINE, '2027-04-05T00:00:00Z', CSO),
    extended('comments', 1, V1_DEADLINE, '2027-04-20T00:00:00Z'),
  ];
  t.throws(() => when(extendDeadline, history, { ...comments, deadline: '2027-04-15T00:00:00Z', stakeholderId: CSO }), {
    code: 'DEADLINE_NOT_LATER', details: { currentDeadline: '2027-04-20T00:00:00Z' },
  });
});

t.test('endorsement, with no open request: NO_ENDORSEMENT_REQUEST (for everyone or for one)', async (t) => {
  t.throws(() => when(extendDeadline, given, endorsement), { code: 'NO_ENDORSEMENT_REQUEST' });
  t.throws(() => when(extendDeadline, given, { ...endorsement, stakeholderId: MFA }), { code: 'NO_ENDORSEMENT_REQUEST' });
  const cancelled = [...given, endorsementRequested(1), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'x' })];
  t.throws(() => when(extendDeadline, cancelled, endorsement), { code: 'NO_ENDORSEMENT_REQUEST' });
});

t.test('endorsement, for everyone: DeadlineExtended on the requested version', async (t) => {
  t.same(when(extendDeadline, [...given, endorsementRequested(1)], endorsement), [
    event('DeadlineExtended', { phase: 'endorsement', draftVersion: 1, deadline: endorsement.deadline, previousDeadline: ENDORSEMENT_DEADLINE, reason }),
  ]);
});

t.test('endorsement: an extension must move the deadline later: DEADLINE_NOT_LATER', async (t) => {
  t.throws(() => when(extendDeadline, [...given, endorsementRequested(1)], { ...endorsement, deadline: ENDORSEMENT_DEADLINE }), {
    code: 'DEADLINE_NOT_LATER',
  });
  const history = [...given, endorsementRequested(1), extended('endorsement', 1, ENDORSEMENT_DEADLINE, endorsement.deadline, MFA)];
  t.throws(() => when(extendDeadline, history, { ...endorsement, deadline: '2027-05-10T00:00:00Z', stakeholderId: MFA }), {
    code: 'DEADLINE_NOT_LATER',
  });
});

t.test("endorsement, for one endorser: its deadline moves, the others' do not", async (t) => {
  const history = [...given, endorsementRequested(1)];
  const events = when(extendDeadline, history, { ...endorsement, stakeholderId: MFA });
  t.same(events, [
    event('DeadlineExtended', {
      phase: 'endorsement', draftVersion: 1, deadline: endorsement.deadline, previousDeadline: ENDORSEMENT_DEADLINE, reason, stakeholderId: MFA,
    }),
  ]);
  const after = [...history, ...events];
  const now = '2027-05-10T00:00:00Z';
  t.equal(when(endorseDraft, after, { stakeholderId: MFA, draftVersion: 1, signatory }, { now })[0]?.type, 'DraftEndorsed');
  t.throws(() => when(endorseDraft, after, { stakeholderId: MOD, draftVersion: 1, signatory }, { now }), { code: 'ENDORSEMENT_DEADLINE_PASSED' });
});

t.test('endorsement, for a stakeholder that is not an endorser: NOT_AN_ENDORSER (it has no endorsement deadline); comments for it are fine', async (t) => {
  const history = [...given, endorsementRequested(1)];
  const e = errorOf(() => when(extendDeadline, history, { ...endorsement, stakeholderId: CSO }));
  t.equal(e.code, 'NOT_AN_ENDORSER');
  t.equal(e.status, 409);
  t.equal(e.message, "Women's Peace Network was not invited as an endorser: it has no endorsement deadline");
  t.throws(() => when(extendDeadline, [...given], { ...endorsement, stakeholderId: CSO }), { code: 'NOT_AN_ENDORSER' }, 'with no request open too');
  t.equal(when(extendDeadline, history, { ...comments, stakeholderId: CSO }).length, 1);
  t.throws(() => when(extendDeadline, history, { ...endorsement, stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002' }), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('the schema refuses a deadline without an offset, an unknown phase and an empty reason', async (t) => {
  t.throws(() => when(extendDeadline, given, { ...comments, deadline: '2027-04-15T14:00:00' }), { name: 'ZodError' });
  t.throws(() => when(extendDeadline, given, { ...comments, phase: 'review' as 'comments' }), { name: 'ZodError' });
  t.throws(() => when(extendDeadline, given, { ...comments, reason: '' }), { name: 'ZodError' });
});
