// The sign-off view: given these events, then where each required endorser stands per draft version.
import t from 'tap';
import { fixtureContacts } from '../helpers/contact-ids.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import { projectionBase } from '../../src/projections/doc-batch.ts';
import type { ProjectionEvent } from '../../src/projections/projection.ts';
import { signOff, versionSignOff, type EndorserSignOff, type SignOffView, type VersionSignOff } from '../../src/projections/sign-off.ts';
import {
  CONSULTATION_ID, COORDINATOR, CSO, ENDORSEMENT_DEADLINE, JUS, MFA, MOD, accepted, asStakeholder, commented, cso, declined, draft, endorsed,
  endorsementRequested, extended, jus, mfa, mod, opened, reinstated, removed, signatory, withheld,
} from '../helpers/domain-spec.ts';
import { globalHistory } from './fixtures/history.ts';
import { costOf, at, recorded, replay, sameFields, viewAfter, type Command } from './fixtures/recorded.ts';

/** when the views are read, unless a test says otherwise: after every comment deadline of the fixtures */
const READ_AT = '2027-12-01T09:00:00Z';
async function signOffAfter(commands: Command[], now = READ_AT): Promise<SignOffView> {
  return viewAfter(signOff, recorded(commands), CONSULTATION_ID, now);
}
async function versionAfter(commands: Command[], version?: number, now = READ_AT): Promise<VersionSignOff> {
  const v = versionSignOff(await signOffAfter(commands, now), version);
  if (!v) throw new Error(`no version ${version ?? 'latest'}`);
  return v;
}
const statuses = (v: VersionSignOff) => v.endorsers.map((x) => [x.stakeholderId, x.status]);
const codes = (v: VersionSignOff) => v.adoptionBlockedBy.map((r) => r.code);
const superseding = (version: number, cancelled: number): Command =>
  [draft(version), event('EndorsementRequestCancelled', { draftVersion: cancelled, reason: 'superseded' })];
/** The documents with each head's lastRevision left out. */
function withoutRevisions(docs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(docs).map(([key, value]) => {
    const { order, doc } = value as { order: number; doc: Record<string, unknown> };
    const { lastRevision: _, ...rest } = doc;
    return [key, { order, doc: rest }];
  }));
}
const MFA_ORG = 'Ministry of Foreign Affairs';
const MOD_ORG = 'Ministry of Defence';
const V1_COMMENT_DEADLINE = '2027-04-01T17:00:00+03:00';
const answered = (commentId: string) => event('CommentAnswered', { commentId, disposition: 'accepted', response: 'Added.' });
const retracted = (commentId: string) => event('CommentRetracted', { commentId, reason: 'entered by mistake' });
const base = [opened, draft(1), cso, mfa, mod];                    // revisions 0-4
const requested = [...base, endorsementRequested(1)];              // 5
const invitedAt = (revision: number) => [{ endorser: true, changedAt: at(revision), cause: 'invited' as const, actor: COORDINATOR }];
const pendingOn = (stakeholderId: string, organisation: string, invitedRevision: number) => ({
  stakeholderId, organisation, required: true, invitationDeclined: false, deadline: null, removal: null, history: [],
  endorserHistory: invitedAt(invitedRevision), status: 'pending',
});

t.test('given a draft and endorsers but no request, then every endorser is pending with no deadline, and what blocks adoption', async (t) => {
  t.strictSame(await signOffAfter(base), {
    consultationId: CONSULTATION_ID,
    status: 'open',
    outcome: null,
    finalDraftVersion: null,
    latestVersion: 1,
    versions: [{
      draftVersion: 1,
      publishedAt: at(1),
      isLatest: true,
      commentDeadline: V1_COMMENT_DEADLINE,
      request: { status: 'not-requested' },
      endorsementDeadline: null,
      endorsers: [pendingOn(MFA, MFA_ORG, 3), pendingOn(MOD, MOD_ORG, 4)],
      counts: { required: 2, endorsed: 0, withheld: 0, pending: 2 },
      readyForAdoption: false,
      adoptionBlockedBy: [{
        code: 'ENDORSEMENTS_MISSING',
        pending: [
          { stakeholderId: MFA, organisation: MFA_ORG, invitationDeclined: false },
          { stakeholderId: MOD, organisation: MOD_ORG, invitationDeclined: false },
        ],
        withheld: [],
      }],
      adopted: false,
      superseded: [],
    }],
    endorsers: [
      { stakeholderId: MFA, organisation: MFA_ORG, endorser: true, endorserHistory: invitedAt(3), removal: null, declined: false, extension: null, commentExtension: null, decisions: {}, notCounted: {} },
      { stakeholderId: MOD, organisation: MOD_ORG, endorser: true, endorserHistory: invitedAt(4), removal: null, declined: false, extension: null, commentExtension: null, decisions: {}, notCounted: {} },
    ],
  }, 'the CSO is not an endorser and is not listed');
});

t.test('given EndorsementRequested, then the request is open with its deadline, for everyone', async (t) => {
  const v = await versionAfter(requested);
  t.strictSame(v.request, { status: 'open', requestedAt: at(5), deadline: ENDORSEMENT_DEADLINE });
  t.equal(v.endorsementDeadline, ENDORSEMENT_DEADLINE);
  t.strictSame(v.endorsers.map((x) => x.deadline), [ENDORSEMENT_DEADLINE, ENDORSEMENT_DEADLINE]);
});

t.test('given DraftEndorsed, then endorsed with signatory, title, time, statement and evidence', async (t) => {
  const full = event('DraftEndorsed', { stakeholderId: MFA, draftVersion: 1, signatory, statement: 'The Ministry endorses the plan.', evidence: 'letter 123/2027' });
  const v = await versionAfter([...requested, { events: [full], actor: asStakeholder(MFA) }, endorsed(MOD, 1)]);
  const mfaDecision = {
    status: 'endorsed', signatory: { name: 'Ana Popescu', title: 'State Secretary' }, statement: 'The Ministry endorses the plan.', evidence: 'letter 123/2027',
    endorsedAt: at(6), actor: { role: 'stakeholder', id: MFA }, contactId: null,
  } as const;
  const modDecision = { status: 'endorsed', signatory, statement: null, evidence: null, endorsedAt: at(7), actor: COORDINATOR, contactId: null } as const;
  t.strictSame(v.endorsers, [
    {
      stakeholderId: MFA, organisation: MFA_ORG, required: true, invitationDeclined: false, deadline: ENDORSEMENT_DEADLINE, removal: null,
      history: [mfaDecision], endorserHistory: invitedAt(3), ...mfaDecision,
    },
    {
      stakeholderId: MOD, organisation: MOD_ORG, required: true, invitationDeclined: false, deadline: ENDORSEMENT_DEADLINE, removal: null,
      history: [modDecision], endorserHistory: invitedAt(4), ...modDecision,
    },
  ], 'who signed, when, and who recorded it: the endorser through its link, the coordinator on its behalf');
  sameFields(t, v, { counts: { required: 2, endorsed: 2, withheld: 0, pending: 0 }, readyForAdoption: true, adoptionBlockedBy: [] });
});

t.test('given EndorsementWithheld, then withheld with the reason and time; not ready', async (t) => {
  const v = await versionAfter([...requested, endorsed(MFA, 1), withheld(MOD, 1)]);
  const decision = { status: 'withheld', reason: 'budget not agreed', withheldAt: at(7), actor: COORDINATOR, contactId: null } as const;
  t.strictSame(v.endorsers[1], {
    stakeholderId: MOD, organisation: MOD_ORG, required: true, invitationDeclined: false, deadline: ENDORSEMENT_DEADLINE, removal: null,
    history: [decision], endorserHistory: invitedAt(4), ...decision,
  });
  sameFields(t, v, {
    counts: { required: 2, endorsed: 1, withheld: 1, pending: 0 },
    readyForAdoption: false,
    adoptionBlockedBy: [{ code: 'ENDORSEMENTS_MISSING', pending: [], withheld: [{ stakeholderId: MOD, organisation: MOD_ORG, reason: 'budget not agreed' }] }],
  });
});

t.test('a later decision by the same endorser replaces the earlier one; every decision stays in its history, oldest first', async (t) => {
  t.strictSame(statuses(await versionAfter([...requested, withheld(MOD, 1), endorsed(MOD, 1)])), [[MFA, 'pending'], [MOD, 'endorsed']]);
  t.strictSame(statuses(await versionAfter([...requested, endorsed(MOD, 1), withheld(MOD, 1)])), [[MFA, 'pending'], [MOD, 'withheld']]);
  t.equal((await versionAfter([...requested, withheld(MOD, 1), endorsed(MFA, 1), endorsed(MOD, 1)])).readyForAdoption, true);

  const other = { name: 'Gen. Radu Ionescu', title: 'Chief of Staff' };
  const v = await versionAfter([
    ...requested, { events: [withheld(MOD, 1)], actor: asStakeholder(MOD) }, endorsed(MOD, 1),        // 6, 7
    event('DraftEndorsed', { stakeholderId: MOD, draftVersion: 1, signatory: other, evidence: 'letter MOD-77/2027' }), // 8
  ]);
  const mod = v.endorsers[1]!;
  t.strictSame(mod.history, [
    { status: 'withheld', reason: 'budget not agreed', withheldAt: at(6), actor: { role: 'stakeholder', id: MOD }, contactId: null },
    { status: 'endorsed', signatory, statement: null, evidence: null, endorsedAt: at(7), actor: COORDINATOR, contactId: null },
    { status: 'endorsed', signatory: other, statement: null, evidence: 'letter MOD-77/2027', endorsedAt: at(8), actor: COORDINATOR, contactId: null },
  ], 'withheld → endorsed → endorsed again by another signatory');
  sameFields(t, mod, { status: 'endorsed', signatory: other, endorsedAt: at(8) } as Partial<typeof mod>, 'the latest is the one that counts');
});

t.test('a declined endorser stays required and pending; removed, it is not required; reinstated, it is again', async (t) => {
  const withJus = [...base, jus, endorsementRequested(1), endorsed(MFA, 1), endorsed(MOD, 1)]; // jus: 5, request: 6
  const declinedJus = await versionAfter([...withJus, declined(JUS)]);
  t.strictSame(declinedJus.endorsers[2], {
    stakeholderId: JUS, organisation: 'Ministry of Justice and Security', required: true, invitationDeclined: true, deadline: ENDORSEMENT_DEADLINE,
    removal: null, history: [], endorserHistory: invitedAt(5), status: 'pending',
  });
  sameFields(t, declinedJus, { counts: { required: 3, endorsed: 2, withheld: 0, pending: 1 }, readyForAdoption: false });
  t.strictSame(declinedJus.adoptionBlockedBy, [
    { code: 'ENDORSEMENTS_MISSING', pending: [{ stakeholderId: JUS, organisation: 'Ministry of Justice and Security', invitationDeclined: true }], withheld: [] },
  ]);
  const removedJus = await versionAfter([...withJus, declined(JUS), removed(JUS)]);
  t.strictSame(statuses(removedJus), [[MFA, 'endorsed'], [MOD, 'endorsed'], [JUS, 'removed']], 'still listed, not counted');
  sameFields(t, removedJus, { counts: { required: 2, endorsed: 2, withheld: 0, pending: 0 }, readyForAdoption: true });
  const reinstatedJus = await versionAfter([...withJus, declined(JUS), removed(JUS), reinstated(JUS)]);
  sameFields(t, reinstatedJus.endorsers[2]!, { status: 'pending', invitationDeclined: false, required: true, removal: null });
  t.equal(reinstatedJus.readyForAdoption, false);
  t.equal((await versionAfter([...withJus, declined(JUS), reinstated(JUS), endorsed(JUS, 1)])).readyForAdoption, true);
});

t.test('an endorser that endorsed and then declined its invitation is pending again, and the version is not ready (as closing says)', async (t) => {
  const history = [...base, jus, endorsementRequested(1), endorsed(MFA, 1), endorsed(MOD, 1), endorsed(JUS, 1), declined(JUS)];
  const v = await versionAfter(history);
  sameFields(t, v.endorsers[2]!, { status: 'pending', invitationDeclined: true });
  sameFields(t, v, { counts: { required: 3, endorsed: 2, withheld: 0, pending: 1 }, readyForAdoption: false });
});

t.test('an endorser removed after withholding stays listed with its decisions and when and why it was removed; reinstated, its decision counts again', async (t) => {
  const history = [...requested, endorsed(MFA, 1), withheld(MOD, 1), removed(MOD)]; // 6, 7, 8
  const v = await versionAfter(history);
  t.strictSame(v.endorsers[1], {
    stakeholderId: MOD, organisation: MOD_ORG, required: false, invitationDeclined: false, deadline: ENDORSEMENT_DEADLINE,
    removal: { removedAt: at(8), reason: 'left the coalition', actor: COORDINATOR },
    history: [{ status: 'withheld', reason: 'budget not agreed', withheldAt: at(7), actor: COORDINATOR, contactId: null }],
    endorserHistory: invitedAt(4),
    status: 'removed',
  }, 'the withholding ministry does not disappear');
  sameFields(t, v, { counts: { required: 1, endorsed: 1, withheld: 0, pending: 0 }, readyForAdoption: true });
  const adopted = await signOffAfter([...history, event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1 })]);
  t.strictSame(statuses(adopted.versions[0]!), [[MFA, 'endorsed'], [MOD, 'removed']], 'after adoption too');
  t.strictSame(adopted.endorsers.map((x) => [x.stakeholderId, x.removal?.reason ?? null]), [[MFA, null], [MOD, 'left the coalition']]);
  const back = await versionAfter([...history, reinstated(MOD)]);
  t.strictSame(statuses(back), [[MFA, 'endorsed'], [MOD, 'withheld']]);
  sameFields(t, back.endorsers[1]!, { required: true, removal: null });
});

t.test('given a new draft version, then endorsements of the older one are listed as superseded and not counted', async (t) => {
  const v1Endorsed = [...requested, endorsed(MFA, 1), endorsed(MOD, 1)]; // 6, 7
  const history = [...v1Endorsed, superseding(2, 1)];                      // 8, 9
  const view = await signOffAfter(history);
  const [v1, v2] = view.versions;
  sameFields(t, v1!, {
    isLatest: false,
    readyForAdoption: false,
    request: { status: 'cancelled', requestedAt: at(5), deadline: ENDORSEMENT_DEADLINE, cancelledAt: at(8), reason: 'superseded' },
    counts: { required: 2, endorsed: 2, withheld: 0, pending: 0 },
  }, 'the older version keeps its endorsements but can no longer be adopted');
  sameFields(t, v2!, {
    draftVersion: 2,
    isLatest: true,
    request: { status: 'not-requested' },
    counts: { required: 2, endorsed: 0, withheld: 0, pending: 2 },
    readyForAdoption: false,
    superseded: [
      { stakeholderId: MFA, organisation: MFA_ORG, draftVersion: 1, signatory, endorsedAt: at(6) },
      { stakeholderId: MOD, organisation: MOD_ORG, draftVersion: 1, signatory, endorsedAt: at(7) },
    ],
  });
  t.equal(view.latestVersion, 2);
  const v2Requested = await versionAfter([...history, endorsementRequested(2), endorsed(MFA, 2)]);
  sameFields(t, v2Requested, { counts: { required: 2, endorsed: 1, withheld: 0, pending: 1 }, readyForAdoption: false });
  t.equal(v2Requested.superseded.length, 2, 'still listed, still not counted');
  t.equal((await versionAfter([...history, endorsementRequested(2), endorsed(MFA, 2), endorsed(MOD, 2)])).readyForAdoption, true);
  t.strictSame((await versionAfter([...history, draft(3)], 3)).superseded.map((s) => [s.stakeholderId, s.draftVersion]), [[MFA, 1], [MOD, 1]],
    'a version with no endorsements supersedes nothing');
});

t.test('given a request cancelled by the coordinator, then it shows as cancelled; a new request opens it again', async (t) => {
  const cancelled = [...requested, event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'budget review' })]; // 6
  t.strictSame((await versionAfter(cancelled)).request, { status: 'cancelled', requestedAt: at(5), deadline: ENDORSEMENT_DEADLINE, cancelledAt: at(6), reason: 'budget review' });
  const again = await versionAfter([...cancelled, endorsementRequested(1, '2027-06-01T15:00:00Z')]);
  t.strictSame(again.request, { status: 'open', requestedAt: at(7), deadline: '2027-06-01T15:00:00Z' });
  t.equal(again.endorsementDeadline, '2027-06-01T15:00:00Z');
});

t.test('given DeadlineExtended for endorsement, then everyone’s moves the request; one endorser’s moves only its own', async (t) => {
  const general = await versionAfter([...requested, extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-10T15:00:00Z')]);
  t.equal(general.endorsementDeadline, '2027-05-10T15:00:00Z');
  t.strictSame(general.endorsers.map((x) => x.deadline), ['2027-05-10T15:00:00Z', '2027-05-10T15:00:00Z']);
  const own = [...requested, extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-08T15:00:00Z', MOD)];
  const v = await versionAfter(own);
  t.equal(v.endorsementDeadline, ENDORSEMENT_DEADLINE);
  t.strictSame(v.endorsers.map((x) => x.deadline), [ENDORSEMENT_DEADLINE, '2027-05-08T15:00:00Z']);
  const overtaken = await versionAfter([...own, extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-20T15:00:00Z')]);
  t.strictSame(overtaken.endorsers.map((x) => x.deadline), ['2027-05-20T15:00:00Z', '2027-05-20T15:00:00Z'], 'everyone’s extension overtook it');
  const later = await versionAfter([...own, superseding(2, 1), endorsementRequested(2)], 2);
  t.strictSame(later.endorsers.map((x) => x.deadline), [ENDORSEMENT_DEADLINE, ENDORSEMENT_DEADLINE], 'it was for the older version');
});

t.test('given ConsultationClosed as adopted, then the adopted version is marked and its request no longer says open', async (t) => {
  const history = [...requested, endorsed(MFA, 1), endorsed(MOD, 1), event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1 })]; // 8
  const view = await signOffAfter(history);
  sameFields(t, view, { status: 'closed', outcome: 'adopted', finalDraftVersion: 1 });
  sameFields(t, view.versions[0]!, {
    adopted: true, readyForAdoption: true,
    request: { status: 'closed', requestedAt: at(5), deadline: ENDORSEMENT_DEADLINE, closedAt: at(8), outcome: 'adopted' },
  });
  const withdrawn = await signOffAfter([...requested, event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: 1 })]); // 6
  sameFields(t, withdrawn.versions[0]!, {
    adopted: false, request: { status: 'closed', requestedAt: at(5), deadline: ENDORSEMENT_DEADLINE, closedAt: at(6), outcome: 'withdrawn' },
  });
  const cancelledFirst = await signOffAfter([...requested, superseding(2, 1), event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null })]);
  t.strictSame(cancelledFirst.versions.map((v) => v.request.status), ['cancelled', 'not-requested'], 'only an open request is closed');
});

t.test('given a consultation without endorsers, then nothing is required and NO_ENDORSERS blocks adoption (as closing says)', async (t) => {
  sameFields(t, await versionAfter([opened, draft(1), cso]), {
    counts: { required: 0, endorsed: 0, withheld: 0, pending: 0 }, readyForAdoption: false, adoptionBlockedBy: [{ code: 'NO_ENDORSERS' }],
  });
});

t.test('the endorsers of a version: those that were endorsers (not removed) while it was the latest, removed ones included', async (t) => {
  const history = [
    ...requested, endorsed(MFA, 1), withheld(MOD, 1), removed(MOD),  // 6, 7, 8: MOD removed while v1 is the latest
    superseding(2, 1), jus,                                          // 9-10, 11: JUS invited while v2 is the latest
  ];
  const view = await signOffAfter(history);
  t.strictSame(statuses(view.versions[0]!), [[MFA, 'endorsed'], [MOD, 'removed']], 'v1: JUS came later');
  t.strictSame(statuses(view.versions[1]!), [[MFA, 'pending'], [JUS, 'pending']], 'v2: MOD was gone before it was published');
  t.strictSame(view.endorsers.map((x) => x.stakeholderId), [MFA, MOD, JUS], 'every stakeholder that was ever an endorser');
  const back = await signOffAfter([...history, reinstated(MOD)]);
  t.strictSame(statuses(back.versions[1]!), [[MFA, 'pending'], [MOD, 'pending'], [JUS, 'pending']], 'reinstated while v2 is the latest: an endorser of v2');
  t.strictSame(statuses(back.versions[0]!), [[MFA, 'endorsed'], [MOD, 'withheld']], 'and its decision on v1 shows again');
});

t.test('adoptionBlockedBy: comments awaiting an answer, on any version, named by id and reference; answered or retracted, they are not', async (t) => {
  const endorsedV1 = [...requested, endorsed(MFA, 1), endorsed(MOD, 1)];
  const history = [...endorsedV1, commented('k-1', CSO), commented('k-2', MFA), commented('k-3', CSO)];
  t.strictSame((await versionAfter(history)).adoptionBlockedBy, [
    { code: 'COMMENTS_UNANSWERED', count: 3, comments: [{ commentId: 'k-1', ref: 'C-1' }, { commentId: 'k-2', ref: 'C-2' }, { commentId: 'k-3', ref: 'C-3' }] },
  ]);
  const some = await versionAfter([...history, answered('k-2'), retracted('k-3'), answered('k-2'), retracted('k-2')]);
  t.strictSame(some.adoptionBlockedBy, [{ code: 'COMMENTS_UNANSWERED', count: 1, comments: [{ commentId: 'k-1', ref: 'C-1' }] }]);
  t.equal(some.readyForAdoption, false);
  const onOlder = await signOffAfter([...history, superseding(2, 1), commented('k-4', CSO, 2), answered('k-2'), answered('k-3'), answered('k-4')]);
  t.strictSame(versionSignOff(onOlder)!.adoptionBlockedBy[0], { code: 'COMMENTS_UNANSWERED', count: 1, comments: [{ commentId: 'k-1', ref: 'C-1' }] },
    'a comment on the older version still blocks the newer one');
  sameFields(t, await versionAfter([...history, answered('k-1'), answered('k-2'), answered('k-3')]), { readyForAdoption: true, adoptionBlockedBy: [] });
});

t.test('adoptionBlockedBy: the comment period, at the time of the read; a stakeholder\'s own extension keeps it open for it', async (t) => {
  const endorsedV1 = [...requested, endorsed(MFA, 1), endorsed(MOD, 1)];
  const before = '2027-03-20T09:00:00Z';
  t.strictSame((await versionAfter(endorsedV1, 1, before)).adoptionBlockedBy, [
    { code: 'COMMENT_PERIOD_OPEN', commentDeadline: V1_COMMENT_DEADLINE, openFor: [], closesAt: V1_COMMENT_DEADLINE },
  ]);
  t.equal((await versionAfter(endorsedV1, 1, '2027-04-02T09:00:00Z')).readyForAdoption, true, 'the same view, read after the deadline');
  const ownTime = [...endorsedV1, extended('comments', 1, '2027-04-01T14:00:00Z', '2027-04-20T14:00:00Z', CSO)];
  t.strictSame((await versionAfter(ownTime, 1, '2027-04-10T09:00:00Z')).adoptionBlockedBy, [{
    code: 'COMMENT_PERIOD_OPEN', commentDeadline: V1_COMMENT_DEADLINE,
    openFor: [{ stakeholderId: CSO, organisation: "Women's Peace Network", deadline: '2027-04-20T14:00:00Z' }], closesAt: '2027-04-20T14:00:00Z',
  }], 'a comment-only stakeholder\'s own time counts');
  t.equal((await versionAfter([...ownTime, removed(CSO)], 1, '2027-04-10T09:00:00Z')).readyForAdoption, true, 'not once it was removed');
  const everyone = [...endorsedV1, extended('comments', 1, '2027-04-01T14:00:00Z', '2027-04-25T14:00:00Z')];
  const v = await versionAfter(everyone, 1, '2027-04-10T09:00:00Z');
  sameFields(t, v, { commentDeadline: '2027-04-25T14:00:00Z' });
  t.strictSame(codes(v), ['COMMENT_PERIOD_OPEN']);
});

t.test('given events that do not concern sign-off, then its documents change only in the revision they reflect', async (t) => {
  const events = recorded(requested);
  const replayed = await replay(signOff, events);
  const before = await replayed.documents();
  const others = recorded([
    accepted('sh-unknown'), endorsed('sh-unknown', 1), endorsed(CSO, 1), event('EndorsementRequested', { draftVersion: 9, deadline: ENDORSEMENT_DEADLINE }),
    event('InvitationSent', { stakeholderId: CSO, messageId: 'm-1', sentAt: '2027-03-01T10:00:00Z' }),
    event('StakeholderContactsChanged', { stakeholderId: MFA, contacts: fixtureContacts(MFA, [{ name: 'New focal point', email: 'new@mfa.example' }]) }),
    event('ReviewCompleted', { stakeholderId: MFA, draftVersion: 1 }), answered('k-unknown'), retracted('k-unknown'),
  ], { firstRevision: events.length });
  await replayed.apply(others);
  t.strictSame(withoutRevisions(await replayed.documents()), withoutRevisions(before));
  t.equal((await signOff.read(replayed.reader, CONSULTATION_ID))?.lastRevision, events.length + others.length - 1);
});

t.test('versionSignOff: the latest version by default, a given one, or null', async (t) => {
  const view = await signOffAfter([...base, superseding(2, 1)]);
  t.equal(versionSignOff(view)?.draftVersion, 2);
  t.equal(versionSignOff(view, 1)?.draftVersion, 1);
  t.equal(versionSignOff(view, 7), null);
  t.equal(versionSignOff(await signOffAfter([opened])), null);
});

t.test('the same documents whether redelivered or not, and whatever the batches', async (t) => {
  const events = globalHistory();
  const once = await (await replay(signOff, events)).documents();
  t.strictSame(await (await replay(signOff, [...events, ...events])).documents(), once, 'everything delivered twice');
  t.strictSame(await (await replay(signOff, events.flatMap((e) => [e, e]))).documents(), once, 'each event delivered twice in a row');
  const withRedeliveries = events.flatMap((e, i) => (i % 5 === 4 ? [e, ...events.slice(i - 4, i + 1)] : [e]));
  t.strictSame(await (await replay(signOff, withRedeliveries)).documents(), once, 'earlier events redelivered in between');
  t.strictSame(await (await replay(signOff, events, 1000)).documents(), once, 'one batch');
  t.strictSame(await (await replay(signOff, withRedeliveries, 7)).documents(), once, 'redeliveries in batches of 7');
});

t.test('the stored document holds the facts; what each version shows is derived when it is read', async (t) => {
  const docs = await (await replay(signOff, globalHistory())).documents();
  const collections = Object.keys(docs).map((k) => k.split(' ')[0]);
  t.strictSame(collections.filter((c) => c === projectionBase(signOff)).length, 2, 'a head per consultation');
  t.strictSame(collections.filter((c) => c !== projectionBase(signOff)), collections.slice(2).map(() => `${projectionBase(signOff)}/stakeholders`), 'the rest: a record per stakeholder');
  t.ok(collections.length > 4, 'the stakeholders have their records');
  for (const [key, doc] of Object.entries(docs)) {
    for (const derived of ['counts', 'readyForAdoption', 'adoptionBlockedBy', 'superseded', 'isLatest', 'adopted', 'invitationDeclined', 'required']) {
      t.notOk(JSON.stringify(doc).includes(`"${derived}":`), `${key} holds no ${derived}`);
    }
  }
});

t.test('cost: an event after 1,000 comments reads and writes what it does after one, about the same bytes', async (t) => {
  const N = 1000;
  const comments: DomainEvent[] = Array.from({ length: N }, (_, i) => commented(`k-${i + 1}`, i % 2 === 0 ? CSO : MFA));
  const history = (n: number, then: Command): ProjectionEvent[] => recorded([...requested, ...comments.slice(0, n), then]);
  const last = (events: ProjectionEvent[]) => events.length - 1;
  // [event, documents read, documents written]: the head, for a comment its own "unanswered" document, for a decision its endorser's record
  const cases: Array<[string, Command, number, number]> = [
    ['CommentSubmitted', commented('k-new', CSO), 1, 2],
    ['CommentAnswered', answered('k-1'), 2, 2],
    ['CommentRetracted', retracted('k-1'), 2, 2],
    ['DraftEndorsed', endorsed(MFA, 1), 2, 2],
    ['DeadlineExtended', extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-10T15:00:00Z'), 1, 1],
    ['DraftPublished', superseding(2, 1), 1, 1],
  ];
  for (const [name, then, reads, writes] of cases) {
    const small = history(1, then);
    const large = history(N, then);
    const [a, b] = [await costOf(signOff, small, last(small)), await costOf(signOff, large, last(large))];
    t.strictSame([b.reads, b.writes], [reads, writes], `${name}: ${reads} read, ${writes} written`);
    t.strictSame([a.reads, a.writes], [reads, writes]);
    t.ok(Math.abs(b.bytes - a.bytes) <= 24, `${name}: bytes written ${a.bytes} and ${b.bytes} (the revision's and the comment counters' digits aside)`);
  }
});

// ---- endorsers changed after their invitation (StakeholderDetailsChanged) ----

const becomes = (stakeholderId: string, endorser: boolean) => event('StakeholderDetailsChanged', { stakeholderId, endorser });
const changedAt = (revision: number, endorser: boolean) => ({ endorser, changedAt: at(revision), cause: 'details-changed' as const, actor: COORDINATOR });

t.test('given a stakeholder becoming an endorser while a request is open, then it is pending on it, with when it became one', async (t) => {
  const history = [...requested, endorsed(MFA, 1), endorsed(MOD, 1), declined(CSO), becomes(CSO, true)]; // 6-9
  const view = await signOffAfter(history);
  const v = versionSignOff(view)!;
  t.strictSame(statuses(v), [[CSO, 'pending'], [MFA, 'endorsed'], [MOD, 'endorsed']], 'in invitation order');
  sameFields(t, v.endorsers[0]!, {
    organisation: "Women's Peace Network", required: true, invitationDeclined: true, deadline: ENDORSEMENT_DEADLINE, endorserHistory: [changedAt(9, true)],
  });
  t.strictSame(v.endorsers[1]!.endorserHistory, invitedAt(3), 'one invited as an endorser: since its invitation');
  t.strictSame(v.counts, { required: 3, endorsed: 2, withheld: 0, pending: 1 });
  t.strictSame(codes(v), ['ENDORSEMENTS_MISSING']);
  t.strictSame(view.endorsers.map((x) => x.stakeholderId), [CSO, MFA, MOD], 'every stakeholder ever an endorser, in invitation order');
  t.equal(versionSignOff(await signOffAfter([...history, reinstated(CSO), endorsed(CSO, 1)]))!.readyForAdoption, true);
});

t.test('given an endorser ceasing to be one, then it is not required; listed with its decisions in its history, not counted', async (t) => {
  const history = [...requested, endorsed(MFA, 1), withheld(MOD, 1), becomes(MOD, false)]; // 6-8
  const view = await signOffAfter(history);
  const v = versionSignOff(view)!;
  t.strictSame(statuses(v), [[MFA, 'endorsed'], [MOD, 'not-an-endorser']]);
  sameFields(t, v.endorsers[1]!, {
    required: false, endorserHistory: [...invitedAt(4), changedAt(8, false)],
    history: [{ status: 'withheld', reason: 'budget not agreed', withheldAt: at(7), actor: COORDINATOR, contactId: null }],
  });
  sameFields(t, v, { counts: { required: 1, endorsed: 1, withheld: 0, pending: 0 }, readyForAdoption: true, adoptionBlockedBy: [] });
  sameFields(t, view.endorsers[1]!, { endorser: false, notCounted: { 1: 1 } });

  const again = versionSignOff(await signOffAfter([...history, becomes(MOD, true)]))!; // 9
  t.strictSame(statuses(again), [[MFA, 'endorsed'], [MOD, 'pending']], 'an endorser again: pending, its earlier withholding does not count');
  t.strictSame(again.endorsers[1]!.endorserHistory.map((c) => [c.endorser, c.changedAt, c.cause]), [[true, at(4), 'invited'], [false, at(8), 'details-changed'], [true, at(9), 'details-changed']]);
  t.strictSame(again.adoptionBlockedBy, [{ code: 'ENDORSEMENTS_MISSING', pending: [{ stakeholderId: MOD, organisation: MOD_ORG, invitationDeclined: false }], withheld: [] }],
    'pending, not withheld: as closing says');
  const decidedAgain = versionSignOff(await signOffAfter([...history, becomes(MOD, true), endorsed(MOD, 1)]))!; // 10
  sameFields(t, decidedAgain.endorsers[1]!, { status: 'endorsed', endorsedAt: at(10) } as Partial<EndorserSignOff>);
  t.equal(decidedAgain.endorsers[1]!.history.length, 2, 'both decisions in its history');
  t.equal(decidedAgain.readyForAdoption, true);
});

t.test('given a stakeholder that was never an endorser of a version, then it is not listed on it; one that became one while a later version was the latest, on that one only', async (t) => {
  const view = await signOffAfter([...requested, superseding(2, 1), becomes(CSO, true)]);
  t.strictSame(statuses(view.versions[0]!), [[MFA, 'pending'], [MOD, 'pending']]);
  t.strictSame(statuses(view.versions[1]!), [[CSO, 'pending'], [MFA, 'pending'], [MOD, 'pending']]);
});

t.test('given a new organisation name, then the endorser shows it, in the view and in what blocks adoption', async (t) => {
  const renamed = await signOffAfter([...requested, event('StakeholderDetailsChanged', { stakeholderId: MFA, organisation: 'Ministry of Foreign Affairs and Trade' })]);
  const v = versionSignOff(renamed)!;
  t.equal(v.endorsers[0]!.organisation, 'Ministry of Foreign Affairs and Trade');
  t.match(v.adoptionBlockedBy[0], { code: 'ENDORSEMENTS_MISSING', pending: [{ organisation: 'Ministry of Foreign Affairs and Trade' }] });
  const both = await signOffAfter([...requested, event('StakeholderDetailsChanged', { stakeholderId: CSO, organisation: 'WPN', endorser: true })]);
  t.equal(versionSignOff(both)!.endorsers[0]!.organisation, 'WPN', 'renamed and made an endorser in one change');
});
