// The fold: what the consultation's state holds after a history. decide relies on exactly this.
import t from 'tap';
import { fixtureContactId, fixtureContacts } from '../helpers/contact-ids.ts';
import { AppliedCommands, evolve, initialState, ZERO_HASH, type ConsultationState, type DecisionRecord, type FoldableEvent } from '../../src/domain/consultation.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import {
  CONSULTATION_ID, CSO, ENDORSEMENT_DEADLINE, JUS, MFA, MOD, NOW, accepted, commented, cso, declined, draft, endorsed,
  endorsementRequested, extended, jus, mfa, mod, opened, reinstated, removed, signatory, stateFrom, withheld,
} from '../helpers/domain-spec.ts';

/** When the event at a revision was recorded: one minute per revision from 1 February 2027. */
const recordedAt = (revision: number) => new Date(Date.parse('2027-02-01T09:00:00Z') + revision * 60_000).toISOString();
/** An endorsement as the state keeps it: what it said, to tell the same decision from a new one. */
const endorsedWith = (): DecisionRecord => ({ decision: 'endorsed', signatory, statement: null, evidence: null });

/** Folds commands' events as the store would hand them over: revisions from 0, metadata per command. */
function fold(commands: Array<[commandId: string, events: DomainEvent[]]>, state = initialState()): ConsultationState {
  let revision = state.revision + 1;
  for (const [commandId, events] of commands) {
    for (const e of events) {
      evolve(state, { event: e, revision, metadata: { commandId, commandHash: `input-hash-${commandId}`, hash: `hash-${revision}`, recordedAt: recordedAt(revision) } });
      revision += 1;
    }
  }
  return state;
}

const V1_DEADLINE = '2027-04-01T17:00:00+03:00';
const MOD_CONTACTS = fixtureContacts(MOD, [{ name: 'New gender adviser', email: 'adviser@mod.example' }, { name: 'Deputy', email: 'deputy@mod.example' }]);

const history: Array<[string, DomainEvent[]]> = [
  ['c-open', [opened]],
  ['c-draft-1', [draft(1)]],
  ['c-invite-cso', [cso]],
  ['c-invite-mfa', [mfa]],
  ['c-invite-mod', [mod]],
  ['c-invite-jus', [jus]],
  ['c-accept-mfa', [accepted(MFA)]],
  ['c-decline-cso', [declined(CSO)]],
  ['c-reinstate-cso', [reinstated(CSO)]],
  ['c-remove-jus', [removed(JUS)]],
  ['c-contacts-mod', [event('StakeholderContactsChanged', { stakeholderId: MOD, contacts: MOD_CONTACTS })]],
  ['c-comment-1', [commented('c0ffee00-0001-4000-8000-000000000001', CSO, 1, 's1')]],
  ['c-comment-2', [commented('c0ffee00-0002-4000-8000-000000000002', CSO, 1, null)]],
  ['c-answer-1', [event('CommentAnswered', { commentId: 'c0ffee00-0001-4000-8000-000000000001', disposition: 'noted', response: 'Will be considered.' })]],
  ['c-answer-1b', [event('CommentAnswered', { commentId: 'c0ffee00-0001-4000-8000-000000000001', disposition: 'accepted', response: 'Added in section 2.' })]],
  ['c-retract-2', [event('CommentRetracted', { commentId: 'c0ffee00-0002-4000-8000-000000000002', reason: 'entered on the wrong stakeholder' })]],
  ['c-review-cso', [event('ReviewCompleted', { stakeholderId: CSO, draftVersion: 1 })]],
  ['c-extend-comments', [extended('comments', 1, V1_DEADLINE, '2027-04-15T14:00:00Z')]],
  ['c-extend-comments-cso', [extended('comments', 1, '2027-04-15T14:00:00Z', '2027-04-20T14:00:00Z', CSO)]],
  ['c-request-1', [endorsementRequested(1)]],
  ['c-endorse-mfa-1', [endorsed(MFA, 1)]],
  ['c-withhold-mod-1', [withheld(MOD, 1)]],
  ['c-extend-endorsement', [extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-10T15:00:00Z')]],
  ['c-extend-endorsement-mfa', [extended('endorsement', 1, '2027-05-10T15:00:00Z', '2027-05-12T15:00:00Z', MFA)]],
  // one command, two events
  ['c-draft-2', [draft(2, '2027-05-20T00:00:00Z', ['s2', 's3']), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' })]],
  ['c-request-2', [endorsementRequested(2, '2027-06-01T00:00:00Z')]],
  ['c-endorse-mod-2', [endorsed(MOD, 2)]],
  ['c-withhold-mfa-2', [withheld(MFA, 2)]],
  ['c-endorse-mfa-2', [endorsed(MFA, 2)]],
  ['c-sent', [event('InvitationSent', { stakeholderId: CSO, messageId: 'm-1', sentAt: NOW })]],
  ['c-failed', [event('DeliveryFailed', { stakeholderId: JUS, messageId: 'm-2', messageKind: 'notice', error: '550', permanent: true, failedAt: NOW })]],
];

t.test('the initial state: no consultation, revision -1, the zero hash', async (t) => {
  t.same(initialState(), {
    id: null, status: 'none', languages: [], timeZone: 'UTC', notifyEmails: [], closedAt: null, latestDeadline: null, revision: -1, lastHash: ZERO_HASH, drafts: new Map(), latestVersion: 0,
    stakeholders: new Map(), comments: new Map(), endorsementRequest: null, reminders: null, messages: new Map(),
    messageDrafts: new Map(), heldReplies: new Map(), commands: new AppliedCommands(),
  });
  t.equal(ZERO_HASH, '0'.repeat(64));
});

t.test('after a representative history, the state holds what decide needs', async (t) => {
  const s = fold(history);
  t.equal(s.id, CONSULTATION_ID);
  t.equal(s.status, 'open');
  t.same(s.languages, ['en', 'ro'], 'as declared: the first is the drafts\' own language');
  t.equal(s.revision, 31);
  t.equal(s.lastHash, 'hash-31');
  t.equal(s.latestVersion, 2);
  t.same(s.drafts, new Map([
    // published when recorded; the own extension granted on version 1 stays with version 1
    [1, { version: 1, sectionKeys: ['s1', 's2'], commentDeadline: '2027-04-15T14:00:00Z', publishedAt: recordedAt(1), ownCommentDeadlines: new Map([[CSO, '2027-04-20T14:00:00Z']]) }],
    [2, { version: 2, sectionKeys: ['s2', 's3'], commentDeadline: '2027-05-20T00:00:00Z', publishedAt: recordedAt(24), ownCommentDeadlines: new Map() }],
  ]));
  t.same(s.stakeholders.get(CSO), {
    id: CSO,
    organisation: "Women's Peace Network",
    kind: 'civil-society',
    contacts: [{ contactId: fixtureContactId(CSO, 'focal@wpn.example'), name: "Focal point of Women's Peace Network", email: 'focal@wpn.example' }],
    formerContactIds: [],
    language: 'en',
    endorser: false,
    replyDomains: [],
    response: 'pending', // declined, then reinstated
    removed: false,
    extensions: { comments: { draftVersion: 1, deadline: '2027-04-20T14:00:00Z' } },
    reviewedVersions: [1],
    decisions: new Map(),
  });
  t.same(s.stakeholders.get(MFA), {
    id: MFA,
    organisation: 'Ministry of Foreign Affairs',
    kind: 'ministry',
    contacts: [{ contactId: fixtureContactId(MFA, 'gender@mfa.example'), name: 'Focal point of Ministry of Foreign Affairs', email: 'gender@mfa.example' }],
    formerContactIds: [],
    language: 'en',
    endorser: true,
    replyDomains: [],
    response: 'accepted',
    removed: false,
    extensions: { endorsement: { draftVersion: 1, deadline: '2027-05-12T15:00:00Z' } },
    reviewedVersions: [],
    decisions: new Map([[1, endorsedWith()], [2, endorsedWith()]]), // on 2: withheld, then endorsed
  });
  t.same(s.stakeholders.get(MOD)?.contacts, MOD_CONTACTS);
  t.same(s.stakeholders.get(MOD)?.formerContactIds, [fixtureContactId(MOD, 'gender@mod.example')], 'the contact it no longer has');
  t.same(s.stakeholders.get(MOD)?.decisions, new Map<number, DecisionRecord>([[1, { decision: 'withheld', reason: 'budget not agreed' }], [2, endorsedWith()]]));
  t.equal(s.stakeholders.get(JUS)?.removed, true);
  t.same(s.comments, new Map([
    ['c0ffee00-0001-4000-8000-000000000001', { id: 'c0ffee00-0001-4000-8000-000000000001', ref: 'C-1', stakeholderId: CSO, draftVersion: 1, retracted: false, answer: { disposition: 'accepted', response: 'Added in section 2.' } }],
    ['c0ffee00-0002-4000-8000-000000000002', { id: 'c0ffee00-0002-4000-8000-000000000002', ref: 'C-2', stakeholderId: CSO, draftVersion: 1, retracted: true, answer: null }],
  ]));
  t.same(s.endorsementRequest, { draftVersion: 2, deadline: '2027-06-01T00:00:00Z' });
  t.same(s.messages, new Map([['m-1', 'sent'], ['m-2', 'failed-permanently']]));
  t.same(s.messageDrafts, new Map([['m-1', 2]]), 'an invitation is about the draft current when it was sent');
  t.equal(s.latestDeadline, '2027-06-01T00:00:00Z', 'the latest of every deadline set for everyone');
  t.equal(s.closedAt, null);
});

t.test('the latest deadline only moves later: a cancelled request or an earlier new draft keeps it; an own extension is not everyone\'s', async (t) => {
  t.equal(stateFrom([opened, cso]).latestDeadline, null, 'none before the first draft');
  const s = stateFrom([
    opened, draft(1, '2027-04-01T17:00:00+03:00'), cso, endorsementRequested(1, '2027-05-01T15:00:00Z'),
    event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' }),
    draft(2, '2027-04-20T00:00:00Z'),
    extended('comments', 2, '2027-04-20T00:00:00Z', '2027-09-01T00:00:00Z', CSO),
  ]);
  t.equal(s.latestDeadline, '2027-05-01T15:00:00Z');
  const extended2 = stateFrom([opened, draft(1), extended('comments', 1, V1_DEADLINE, '2027-04-30T00:00:00Z')]);
  t.equal(extended2.latestDeadline, '2027-04-30T00:00:00Z');
});

t.test('contacts changed: a contact dropped becomes former, one listed again is current again', async (t) => {
  const focal = fixtureContactId(CSO, 'focal@wpn.example');
  const maria = fixtureContacts(CSO, [{ name: 'Maria', email: 'maria@wpn.example' }]);
  const dropped = stateFrom([opened, cso, event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: maria })]);
  t.same(dropped.stakeholders.get(CSO)?.contacts.map((c) => c.contactId), [maria[0]!.contactId]);
  t.same(dropped.stakeholders.get(CSO)?.formerContactIds, [focal]);
  const back = stateFrom([
    opened, cso, event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: maria }),
    event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, [{ name: 'Focal', email: 'focal@wpn.example' }]) }),
  ]);
  t.same(back.stakeholders.get(CSO)?.contacts.map((c) => c.contactId), [focal]);
  t.same(back.stakeholders.get(CSO)?.formerContactIds, [maria[0]!.contactId]);
});

t.test('the commands record: every command id with its first and last revision and its input hash', async (t) => {
  const s = fold(history);
  t.equal(s.commands.size, history.length);
  t.same(s.commands.get('c-open'), { firstRevision: 0, lastRevision: 0, commandHash: 'input-hash-c-open' });
  t.same(s.commands.get('c-draft-2'), { firstRevision: 24, lastRevision: 25, commandHash: 'input-hash-c-draft-2' });
  t.same(s.commands.get('c-failed'), { firstRevision: 31, lastRevision: 31, commandHash: 'input-hash-c-failed' });
});

t.test('between publishing draft 2 and the new request, no endorsement request is open', async (t) => {
  const s = fold(history.slice(0, history.findIndex(([id]) => id === 'c-request-2')));
  t.equal(s.endorsementRequest, null);
  t.equal(s.latestVersion, 2);
});

t.test('while the request on version 1 is open, global extensions move its deadline', async (t) => {
  const s = fold(history.slice(0, history.findIndex(([id]) => id === 'c-draft-2')));
  t.same(s.endorsementRequest, { draftVersion: 1, deadline: '2027-05-10T15:00:00Z' });
});

t.test('closing sets the status; records of messages still fold afterwards', async (t) => {
  const s = fold([
    ...history,
    ['c-close', [event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 2 })]],
    ['c-late-sent', [event('ReminderSent', {
      stakeholderId: CSO, messageId: 'm-3', phase: 'comments', draftVersion: 2, deadline: '2027-05-20T00:00:00Z', sentAt: NOW,
    })]],
  ]);
  t.equal(s.status, 'closed');
  t.equal(s.closedAt, recordedAt(32), 'when the closing was recorded');
  t.equal(s.messages.get('m-3'), 'sent');
  t.equal(s.revision, 33);
});

t.test('a failed message later sent is recorded as sent', async (t) => {
  const s = stateFrom([
    opened, cso,
    event('DeliveryFailed', { stakeholderId: CSO, messageId: 'm-1', messageKind: 'invitation', error: '421', permanent: false, failedAt: NOW }),
    event('InvitationSent', { stakeholderId: CSO, messageId: 'm-1', sentAt: NOW }),
  ]);
  t.same(s.messages, new Map([['m-1', 'sent']]));
});

t.test('reinstating a removed stakeholder keeps its answer to the invitation', async (t) => {
  const s = stateFrom([opened, mfa, accepted(MFA), removed(MFA), reinstated(MFA)]);
  t.equal(s.stakeholders.get(MFA)?.removed, false);
  t.equal(s.stakeholders.get(MFA)?.response, 'accepted');
});

t.test('a per-stakeholder extension leaves the draft and the request untouched', async (t) => {
  const s = stateFrom([
    opened, draft(1), mfa, endorsementRequested(1),
    extended('comments', 1, V1_DEADLINE, '2027-04-10T00:00:00Z', MFA),
    extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-10T00:00:00Z', MFA),
  ]);
  t.equal(s.drafts.get(1)?.commentDeadline, V1_DEADLINE);
  t.same(s.endorsementRequest, { draftVersion: 1, deadline: ENDORSEMENT_DEADLINE });
  t.same(s.stakeholders.get(MFA)?.extensions, {
    comments: { draftVersion: 1, deadline: '2027-04-10T00:00:00Z' },
    endorsement: { draftVersion: 1, deadline: '2027-05-10T00:00:00Z' },
  });
});

t.test('a cancellation or an endorsement extension for another version leaves the open request alone', async (t) => {
  const s = stateFrom([
    opened, draft(1), draft(2), endorsementRequested(2),
    event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'stale' }),
    extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-09-01T00:00:00Z'),
  ]);
  t.same(s.endorsementRequest, { draftVersion: 2, deadline: ENDORSEMENT_DEADLINE });
});

t.test('reviews are recorded once per version', async (t) => {
  const review = event('ReviewCompleted', { stakeholderId: CSO, draftVersion: 1 });
  t.same(stateFrom([opened, draft(1), cso, review, review]).stakeholders.get(CSO)?.reviewedVersions, [1]);
});

t.test('an event type this version does not know passes through: only revision, hash and commands move', async (t) => {
  const before = stateFrom([opened, draft(1), cso]);
  const expected = stateFrom([opened, draft(1), cso]); // a second fold, not a clone: the applied commands are a class
  // the decode path gives `event: null` for a type it does not know (test/domain/decode.test.ts)
  const unknown: FoldableEvent = { event: null, revision: 3, metadata: { commandId: 'c-x', commandHash: 'hx', hash: 'hash-3', recordedAt: NOW } };
  evolve(before, unknown);
  expected.revision = 3;
  expected.lastHash = 'hash-3';
  expected.commands.record('c-x', 3, 'hx');
  t.same(before, expected);
});

t.test('each comment gets the next reference in submission order; a CommentSubmitted for a comment id already known changes nothing', async (t) => {
  const first = 'c0ffee00-0001-4000-8000-000000000001';
  const s = stateFrom([opened, draft(1), cso, commented(first), commented('c0ffee00-0002-4000-8000-000000000002'), commented(first, CSO, 1, null)]);
  t.same([...s.comments.values()].map((c) => [c.id, c.ref]), [[first, 'C-1'], ['c0ffee00-0002-4000-8000-000000000002', 'C-2']]);
  const third = stateFrom([opened, draft(1), cso, commented(first), commented('c0ffee00-0002-4000-8000-000000000002'), commented('c0ffee00-0003-4000-8000-000000000003')]);
  t.equal(third.comments.get('c0ffee00-0003-4000-8000-000000000003')?.ref, 'C-3');
});

t.test('a change of details sets the fields it carries and leaves the others', async (t) => {
  const s = stateFrom([opened, cso, event('StakeholderDetailsChanged', { stakeholderId: CSO, organisation: 'WPN Romania', language: 'ro' })]);
  const x = s.stakeholders.get(CSO)!;
  t.same([x.organisation, x.kind, x.language, x.endorser], ['WPN Romania', 'civil-society', 'ro', false]);
});

t.test('becoming or ceasing to be an endorser: the decisions made before no longer count', async (t) => {
  const history = [opened, draft(1), mod, endorsementRequested(1), withheld(MOD, 1)];
  const ceased = stateFrom([...history, event('StakeholderDetailsChanged', { stakeholderId: MOD, endorser: false })]).stakeholders.get(MOD)!;
  t.same([ceased.endorser, ceased.decisions], [false, new Map()]);
  const again = stateFrom([...history, event('StakeholderDetailsChanged', { stakeholderId: MOD, endorser: false }), event('StakeholderDetailsChanged', { stakeholderId: MOD, endorser: true })]);
  t.same([again.stakeholders.get(MOD)!.endorser, again.stakeholders.get(MOD)!.decisions], [true, new Map()]);
  const unchanged = stateFrom([...history, event('StakeholderDetailsChanged', { stakeholderId: MOD, kind: 'other' })]).stakeholders.get(MOD)!;
  t.same(unchanged.decisions, new Map([[1, { decision: 'withheld', reason: 'budget not agreed' }]]), 'another detail leaves the decisions alone');
});
