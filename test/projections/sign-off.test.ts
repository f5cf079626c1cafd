// The sign-off view: given these events, then where each required endorser stands per draft version.
import t from 'tap';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import { projectionBase } from '../../src/projections/doc-batch.ts';
import type { ProjectionEvent } from '../../src/projections/projection.ts';
import { signOff, versionSignOff, type SignOffView, type VersionSignOff } from '../../src/projections/sign-off.ts';
import {
  CONSULTATION_ID, CSO, ENDORSEMENT_DEADLINE, JUS, MFA, MOD, accepted, commented, cso, declined, draft, endorsed, endorsementRequested,
  extended, jus, mfa, mod, opened, reinstated, removed, signatory, withheld,
} from '../helpers/domain-spec.ts';
import { globalHistory } from './fixtures/history.ts';
import { costOf, at, recorded, replay, sameFields, viewAfter, type Command } from './fixtures/recorded.ts';

async function signOffAfter(commands: Command[]): Promise<SignOffView> {
  return viewAfter(signOff, recorded(commands));
}
async function versionAfter(commands: Command[], version?: number): Promise<VersionSignOff> {
  const v = versionSignOff(await signOffAfter(commands), version);
  if (!v) throw new Error(`no version ${version ?? 'latest'}`);
  return v;
}
const statuses = (v: VersionSignOff) => v.endorsers.map((x) => [x.stakeholderId, x.status]);
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
const base = [opened, draft(1), cso, mfa, mod];                    // revisions 0-4
const requested = [...base, endorsementRequested(1)];              // 5

t.test('given a draft and endorsers but no request, then every required endorser is pending with no deadline', async (t) => {
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
      request: { status: 'not-requested' },
      endorsementDeadline: null,
      endorsers: [
        { stakeholderId: MFA, organisation: MFA_ORG, invitationDeclined: false, deadline: null, status: 'pending' },
        { stakeholderId: MOD, organisation: MOD_ORG, invitationDeclined: false, deadline: null, status: 'pending' },
      ],
      counts: { required: 2, endorsed: 0, withheld: 0, pending: 2 },
      readyForAdoption: false,
      adopted: false,
      superseded: [],
    }],
    endorsers: [
      { stakeholderId: MFA, organisation: MFA_ORG, endorser: true, endorserHistory: [], removed: false, declined: false, extension: null, decisions: {} },
      { stakeholderId: MOD, organisation: MOD_ORG, endorser: true, endorserHistory: [], removed: false, declined: false, extension: null, decisions: {} },
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
  const v = await versionAfter([...requested, full, endorsed(MOD, 1)]);
  t.strictSame(v.endorsers, [
    {
      stakeholderId: MFA, organisation: MFA_ORG, invitationDeclined: false, deadline: ENDORSEMENT_DEADLINE,
      status: 'endorsed', signatory: { name: 'Ana Popescu', title: 'State Secretary' }, statement: 'The Ministry endorses the plan.', evidence: 'letter 123/2027', endorsedAt: at(6),
    },
    {
      stakeholderId: MOD, organisation: MOD_ORG, invitationDeclined: false, deadline: ENDORSEMENT_DEADLINE,
      status: 'endorsed', signatory, statement: null, evidence: null, endorsedAt: at(7),
    },
  ]);
  sameFields(t, v, { counts: { required: 2, endorsed: 2, withheld: 0, pending: 0 }, readyForAdoption: true });
});

t.test('given EndorsementWithheld, then withheld with the reason and time; not ready', async (t) => {
  const v = await versionAfter([...requested, endorsed(MFA, 1), withheld(MOD, 1)]);
  t.strictSame(v.endorsers[1], {
    stakeholderId: MOD, organisation: MOD_ORG, invitationDeclined: false, deadline: ENDORSEMENT_DEADLINE, status: 'withheld', reason: 'budget not agreed', withheldAt: at(7),
  });
  sameFields(t, v, { counts: { required: 2, endorsed: 1, withheld: 1, pending: 0 }, readyForAdoption: false });
});

t.test('a later decision by the same endorser replaces the earlier one', async (t) => {
  t.strictSame(statuses(await versionAfter([...requested, withheld(MOD, 1), endorsed(MOD, 1)])), [[MFA, 'pending'], [MOD, 'endorsed']]);
  t.strictSame(statuses(await versionAfter([...requested, endorsed(MOD, 1), withheld(MOD, 1)])), [[MFA, 'pending'], [MOD, 'withheld']]);
  t.equal((await versionAfter([...requested, withheld(MOD, 1), endorsed(MFA, 1), endorsed(MOD, 1)])).readyForAdoption, true);
});

t.test('a declined endorser stays required and pending; removed, it is not required; reinstated, it is again', async (t) => {
  const withJus = [...base, jus, endorsementRequested(1), endorsed(MFA, 1), endorsed(MOD, 1)]; // jus: 5, request: 6
  const declinedJus = await versionAfter([...withJus, declined(JUS)]);
  t.strictSame(declinedJus.endorsers[2], {
    stakeholderId: JUS, organisation: 'Ministry of Justice and Security', invitationDeclined: true, deadline: ENDORSEMENT_DEADLINE, status: 'pending',
  });
  sameFields(t, declinedJus, { counts: { required: 3, endorsed: 2, withheld: 0, pending: 1 }, readyForAdoption: false });
  const removedJus = await versionAfter([...withJus, declined(JUS), removed(JUS)]);
  t.strictSame(statuses(removedJus), [[MFA, 'endorsed'], [MOD, 'endorsed']]);
  sameFields(t, removedJus, { counts: { required: 2, endorsed: 2, withheld: 0, pending: 0 }, readyForAdoption: true });
  const reinstatedJus = await versionAfter([...withJus, declined(JUS), removed(JUS), reinstated(JUS)]);
  sameFields(t, reinstatedJus.endorsers[2]!, { status: 'pending', invitationDeclined: false });
  t.equal(reinstatedJus.readyForAdoption, false);
  t.equal((await versionAfter([...withJus, declined(JUS), reinstated(JUS), endorsed(JUS, 1)])).readyForAdoption, true);
});

t.test('an endorser that endorsed and then declined its invitation is pending again, and the version is not ready (as closing says)', async (t) => {
  const history = [...base, jus, endorsementRequested(1), endorsed(MFA, 1), endorsed(MOD, 1), endorsed(JUS, 1), declined(JUS)];
  const v = await versionAfter(history);
  sameFields(t, v.endorsers[2]!, { status: 'pending', invitationDeclined: true });
  sameFields(t, v, { counts: { required: 3, endorsed: 2, withheld: 0, pending: 1 }, readyForAdoption: false });
});

t.test('an endorser removed after deciding: its decision comes back with it when reinstated', async (t) => {
  const history = [...requested, withheld(MOD, 1), removed(MOD)];
  t.strictSame(statuses(await versionAfter(history)), [[MFA, 'pending']]);
  t.strictSame(statuses(await versionAfter([...history, reinstated(MOD)])), [[MFA, 'pending'], [MOD, 'withheld']]);
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

t.test('given ConsultationClosed as adopted, then the adopted version is marked', async (t) => {
  const history = [...requested, endorsed(MFA, 1), endorsed(MOD, 1), event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1 })];
  const view = await signOffAfter(history);
  sameFields(t, view, { status: 'closed', outcome: 'adopted', finalDraftVersion: 1 });
  sameFields(t, view.versions[0]!, { adopted: true, readyForAdoption: true });
  const withdrawn = await signOffAfter([...requested, event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: 1 })]);
  sameFields(t, withdrawn.versions[0]!, { adopted: false });
});

t.test('given a consultation without endorsers, then a version is ready with nothing required (as closing allows)', async (t) => {
  sameFields(t, await versionAfter([opened, draft(1), cso]), { counts: { required: 0, endorsed: 0, withheld: 0, pending: 0 }, readyForAdoption: true });
});

t.test('given events that do not concern sign-off, then its heads change only in the revision they reflect', async (t) => {
  const events = recorded(requested);
  const replayed = await replay(signOff, events);
  const before = await replayed.documents();
  const others = recorded([
    accepted(CSO), declined(CSO), removed(CSO), commented('k-1', MFA), accepted('sh-unknown'),
    extended('comments', 1, '2027-04-01T14:00:00Z', '2027-04-09T14:00:00Z'), endorsed('sh-unknown', 1),
    event('EndorsementRequested', { draftVersion: 9, deadline: ENDORSEMENT_DEADLINE }),
  ], { firstRevision: events.length });
  await replayed.apply(others);
  const heads = (docs: Record<string, unknown>) => Object.fromEntries(Object.entries(docs).filter(([k]) => k.startsWith(`${projectionBase(signOff)} `)));
  t.strictSame(withoutRevisions(heads(await replayed.documents())), withoutRevisions(heads(before)));
  t.equal((await signOff.read(replayed.reader, CONSULTATION_ID))?.lastRevision, events.length + others.length - 1);
  const cso = (await replayed.documents())[`${projectionBase(signOff)}/stakeholders ${CONSULTATION_ID}/${CSO}`] as { doc: unknown };
  t.strictSame(cso.doc, { organisation: "Women's Peace Network", removed: true, declined: true, extension: null },
    'a non-endorser\'s own facts are kept, for the day it becomes one');
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
  t.strictSame(collections.filter((c) => c === projectionBase(signOff)).length, 2, 'one head per consultation');
  t.strictSame(new Set(collections), new Set([projectionBase(signOff), `${projectionBase(signOff)}/stakeholders`]), 'and a document per stakeholder');
  for (const [key, doc] of Object.entries(docs)) {
    for (const derived of ['counts', 'readyForAdoption', 'superseded', 'isLatest', 'adopted', 'invitationDeclined']) {
      t.notOk(JSON.stringify(doc).includes(`"${derived}":`), `${key} holds no ${derived}`);
    }
  }
});

t.test('cost: an event after 1,000 comments reads and writes what it does after one, the same bytes', async (t) => {
  const N = 1000;
  const comments: DomainEvent[] = Array.from({ length: N }, (_, i) => commented(`k-${i + 1}`, i % 2 === 0 ? CSO : MFA));
  const history = (n: number, then: Command): ProjectionEvent[] => recorded([...requested, ...comments.slice(0, n), then]);
  const last = (events: ProjectionEvent[]) => events.length - 1;
  const cases: Array<[string, Command]> = [
    ['CommentSubmitted', commented('k-new', CSO)],
    ['DraftEndorsed', endorsed(MFA, 1)],
    ['DeadlineExtended', extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-10T15:00:00Z')],
    ['DraftPublished', superseding(2, 1)],
  ];
  for (const [name, then] of cases) {
    const small = history(1, then);
    const large = history(N, then);
    const [a, b] = [await costOf(signOff, small, last(small)), await costOf(signOff, large, last(large))];
    t.strictSame([b.reads, b.writes], [1, 1], `${name}: the head only`);
    t.strictSame([a.reads, a.writes], [1, 1]);
    t.ok(Math.abs(b.bytes - a.bytes) <= 4, `${name}: bytes written ${a.bytes} and ${b.bytes} (the revision's digits aside)`);
  }
});

// ---- endorsers changed after their invitation ----

const becomes = (stakeholderId: string, endorser: boolean) => event('StakeholderDetailsChanged', { stakeholderId, endorser });

t.test('given a stakeholder becoming an endorser while a request is open, then it is pending on it, with when it became one', async (t) => {
  const history = [...requested, endorsed(MFA, 1), endorsed(MOD, 1), declined(CSO), becomes(CSO, true)]; // 6-9
  const view = await signOffAfter(history);
  const v = versionSignOff(view)!;
  t.strictSame(statuses(v), [[MFA, 'endorsed'], [MOD, 'endorsed'], [CSO, 'pending']]);
  sameFields(t, v.endorsers[2]!, {
    organisation: "Women's Peace Network", invitationDeclined: true, deadline: ENDORSEMENT_DEADLINE, endorserHistory: [{ change: 'became-endorser', at: at(9) }],
  });
  t.notOk('endorserHistory' in v.endorsers[0]!, 'one that has been an endorser since its invitation has no such history');
  t.strictSame(v.counts, { required: 3, endorsed: 2, withheld: 0, pending: 1 });
  t.equal(v.readyForAdoption, false);
  t.strictSame(view.endorsers[2], {
    stakeholderId: CSO, organisation: "Women's Peace Network", endorser: true, endorserHistory: [{ change: 'became-endorser', at: at(9) }],
    removed: false, declined: true, extension: null, decisions: {},
  }, 'its record starts from its own facts (it declined)');
  t.equal(versionSignOff(await signOffAfter([...history, reinstated(CSO), endorsed(CSO, 1)]))!.readyForAdoption, true);
});

t.test('given an endorser ceasing to be one, then it is no longer required; its decisions stay in its history, not counted', async (t) => {
  const history = [...requested, endorsed(MFA, 1), withheld(MOD, 1), becomes(MOD, false)]; // 6-8
  const view = await signOffAfter(history);
  const v = versionSignOff(view)!;
  t.strictSame(statuses(v), [[MFA, 'endorsed']]);
  t.strictSame(v.counts, { required: 1, endorsed: 1, withheld: 0, pending: 0 });
  t.equal(v.readyForAdoption, true);
  t.strictSame(view.endorsers[1], {
    stakeholderId: MOD, organisation: MOD_ORG, endorser: false, removed: false, declined: false, extension: null, decisions: {},
    endorserHistory: [{ change: 'ceased-to-be-endorser', at: at(8), decisions: { 1: { status: 'withheld', reason: 'budget not agreed', withheldAt: at(7) } } }],
  });
  const again = await signOffAfter([...history, becomes(MOD, true)]);
  t.strictSame(statuses(versionSignOff(again)!), [[MFA, 'endorsed'], [MOD, 'pending']], 'an endorser again: pending, its earlier withholding does not count');
  t.strictSame(again.endorsers[1]!.endorserHistory.map((h) => [h.change, h.at]), [['ceased-to-be-endorser', at(8)], ['became-endorser', at(9)]]);
  t.strictSame(versionSignOff(again)!.endorsers[1]!.endorserHistory, again.endorsers[1]!.endorserHistory, 'the version shows it, earlier decisions included');
});

t.test('given a new organisation name, then the endorser shows it; a stakeholder renamed before becoming an endorser too', async (t) => {
  const renamed = await signOffAfter([...requested, event('StakeholderDetailsChanged', { stakeholderId: MFA, organisation: 'Ministry of Foreign Affairs and Trade' })]);
  t.equal(versionSignOff(renamed)!.endorsers[0]!.organisation, 'Ministry of Foreign Affairs and Trade');
  const view = await signOffAfter([...requested, event('StakeholderDetailsChanged', { stakeholderId: CSO, organisation: 'WPN', kind: 'international' }), becomes(CSO, true)]);
  t.equal(versionSignOff(view)!.endorsers[2]!.organisation, 'WPN');
  const both = await signOffAfter([...requested, event('StakeholderDetailsChanged', { stakeholderId: CSO, organisation: 'WPN', endorser: true })]);
  t.equal(versionSignOff(both)!.endorsers[2]!.organisation, 'WPN', 'renamed and made an endorser in one change');
});
