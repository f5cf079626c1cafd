// Where a stakeholder stands (standing.ts): given these facts about it, then this standing. decide,
// the views (and later the reply pages and mail workers) all ask these functions.
import t from 'tap';
import {
  adoptionBlockers, adoptionReasons, awaitingFrom, awaitsAnswer, countsAsEndorsed, decisionThatCounts, endorsementStatus, hasEngaged, invitationStatus, isReadyForAdoption,
  isRequiredEndorser, isResponding, messageOutcome, missingEndorsers, takesPart, type AdoptionFacts, type CurrentDraftFacts, type EndorserOnVersion, type InvitationFacts,
} from '../../src/domain/standing.ts';

const nothingDone = { accepted: false, commented: false, reviewed: false, decided: false };
const active = { removed: false, declined: false };

t.test('taking part: given removed or declined, then it does not take part', async (t) => {
  t.equal(takesPart(active), true);
  t.equal(takesPart({ removed: true, declined: false }), false);
  t.equal(takesPart({ removed: false, declined: true }), false);
});

t.test('engaged: given it accepted, or commented, or completed a review, or decided on an endorsement, then it engaged', async (t) => {
  t.equal(hasEngaged(nothingDone), false);
  for (const act of ['accepted', 'commented', 'reviewed', 'decided'] as const) {
    t.equal(hasEngaged({ ...nothingDone, [act]: true }), true, act);
  }
});

t.test('responding: given it engaged, then responding unless removed or declined', async (t) => {
  const commented = { ...nothingDone, commented: true };
  t.equal(isResponding({ ...active, ...commented }), true);
  t.equal(isResponding({ ...active, ...nothingDone }), false, 'it did nothing yet');
  t.equal(isResponding({ removed: false, declined: true, ...commented }), false, 'declined after commenting');
  t.equal(isResponding({ removed: true, declined: false, ...commented, accepted: true }), false, 'removed');
});

t.test('invitation status: removed > declined > accepted > delivery-failed > e-mailed > invited', async (t) => {
  const invited: InvitationFacts = { removed: false, response: 'pending', invitationSent: false, lastSentAt: null, lastFailedAt: null };
  const mailed: InvitationFacts = { ...invited, invitationSent: true, lastSentAt: '2027-03-01T10:00:00Z' };
  t.equal(invitationStatus(invited), 'invited');
  t.equal(invitationStatus(mailed), 'e-mailed');
  t.equal(invitationStatus({ ...invited, lastFailedAt: '2027-03-01T10:01:00Z' }), 'delivery-failed', 'the invitation itself bounced');
  t.equal(invitationStatus({ ...mailed, lastFailedAt: '2027-03-02T10:00:00Z' }), 'delivery-failed', 'the last message failed');
  t.equal(invitationStatus({ ...mailed, lastFailedAt: '2027-03-01T09:00:00Z' }), 'e-mailed', 'something was sent after the failure');
  t.equal(invitationStatus({ ...mailed, lastFailedAt: '2027-03-01T12:00:00+02:00' }), 'e-mailed', 'the same instant is not later');
  t.equal(invitationStatus({ ...mailed, lastFailedAt: '2027-03-02T10:00:00Z', response: 'accepted' }), 'accepted');
  t.equal(invitationStatus({ ...mailed, response: 'declined' }), 'declined');
  t.equal(invitationStatus({ ...mailed, response: 'declined', removed: true }), 'removed');
});

const onCurrent = (facts: Partial<CurrentDraftFacts> = {}): CurrentDraftFacts =>
  ({ commented: false, reviewed: false, decision: null, endorsementRequested: false, ...facts });

t.test('endorsement status on the current draft', async (t) => {
  t.equal(endorsementStatus({ endorser: false }, onCurrent({ endorsementRequested: true })), 'not-an-endorser');
  t.equal(endorsementStatus({ endorser: true }, null), 'not-requested', 'before any draft');
  t.equal(endorsementStatus({ endorser: true }, onCurrent()), 'not-requested');
  t.equal(endorsementStatus({ endorser: true }, onCurrent({ endorsementRequested: true })), 'pending');
  t.equal(endorsementStatus({ endorser: true }, onCurrent({ endorsementRequested: true, decision: 'withheld' })), 'withheld');
  t.equal(endorsementStatus({ endorser: true }, onCurrent({ decision: 'endorsed' })), 'endorsed', 'a decision stays after the request is cancelled');
});

t.test('awaiting: given an active stakeholder that did nothing, then its response and its comments are awaited', async (t) => {
  const stakeholder = { ...active, ...nothingDone, endorser: false };
  t.strictSame(awaitingFrom(true, stakeholder, onCurrent()), ['response', 'comments']);
  t.strictSame(awaitingFrom(true, stakeholder, null), ['response'], 'no draft yet: no comments awaited');
});

t.test('awaiting: given it commented, reviewed or decided on the current draft, then no comments are awaited', async (t) => {
  const stakeholder = { ...active, ...nothingDone, accepted: true, endorser: false };
  t.strictSame(awaitingFrom(true, stakeholder, onCurrent()), ['comments'], 'accepting answers the invitation only');
  t.strictSame(awaitingFrom(true, stakeholder, onCurrent({ commented: true })), []);
  t.strictSame(awaitingFrom(true, stakeholder, onCurrent({ reviewed: true })), []);
  t.strictSame(awaitingFrom(true, stakeholder, onCurrent({ decision: 'withheld' })), []);
});

t.test('awaiting: given a pending endorsement, then the endorsement is awaited', async (t) => {
  const endorser = { ...active, ...nothingDone, accepted: true, endorser: true };
  t.strictSame(awaitingFrom(true, endorser, onCurrent({ reviewed: true, endorsementRequested: true })), ['endorsement']);
  t.strictSame(awaitingFrom(true, endorser, onCurrent({ endorsementRequested: true, decision: 'endorsed' })), []);
});

t.test('awaiting: given a closed consultation, or a removed or declined stakeholder, then nothing is awaited', async (t) => {
  const endorser = { ...nothingDone, endorser: true };
  const current = onCurrent({ endorsementRequested: true });
  t.strictSame(awaitingFrom(false, { ...active, ...endorser }, current), []);
  t.strictSame(awaitingFrom(true, { removed: true, declined: false, ...endorser }, current), []);
  t.strictSame(awaitingFrom(true, { removed: false, declined: true, ...endorser }, current), []);
});

const endorser = (facts: Partial<EndorserOnVersion> = {}): EndorserOnVersion =>
  ({ endorser: true, removed: false, declined: false, decision: null, ...facts });

t.test('required endorsers: invited as an endorser and not removed; one that declined is still required', async (t) => {
  t.equal(isRequiredEndorser(endorser()), true);
  t.equal(isRequiredEndorser(endorser({ declined: true })), true);
  t.equal(isRequiredEndorser(endorser({ removed: true })), false);
  t.equal(isRequiredEndorser(endorser({ endorser: false })), false);
});

t.test('counts as endorsed: a required endorser whose latest decision is an endorsement, unless it declined', async (t) => {
  t.equal(countsAsEndorsed(endorser({ decision: 'endorsed' })), true);
  t.equal(countsAsEndorsed(endorser()), false);
  t.equal(countsAsEndorsed(endorser({ decision: 'withheld' })), false);
  t.equal(countsAsEndorsed(endorser({ decision: 'endorsed', declined: true })), false, 'a declined endorser counts as not endorsed');
  t.equal(countsAsEndorsed(endorser({ decision: 'endorsed', removed: true })), false, 'a removed one is not required');
  t.equal(decisionThatCounts({ declined: true }, { status: 'endorsed' }), null, 'whatever it decided before declining');
  t.strictSame(decisionThatCounts({ declined: false }, { status: 'endorsed' }), { status: 'endorsed' });
  t.equal(decisionThatCounts({ declined: false }, undefined), null);
});

t.test('missing endorsers', async (t) => {
  const mfa = { ...endorser({ decision: 'endorsed' }), id: 'mfa' };
  const mod = { ...endorser({ decision: 'withheld' }), id: 'mod' };
  const jus = { ...endorser({ decision: 'endorsed', declined: true }), id: 'jus' };
  const removed = { ...endorser({ removed: true }), id: 'removed' };
  const cso = { ...endorser({ endorser: false }), id: 'cso' };
  t.strictSame(missingEndorsers([mfa, mod, jus, removed, cso]).map((x) => x.id), ['mod', 'jus'], 'in the order given');
  t.strictSame(missingEndorsers([mfa, removed, cso]), []);
});

// ---- adoption ----

const NOW = '2027-06-01T12:00:00Z';
const PASSED = '2027-05-31T17:00:00Z';
const OPEN = '2027-06-02T17:00:00Z';
const own = (id: string, deadline: string | null, facts: Partial<typeof active> = {}) => ({ id, deadline, ...active, ...facts });
type Own = ReturnType<typeof own>;
type Endorser = EndorserOnVersion & { id: string };
const facts = (over: Partial<AdoptionFacts<Endorser, string, Own>> = {}): AdoptionFacts<Endorser, string, Own> => ({
  stakeholders: [{ ...endorser({ decision: 'endorsed' }), id: 'mfa' }],
  unansweredComments: { count: 0, listed: [] },
  pendingHeldReplies: [],
  commentDeadline: PASSED,
  ownCommentDeadlines: [],
  now: NOW,
  ...over,
});
const codes = (f: AdoptionFacts<Endorser, string, Own>) => adoptionBlockers(f).map((b) => b.code);

t.test('adoption: given every comment answered, every endorser endorsed and the comment period over, then nothing blocks it', async (t) => {
  t.strictSame(adoptionBlockers(facts()), []);
  t.equal(isReadyForAdoption(true, adoptionBlockers(facts())), true);
  t.equal(isReadyForAdoption(false, adoptionBlockers(facts())), false, 'only the latest version may be adopted');
});

t.test('adoption: given comments awaiting an answer, then COMMENTS_UNANSWERED with how many and those listed', async (t) => {
  t.strictSame(adoptionBlockers(facts({ unansweredComments: { count: 2, listed: ['C-1', 'C-3'] } })), [{ code: 'COMMENTS_UNANSWERED', count: 2, comments: ['C-1', 'C-3'] }]);
  t.strictSame(adoptionBlockers(facts({ unansweredComments: { count: 2, listed: [] } })), [{ code: 'COMMENTS_UNANSWERED', count: 2, comments: [] }], 'a caller may only count');
  t.equal(awaitsAnswer({ retracted: false, answered: false }), true);
  t.equal(awaitsAnswer({ retracted: false, answered: true }), false);
  t.equal(awaitsAnswer({ retracted: true, answered: false }), false, 'a retracted comment awaits nothing');
});

t.test('adoption: given replies by e-mail held and not yet accepted or discarded, then HELD_REPLIES_PENDING with their ids', async (t) => {
  t.strictSame(adoptionBlockers(facts({ pendingHeldReplies: ['h-1', 'h-2'] })), [{ code: 'HELD_REPLIES_PENDING', heldIds: ['h-1', 'h-2'] }]);
  t.equal(isReadyForAdoption(true, adoptionBlockers(facts({ pendingHeldReplies: ['h-1'] }))), false);
  t.strictSame(codes(facts({ unansweredComments: { count: 1, listed: ['C-1'] }, pendingHeldReplies: ['h-1'], commentDeadline: OPEN })),
    ['COMMENTS_UNANSWERED', 'HELD_REPLIES_PENDING', 'COMMENT_PERIOD_OPEN'], 'after the unanswered comments');
});

t.test('adoption: given endorsers missing, then ENDORSEMENTS_MISSING with pending and withheld apart (a declined one is pending)', async (t) => {
  const mfa = { ...endorser({ decision: 'endorsed' }), id: 'mfa' };
  const mod = { ...endorser({ decision: 'withheld' }), id: 'mod' };
  const jus = { ...endorser({ decision: 'withheld', declined: true }), id: 'jus' };
  const pol = { ...endorser(), id: 'pol' };
  const gone = { ...endorser({ decision: 'withheld', removed: true }), id: 'gone' };
  const [missing, ...rest] = adoptionBlockers(facts({ stakeholders: [mfa, mod, jus, pol, gone] }));
  t.strictSame(rest, []);
  t.equal(missing?.code, 'ENDORSEMENTS_MISSING');
  if (missing?.code !== 'ENDORSEMENTS_MISSING') return;
  t.strictSame(missing.pending.map((x) => x.id), ['jus', 'pol'], 'its withholding does not count while it has declined');
  t.strictSame(missing.withheld.map((x) => x.id), ['mod']);
});

t.test('adoption: given a comment period not over (everyone\'s, or an own one of a stakeholder taking part), then COMMENT_PERIOD_OPEN', async (t) => {
  t.strictSame(adoptionBlockers(facts({ commentDeadline: OPEN })), [{ code: 'COMMENT_PERIOD_OPEN', commentDeadline: OPEN, openFor: [], closesAt: OPEN }]);
  t.strictSame(codes(facts({ commentDeadline: NOW })), ['COMMENT_PERIOD_OPEN'], 'at its deadline a comment is still accepted');
  const later = '2027-06-09T17:00:00Z';
  t.strictSame(adoptionBlockers(facts({ ownCommentDeadlines: [own('cso', OPEN), own('aca', null), own('pri', PASSED)] })), [
    { code: 'COMMENT_PERIOD_OPEN', commentDeadline: PASSED, openFor: [own('cso', OPEN)], closesAt: OPEN },
  ], 'stakeholders keep the time they were given');
  t.strictSame(adoptionBlockers(facts({ commentDeadline: OPEN, ownCommentDeadlines: [own('cso', later)] })), [
    { code: 'COMMENT_PERIOD_OPEN', commentDeadline: OPEN, openFor: [own('cso', later)], closesAt: later },
  ], 'closesAt: when the last deadline passes');
  t.strictSame(codes(facts({ ownCommentDeadlines: [own('cso', OPEN, { removed: true }), own('aca', OPEN, { declined: true })] })), [],
    'one that was removed or declined cannot comment: its time does not hold adoption up');
});

t.test('adoption: given no required endorser at all, then NO_ENDORSERS', async (t) => {
  t.strictSame(codes(facts({ stakeholders: [] })), ['NO_ENDORSERS']);
  t.strictSame(codes(facts({ stakeholders: [{ ...endorser({ endorser: false }), id: 'cso' }, { ...endorser({ decision: 'endorsed', removed: true }), id: 'gone' }] })), ['NO_ENDORSERS']);
  t.strictSame(codes(facts({ stakeholders: [{ ...endorser({ declined: true }), id: 'jus' }] })), ['ENDORSEMENTS_MISSING'], 'one that declined is still required');
});

t.test('adoption: every reason at once, in a fixed order', async (t) => {
  t.strictSame(codes(facts({
    stakeholders: [{ ...endorser(), id: 'mfa' }], unansweredComments: { count: 1, listed: ['C-1'] }, commentDeadline: OPEN,
  })), ['COMMENTS_UNANSWERED', 'ENDORSEMENTS_MISSING', 'COMMENT_PERIOD_OPEN']);
  t.strictSame(codes(facts({ stakeholders: [], unansweredComments: { count: 1, listed: ['C-1'] }, commentDeadline: OPEN })),
    ['COMMENTS_UNANSWERED', 'COMMENT_PERIOD_OPEN', 'NO_ENDORSERS']);
});

t.test('adoption reasons name what they concern: comments by id and reference, endorsers by id and organisation, with the withholding reason', async (t) => {
  const named = (stakeholderId: string, organisation: string, f: Partial<EndorserOnVersion> = {}, withheldReason: string | null = null) =>
    ({ ...endorser(f), stakeholderId, organisation, withheldReason });
  t.strictSame(adoptionReasons({
    stakeholders: [
      named('mfa', 'Ministry of Foreign Affairs', { decision: 'endorsed' }),
      named('mod', 'Ministry of Defence', { decision: 'withheld' }, 'budget not agreed'),
      named('jus', 'Ministry of Justice', { declined: true }),
    ],
    unansweredComments: { count: 1, listed: [{ commentId: 'k-1', ref: 'C-1' }] },
    pendingHeldReplies: ['h-1', 'h-2'],
    commentDeadline: PASSED,
    ownCommentDeadlines: [{ stakeholderId: 'cso', organisation: 'Women Mediators', ...active, deadline: OPEN }],
    now: NOW,
  }), [
    { code: 'COMMENTS_UNANSWERED', count: 1, comments: [{ commentId: 'k-1', ref: 'C-1' }] },
    { code: 'HELD_REPLIES_PENDING', heldIds: ['h-1', 'h-2'] },
    {
      code: 'ENDORSEMENTS_MISSING',
      pending: [{ stakeholderId: 'jus', organisation: 'Ministry of Justice', invitationDeclined: true }],
      withheld: [{ stakeholderId: 'mod', organisation: 'Ministry of Defence', reason: 'budget not agreed' }],
    },
    { code: 'COMMENT_PERIOD_OPEN', commentDeadline: PASSED, openFor: [{ stakeholderId: 'cso', organisation: 'Women Mediators', deadline: OPEN }], closesAt: OPEN },
  ]);
});

t.test('a message\'s outcome: given a failure and no sending after it, then failed; else sent', async (t) => {
  t.equal(messageOutcome({ sentAt: '2027-03-01T10:00:00Z', failedAt: null }), 'sent');
  t.equal(messageOutcome({ sentAt: null, failedAt: '2027-03-01T10:00:00Z' }), 'failed', 'only a failure recorded');
  t.equal(messageOutcome({ sentAt: '2027-03-01T10:05:00Z', failedAt: '2027-03-01T10:00:00Z' }), 'sent', 'the retry went out after the failure');
  t.equal(messageOutcome({ sentAt: '2027-03-01T10:00:00Z', failedAt: '2027-03-01T11:00:00+01:00' }), 'sent', 'the same instant in another offset: not after it');
  t.equal(messageOutcome({ sentAt: '2027-03-01T10:00:00Z', failedAt: '2027-03-01T11:00:00Z' }), 'failed', 'a bounce after the sending');
});
