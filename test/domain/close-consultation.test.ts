import t, { type Test } from 'tap';
import { closeConsultation } from '../../src/commands/close-consultation.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import {
  COMMENT_DEADLINE, CSO, JUS, MFA, MOD, closedWithdrawn, commented, cso, declined, draft, endorsed, endorsementRequested, errorOf, extended, jus,
  heldReply, mfa, mod, opened, reinstated, removed, withheld, when,
} from '../helpers/domain-spec.ts';

const given = [opened, draft(1), mfa, mod, jus, cso, endorsementRequested(1)];
const allEndorsedV1 = [...given, endorsed(MFA, 1), endorsed(MOD, 1), endorsed(JUS, 1)];
const adopt = (finalDraftVersion: number) => ({ outcome: 'adopted' as const, finalDraftVersion });
/** after draft(1)'s comment deadline: its comment period is over */
const AFTER_COMMENTS = { now: '2027-04-02T09:00:00Z' };
const adopted = (finalDraftVersion: number) => [event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion })];
const answered = (commentId: string) => event('CommentAnswered', { commentId, disposition: 'accepted', response: 'Added to section 1.' });
const retracted = (commentId: string) => event('CommentRetracted', { commentId, reason: 'entered on the wrong stakeholder' });

/** The reasons a refused adoption gives (fails unless it is ADOPTION_BLOCKED). */
function reasonsOf(t: Test, history: DomainEvent[], version = 1, now = AFTER_COMMENTS.now): unknown[] {
  const e = errorOf(() => when(closeConsultation, history, adopt(version), { now }));
  t.equal(e.code, 'ADOPTION_BLOCKED');
  t.equal(e.status, 409);
  t.equal(e.details?.['draftVersion'], version);
  return e.details?.['reasons'] as unknown[];
}
const codesOf = (t: Test, history: DomainEvent[], now?: string) => (reasonsOf(t, history, 1, now) as { code: string }[]).map((r) => r.code);

const MFA_ORG = 'Ministry of Foreign Affairs';
const MOD_ORG = 'Ministry of Defence';
const JUS_ORG = 'Ministry of Justice and Security';
const pending = (stakeholderId: string, organisation: string, invitationDeclined = false) => ({ stakeholderId, organisation, invitationDeclined });

t.test('given nothing, when CloseConsultation, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(closeConsultation, [], { outcome: 'withdrawn' }), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when CloseConsultation, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(closeConsultation, [...given, closedWithdrawn], { outcome: 'withdrawn' }), { code: 'CONSULTATION_CLOSED' });
  t.throws(() => when(closeConsultation, [...allEndorsedV1, closedWithdrawn], adopt(1), AFTER_COMMENTS), { code: 'CONSULTATION_CLOSED' });
});

t.test('given every endorser endorsed the latest version, no comment awaiting an answer and its comment period over, when closing as adopted on it, then ConsultationClosed', async (t) => {
  t.same(when(closeConsultation, allEndorsedV1, { ...adopt(1), note: 'Adopted by government decision 12/2027' }, AFTER_COMMENTS), [
    event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1, note: 'Adopted by government decision 12/2027' }),
  ]);
});

t.test('adopted needs a final version: the schema refuses none, DRAFT_NOT_FOUND for an unknown one; NO_DRAFT before any', async (t) => {
  t.throws(() => when(closeConsultation, allEndorsedV1, { outcome: 'adopted' }), { name: 'ZodError' });
  t.throws(() => when(closeConsultation, allEndorsedV1, { outcome: 'adopted', finalDraftVersion: null }), { name: 'ZodError' });
  t.throws(() => when(closeConsultation, allEndorsedV1, adopt(5), AFTER_COMMENTS), { code: 'DRAFT_NOT_FOUND' });
  t.throws(() => when(closeConsultation, [opened], adopt(1)), { code: 'NO_DRAFT' });
});

t.test('adopted only on the latest version: DRAFT_NOT_LATEST, even when that older version was fully endorsed', async (t) => {
  t.throws(() => when(closeConsultation, [...allEndorsedV1, draft(2)], adopt(1), AFTER_COMMENTS), { code: 'DRAFT_NOT_LATEST' });
});

t.test('given comments awaiting an answer, on any version, then ADOPTION_BLOCKED with COMMENTS_UNANSWERED naming each by id and reference', async (t) => {
  const history = [
    opened, draft(1), mfa, cso, commented('k-1', CSO, 1), commented('k-2', CSO, 1), commented('k-3', MFA, 1), answered('k-2'),
    draft(2, '2027-03-20T17:00:00Z'), commented('k-4', CSO, 2), retracted('k-3'), endorsementRequested(2), endorsed(MFA, 2),
  ];
  t.strictSame(reasonsOf(t, history, 2), [
    { code: 'COMMENTS_UNANSWERED', count: 2, comments: [{ commentId: 'k-1', ref: 'C-1' }, { commentId: 'k-4', ref: 'C-4' }] },
  ], 'one on the older version too; not the answered one, not the retracted one');
  const e = errorOf(() => when(closeConsultation, history, adopt(2), AFTER_COMMENTS));
  t.equal(e.message, 'draft version 2 cannot be adopted yet: 2 comments without an answer (C-1, C-4)');
  t.same(when(closeConsultation, [...history, answered('k-1'), answered('k-4')], adopt(2), AFTER_COMMENTS), adopted(2), 'answered, it may be adopted');
});

t.test('endorsements of an older version do not count for the newer one', async (t) => {
  const history = [...allEndorsedV1, draft(2, '2027-03-20T17:00:00Z'), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' })];
  t.strictSame(reasonsOf(t, history, 2), [
    { code: 'ENDORSEMENTS_MISSING', pending: [pending(MFA, MFA_ORG), pending(MOD, MOD_ORG), pending(JUS, JUS_ORG)], withheld: [] },
  ]);
});

t.test('ENDORSEMENTS_MISSING keeps pending and withheld apart, each withholding with its reason; declined is pending; not the removed, not non-endorsers', async (t) => {
  t.strictSame(reasonsOf(t, [...given, endorsed(MFA, 1), withheld(MOD, 1)]), [
    { code: 'ENDORSEMENTS_MISSING', pending: [pending(JUS, JUS_ORG)], withheld: [{ stakeholderId: MOD, organisation: MOD_ORG, reason: 'budget not agreed' }] },
  ]);
  const e = errorOf(() => when(closeConsultation, [...given, endorsed(MFA, 1), withheld(MOD, 1)], adopt(1), AFTER_COMMENTS));
  t.equal(e.message, 'draft version 1 cannot be adopted yet: not yet endorsed by Ministry of Justice and Security; endorsement withheld by Ministry of Defence');

  t.strictSame(reasonsOf(t, [...given, endorsed(MFA, 1), withheld(MOD, 1), declined(MOD), endorsed(JUS, 1)]), [
    { code: 'ENDORSEMENTS_MISSING', pending: [pending(MOD, MOD_ORG, true)], withheld: [] },
  ], 'its withholding does not count while it has declined');
});

t.test('a removed endorser is not awaited; a reinstated one is', async (t) => {
  const history = [...given, endorsed(MFA, 1), endorsed(MOD, 1), removed(JUS)];
  t.same(when(closeConsultation, history, adopt(1), AFTER_COMMENTS), adopted(1));
  t.strictSame(reasonsOf(t, [...history, reinstated(JUS)]), [{ code: 'ENDORSEMENTS_MISSING', pending: [pending(JUS, JUS_ORG)], withheld: [] }]);
});

t.test('an endorsement later withheld does not count; a withholding later endorsed does', async (t) => {
  t.strictSame(codesOf(t, [...allEndorsedV1, withheld(MOD, 1)]), ['ENDORSEMENTS_MISSING']);
  t.equal(when(closeConsultation, [...allEndorsedV1, withheld(MOD, 1), endorsed(MOD, 1)], adopt(1), AFTER_COMMENTS).length, 1);
});

t.test('an endorser that endorsed and then declined the invitation counts as not endorsed', async (t) => {
  t.strictSame(reasonsOf(t, [...allEndorsedV1, declined(JUS)]), [{ code: 'ENDORSEMENTS_MISSING', pending: [pending(JUS, JUS_ORG, true)], withheld: [] }]);
});

t.test('given the final version\'s comment period is not over, then COMMENT_PERIOD_OPEN: everyone\'s deadline, or a stakeholder\'s own', async (t) => {
  t.strictSame(reasonsOf(t, allEndorsedV1, 1, '2027-03-01T09:00:00Z'), [
    { code: 'COMMENT_PERIOD_OPEN', commentDeadline: '2027-04-01T17:00:00+03:00', openFor: [], closesAt: '2027-04-01T17:00:00+03:00' },
  ]);
  t.strictSame(codesOf(t, allEndorsedV1, COMMENT_DEADLINE), ['COMMENT_PERIOD_OPEN'], 'at the deadline itself a comment is still accepted');
  t.same(when(closeConsultation, allEndorsedV1, adopt(1), { now: '2027-04-01T14:00:01Z' }), adopted(1), 'a second later it is over');

  const ownTime = [...allEndorsedV1, extended('comments', 1, COMMENT_DEADLINE, '2027-04-15T14:00:00Z', CSO)];
  t.strictSame(reasonsOf(t, ownTime), [{
    code: 'COMMENT_PERIOD_OPEN', commentDeadline: '2027-04-01T17:00:00+03:00',
    openFor: [{ stakeholderId: CSO, organisation: "Women's Peace Network", deadline: '2027-04-15T14:00:00Z' }], closesAt: '2027-04-15T14:00:00Z',
  }], 'a stakeholder keeps the time it was given');
  t.same(when(closeConsultation, ownTime, adopt(1), { now: '2027-04-16T09:00:00Z' }), adopted(1));
  t.same(when(closeConsultation, [...ownTime, removed(CSO)], adopt(1), AFTER_COMMENTS), adopted(1), 'one removed can no longer comment: its time holds nothing up');

  const everyone = [...allEndorsedV1, extended('comments', 1, COMMENT_DEADLINE, '2027-04-20T14:00:00Z')];
  t.strictSame(codesOf(t, everyone, '2027-04-16T09:00:00Z'), ['COMMENT_PERIOD_OPEN'], 'an extension for everyone');

  const older = [
    ...given, extended('comments', 1, COMMENT_DEADLINE, '2027-05-15T14:00:00Z', CSO), draft(2, '2027-03-20T17:00:00Z'),
    endorsementRequested(2), endorsed(MFA, 2), endorsed(MOD, 2), endorsed(JUS, 2),
  ];
  t.same(when(closeConsultation, older, adopt(2), AFTER_COMMENTS), adopted(2), 'an own extension on an older version does not hold the final one up');
});

t.test('given no endorser at all, then NO_ENDORSERS: a plan is adopted on someone\'s authority', async (t) => {
  t.strictSame(reasonsOf(t, [opened, draft(1), cso]), [{ code: 'NO_ENDORSERS' }]);
  t.strictSame(reasonsOf(t, [opened, draft(1), cso, mfa, endorsementRequested(1), endorsed(MFA, 1), removed(MFA)]), [{ code: 'NO_ENDORSERS' }], 'the only one was removed');
  t.equal(errorOf(() => when(closeConsultation, [opened, draft(1), cso], adopt(1), AFTER_COMMENTS)).message,
    'draft version 1 cannot be adopted yet: no endorser is invited');
});

t.test('every reason at once, in one ADOPTION_BLOCKED', async (t) => {
  const history = [opened, draft(1), mfa, mod, cso, commented('k-1', CSO, 1), endorsementRequested(1), withheld(MOD, 1)];
  t.strictSame(reasonsOf(t, history, 1, '2027-03-01T09:00:00Z'), [
    { code: 'COMMENTS_UNANSWERED', count: 1, comments: [{ commentId: 'k-1', ref: 'C-1' }] },
    { code: 'ENDORSEMENTS_MISSING', pending: [pending(MFA, MFA_ORG)], withheld: [{ stakeholderId: MOD, organisation: MOD_ORG, reason: 'budget not agreed' }] },
    { code: 'COMMENT_PERIOD_OPEN', commentDeadline: '2027-04-01T17:00:00+03:00', openFor: [], closesAt: '2027-04-01T17:00:00+03:00' },
  ]);
  t.strictSame(codesOf(t, [opened, draft(1), cso, commented('k-1', CSO, 1)], '2027-03-01T09:00:00Z'), ['COMMENTS_UNANSWERED', 'COMMENT_PERIOD_OPEN', 'NO_ENDORSERS']);
});

t.test('withdrawn closes regardless of endorsements, comments, deadlines and versions', async (t) => {
  t.same(when(closeConsultation, [...given, commented('k-1', CSO, 1)], { outcome: 'withdrawn' }), [event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null })]);
  t.same(when(closeConsultation, [opened], { outcome: 'withdrawn', note: 'superseded by the government programme' }), [
    event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null, note: 'superseded by the government programme' }),
  ]);
  t.same(when(closeConsultation, [...given, draft(2)], { outcome: 'withdrawn', finalDraftVersion: 1 }), [
    event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: 1 }),
  ]);
  t.throws(() => when(closeConsultation, given, { outcome: 'withdrawn', finalDraftVersion: 9 }), { code: 'DRAFT_NOT_FOUND' });
});

t.test('the schema refuses an unknown outcome', async (t) => {
  t.throws(() => when(closeConsultation, given, { outcome: 'postponed' as 'withdrawn' }), { name: 'ZodError' });
});

t.test('given a reply by e-mail held and not yet decided, then ADOPTION_BLOCKED with HELD_REPLIES_PENDING naming it; decided, nothing blocks', async (t) => {
  const H1 = 'ae1d0000-0001-4000-8000-000000000001';
  const H2 = 'ae1d0000-0002-4000-8000-000000000002';
  const held = [...allEndorsedV1, heldReply(H1), heldReply(H2)];
  t.strictSame(reasonsOf(t, held), [{ code: 'HELD_REPLIES_PENDING', heldIds: [H1, H2] }]);
  const decided = [...held, event('InboundReplyDiscarded', { heldId: H1, reason: 'spam' }), event('InboundReplyAccepted', { heldId: H2, commentIds: [] })];
  t.same(when(closeConsultation, decided, adopt(1), AFTER_COMMENTS), adopted(1));
  t.match(errorOf(() => when(closeConsultation, held, adopt(1), AFTER_COMMENTS)).message, /2 held replies by e-mail to accept or discard/);
});
