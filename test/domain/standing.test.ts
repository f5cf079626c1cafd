// Where a stakeholder stands (standing.ts): given these facts about it, then this standing. decide,
// the views (and later the reply pages and mail workers) all ask these functions.
import t from 'tap';
import {
  awaitingFrom, countsAsEndorsed, decisionThatCounts, endorsementStatus, hasEngaged, invitationStatus, isReadyForAdoption,
  isRequiredEndorser, isResponding, missingEndorsers, takesPart, type CurrentDraftFacts, type EndorserOnVersion, type InvitationFacts,
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

t.test('missing endorsers and readiness for adoption', async (t) => {
  const mfa = { ...endorser({ decision: 'endorsed' }), id: 'mfa' };
  const mod = { ...endorser({ decision: 'withheld' }), id: 'mod' };
  const jus = { ...endorser({ decision: 'endorsed', declined: true }), id: 'jus' };
  const removed = { ...endorser({ removed: true }), id: 'removed' };
  const cso = { ...endorser({ endorser: false }), id: 'cso' };
  t.strictSame(missingEndorsers([mfa, mod, jus, removed, cso]).map((x) => x.id), ['mod', 'jus'], 'in the order given');
  t.equal(isReadyForAdoption(true, [mfa, mod, jus, removed, cso]), false);
  t.equal(isReadyForAdoption(true, [mfa, removed, cso]), true, 'every required endorser endorsed');
  t.equal(isReadyForAdoption(false, [mfa, removed, cso]), false, 'only the latest version may be adopted');
  t.equal(isReadyForAdoption(true, [cso]), true, 'no endorser is required');
});
