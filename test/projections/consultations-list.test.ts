// The consultations list: given these events, then this summary.
import t from 'tap';
import { fixtureContacts } from '../helpers/contact-ids.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import { projectionBase } from '../../src/projections/doc-batch.ts';
import type { ProjectionEvent } from '../../src/projections/projection.ts';
import { consultationsList, listConsultations, type ConsultationSummary } from '../../src/projections/consultations-list.ts';
import {
  CONSULTATION_ID, CSO, ENDORSEMENT_DEADLINE, JUS, MFA, MOD, accepted, commented, cso, declined, draft, endorsed, endorsementRequested,
  extended, jus, mfa, mod, opened, reinstated, removed, withheld,
} from '../helpers/domain-spec.ts';
import { OTHER_ID, V1_COMMENT_DEADLINE, aca, eventsA, eventsB, globalHistory } from './fixtures/history.ts';
import { costOf, at, recorded, replay, sameFields, unknownEvent, viewAfter, type Command } from './fixtures/recorded.ts';

/** when the views are read, unless a test says otherwise: after every comment deadline of the fixtures */
const READ_AT = '2027-12-01T09:00:00Z';
async function summaryAfter(commands: Command[], now = READ_AT): Promise<ConsultationSummary> {
  return (await viewAfter(consultationsList, recorded(commands), CONSULTATION_ID, now)).summary;
}
async function countsAfter(commands: Command[]) {
  return (await summaryAfter(commands)).counts;
}
const answered = (commentId: string, response = 'Noted.') => event('CommentAnswered', { commentId, disposition: 'noted', response });
const retracted = (commentId: string) => event('CommentRetracted', { commentId, reason: 'entered by mistake' });
const reviewed = (stakeholderId: string, draftVersion = 1) => event('ReviewCompleted', { stakeholderId, draftVersion });
const V2_DEADLINE = '2027-06-01T17:00:00+03:00';
const base = [opened, draft(1), cso, mfa, mod, jus];

t.test('given ConsultationOpened, then an open consultation with its title, no draft, no deadlines and zero counts', async (t) => {
  t.strictSame(await summaryAfter([opened]), {
    id: CONSULTATION_ID,
    title: 'Third National Action Plan on Women, Peace and Security',
    leadOrganisation: 'Ministry of Defence, Gender Office',
    notifyEmails: [],
    status: 'open',
    outcome: null,
    finalDraftVersion: null,
    currentDraftVersion: null,
    commentDeadline: null,
    endorsementDeadline: null,
    counts: {
      invited: 0, responding: 0, declined: 0, removed: 0, commentsReceived: 0, commentsAnswered: 0, endorsementsReceived: 0, endorsementsRequired: 0, heldRepliesPending: 0,
    },
    readyForAdoption: false,
    adoptionBlockedBy: [],
    openedAt: at(0),
    closedAt: null,
    lastActivityAt: at(0),
  });
});

t.test('given notifyEmails at opening, then changed, then the summary shows the latest list', async (t) => {
  const withOffice = event('ConsultationOpened', { ...(opened.type === 'ConsultationOpened' ? opened.data : ({} as never)), notifyEmails: ['gender.office@mod.example'] });
  t.same((await summaryAfter([withOffice])).notifyEmails, ['gender.office@mod.example']);
  const changed = event('NotifyEmailsChanged', { notifyEmails: ['duty@mod.example', 'gender.office@mod.example'] });
  t.same((await summaryAfter([withOffice, changed])).notifyEmails, ['duty@mod.example', 'gender.office@mod.example']);
  t.same((await summaryAfter([withOffice, changed, event('NotifyEmailsChanged', { notifyEmails: [] })])).notifyEmails, []);
});

t.test('given drafts published, then the current draft is the latest, with its comment deadline', async (t) => {
  const s = await summaryAfter([opened, draft(1), draft(2, V2_DEADLINE)]);
  t.equal(s.currentDraftVersion, 2);
  t.equal(s.commentDeadline, V2_DEADLINE);
});

t.test('given DeadlineExtended for comments, then everyone’s extension moves the deadline and one stakeholder’s does not', async (t) => {
  const history = [opened, draft(1), cso, extended('comments', 1, V1_COMMENT_DEADLINE, '2027-04-08T14:00:00Z')];
  t.equal((await summaryAfter(history)).commentDeadline, '2027-04-08T14:00:00Z');
  t.equal((await summaryAfter([...history, extended('comments', 1, '2027-04-08T14:00:00Z', '2027-04-20T14:00:00Z', CSO)])).commentDeadline, '2027-04-08T14:00:00Z');
  t.equal((await summaryAfter([opened, draft(1), draft(2, V2_DEADLINE), extended('comments', 1, V1_COMMENT_DEADLINE, '2027-09-01T00:00:00Z')])).commentDeadline, V2_DEADLINE,
    'an extension on an older version does not move the current one');
});

t.test('given an endorsement request, then its deadline shows until it is cancelled; extensions for everyone move it', async (t) => {
  const requested = [...base, endorsementRequested(1)];
  t.equal((await summaryAfter(requested)).endorsementDeadline, ENDORSEMENT_DEADLINE);
  t.equal((await summaryAfter([...requested, extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-10T15:00:00Z')])).endorsementDeadline, '2027-05-10T15:00:00Z');
  t.equal((await summaryAfter([...requested, extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-10T15:00:00Z', MFA)])).endorsementDeadline, ENDORSEMENT_DEADLINE);
  t.equal((await summaryAfter([...requested, event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'budget review' })])).endorsementDeadline, null);
  t.equal((await summaryAfter([...requested, [draft(2), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' })]])).endorsementDeadline, null);
  t.equal((await summaryAfter([...requested, event('EndorsementRequestCancelled', { draftVersion: 2, reason: 'no such request' })])).endorsementDeadline, ENDORSEMENT_DEADLINE);
});

t.test('given stakeholders invited, then they count as invited and none as responding yet', async (t) => {
  sameFields(t, await countsAfter(base), { invited: 4, responding: 0, declined: 0, removed: 0 });
});

t.test('responding: accepting, commenting, completing a review or deciding on an endorsement each counts once', async (t) => {
  t.equal((await countsAfter([...base, accepted(MFA)])).responding, 1);
  t.equal((await countsAfter([...base, commented('k-1', CSO)])).responding, 1);
  t.equal((await countsAfter([...base, reviewed(MOD)])).responding, 1);
  t.equal((await countsAfter([...base, endorsementRequested(1), withheld(MOD, 1)])).responding, 1);
  t.equal((await countsAfter([...base, accepted(CSO), commented('k-1', CSO), commented('k-2', CSO), reviewed(CSO)])).responding, 1);
});

t.test('given a declined invitation, then it counts as invited and declined, not responding', async (t) => {
  sameFields(t, await countsAfter([...base, accepted(JUS), declined(JUS)]), { invited: 4, declined: 1, responding: 0 });
});

t.test('given a stakeholder removed, then it is not counted as invited; reinstated, it counts again as before', async (t) => {
  const history = [...base, commented('k-1', CSO), removed(CSO)];
  sameFields(t, await countsAfter(history), { invited: 3, removed: 1, responding: 0 });
  sameFields(t, await countsAfter([...history, reinstated(CSO)]), { invited: 4, removed: 0, responding: 1 });
  sameFields(t, await countsAfter([...base, declined(JUS), reinstated(JUS)]), { invited: 4, declined: 0, responding: 0 }, 'a reinstated decline is pending again');
});

t.test('given comments, answers and retractions, then received and answered count only comments not retracted', async (t) => {
  const history = [...base, commented('k-1', CSO), commented('k-2', CSO), commented('k-3', MFA), answered('k-1'), answered('k-1', 'Revised.'), answered('k-2')];
  sameFields(t, await countsAfter(history), { commentsReceived: 3, commentsAnswered: 2 }, 'a revised answer counts once');
  sameFields(t, await countsAfter([...history, retracted('k-2')]), { commentsReceived: 2, commentsAnswered: 1 }, 'an answered comment retracted');
  sameFields(t, await countsAfter([...history, retracted('k-3')]), { commentsReceived: 2, commentsAnswered: 2 }, 'an unanswered comment retracted');
  sameFields(t, await countsAfter([...history, retracted('k-3'), answered('k-3'), retracted('k-3')]), { commentsReceived: 2, commentsAnswered: 2 }, 'nothing counts twice');
  sameFields(t, await countsAfter([...history, answered('k-unknown'), retracted('k-unknown')]), { commentsReceived: 3, commentsAnswered: 2 });
});

t.test('given a stakeholder’s only comment retracted, then it no longer counts as responding', async (t) => {
  t.equal((await countsAfter([...base, commented('k-1', CSO), retracted('k-1')])).responding, 0);
});

t.test('endorsements: required are the endorsers not removed; received are endorsements of the current draft', async (t) => {
  const requested = [...base, aca, endorsementRequested(1)];
  sameFields(t, await countsAfter(requested), { endorsementsRequired: 3, endorsementsReceived: 0 });
  sameFields(t, await countsAfter([...requested, endorsed(MFA, 1), withheld(MOD, 1)]), { endorsementsReceived: 1 });
  sameFields(t, await countsAfter([...requested, endorsed(MFA, 1), withheld(MOD, 1), endorsed(MOD, 1)]), { endorsementsReceived: 2 }, 'a later decision replaces an earlier one');
  sameFields(t, await countsAfter([...requested, endorsed(MFA, 1), endorsed(MOD, 1), withheld(MOD, 1)]), { endorsementsReceived: 1 });
  sameFields(t, await countsAfter([...requested, endorsed(MFA, 1), removed(JUS)]), { endorsementsRequired: 2, endorsementsReceived: 1 });
  sameFields(t, await countsAfter([...requested, endorsed(MFA, 1), declined(JUS)]), { endorsementsRequired: 3 }, 'one that declined is still required');
  sameFields(t, await countsAfter([...requested, endorsed(MFA, 1), removed(MFA)]), { endorsementsRequired: 2, endorsementsReceived: 0 }, 'a removed endorser’s endorsement is not counted');
  sameFields(t, await countsAfter([...requested, endorsed(MFA, 1), declined(MFA)]), { endorsementsRequired: 3, endorsementsReceived: 0 }, 'an endorsement followed by a declined invitation is not counted');
});

t.test('given a new draft version, then endorsements of the older one are not counted', async (t) => {
  const history = [...base, endorsementRequested(1), endorsed(MFA, 1), endorsed(MOD, 1), [draft(2), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' })]];
  sameFields(t, await countsAfter(history), { endorsementsReceived: 0, endorsementsRequired: 3 });
  sameFields(t, await countsAfter([...history, endorsementRequested(2), endorsed(MOD, 2)]), { endorsementsReceived: 1 });
});

t.test('given ConsultationClosed, then it is closed with its outcome, final version and time', async (t) => {
  const adopted = await summaryAfter([opened, draft(1), event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1 })]);
  sameFields(t, adopted, { status: 'closed', outcome: 'adopted', finalDraftVersion: 1, closedAt: at(2) });
  const withdrawn = await summaryAfter([opened, event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null })]);
  sameFields(t, withdrawn, { status: 'closed', outcome: 'withdrawn', finalDraftVersion: null, closedAt: at(1) });
});

t.test('readiness for adoption of the current draft, by the rule closing applies (adoptionBlockers), at the time of the read', async (t) => {
  const requested = [opened, draft(1), cso, mfa, mod, endorsementRequested(1)];
  const ready = (s: ConsultationSummary) => [s.readyForAdoption, s.adoptionBlockedBy];
  t.strictSame(ready(await summaryAfter([opened])), [false, []], 'no draft: nothing to adopt, no to-do');
  t.strictSame(ready(await summaryAfter([opened, draft(1), cso])), [false, ['NO_ENDORSERS']]);
  t.strictSame(ready(await summaryAfter(requested)), [false, ['ENDORSEMENTS_MISSING']]);
  const endorsedV1 = [...requested, endorsed(MFA, 1), endorsed(MOD, 1)];
  t.strictSame(ready(await summaryAfter(endorsedV1)), [true, []]);
  t.strictSame(ready(await summaryAfter(endorsedV1, '2027-03-01T09:00:00Z')), [false, ['COMMENT_PERIOD_OPEN']], 'read before the comment deadline');
  t.strictSame(ready(await summaryAfter(endorsedV1, V1_COMMENT_DEADLINE)), [false, ['COMMENT_PERIOD_OPEN']], 'at the deadline it is still open');
  const ownTime = [...endorsedV1, extended('comments', 1, V1_COMMENT_DEADLINE, '2027-04-20T14:00:00Z', CSO)];
  t.strictSame(ready(await summaryAfter(ownTime, '2027-04-10T09:00:00Z')), [false, ['COMMENT_PERIOD_OPEN']], 'a stakeholder keeps its own time');
  t.strictSame(ready(await summaryAfter([...ownTime, removed(CSO)], '2027-04-10T09:00:00Z')), [true, []], 'unless it was removed');
  t.strictSame(ready(await summaryAfter([...ownTime, draft(2, '2027-04-05T14:00:00Z')], '2027-04-10T09:00:00Z')), [false, ['ENDORSEMENTS_MISSING']],
    'an extension on an older version does not hold up the current one');
  const withComments = [...endorsedV1, commented('k-1', CSO), commented('k-2', CSO)];
  t.strictSame(ready(await summaryAfter([...withComments, answered('k-1')])), [false, ['COMMENTS_UNANSWERED']]);
  t.strictSame(ready(await summaryAfter([...withComments, answered('k-1'), retracted('k-2')])), [true, []]);
  t.strictSame(ready(await summaryAfter([...requested, commented('k-1', CSO), withheld(MOD, 1)], '2027-03-01T09:00:00Z')),
    [false, ['COMMENTS_UNANSWERED', 'ENDORSEMENTS_MISSING', 'COMMENT_PERIOD_OPEN']], 'every reason at once');
});

t.test('last activity: the time of the latest event of a known type, whatever it is', async (t) => {
  const history: Command[] = [
    opened, draft(1), cso,
    event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, [{ name: 'New focal point', email: 'new@wpn.example' }]) }),
    event('InvitationSent', { stakeholderId: CSO, messageId: 'm-1', sentAt: '2027-03-01T09:30:00Z' }),
  ];
  t.equal((await summaryAfter(history)).lastActivityAt, at(4));
  t.equal((await summaryAfter([...history, event('NoticeSent', { stakeholderId: CSO, messageId: 'm-2', notice: 'new-draft', sentAt: '2027-03-01T10:00:00Z' })])).lastActivityAt, at(5));
  t.equal((await summaryAfter([...history, event('DeliveryFailed', {
    stakeholderId: CSO, messageId: 'm-2', messageKind: 'notice', error: 'x', permanent: false, failedAt: '2027-03-01T10:00:00Z',
  })])).lastActivityAt, at(5));
  const view = await viewAfter(consultationsList, [...recorded(history), unknownEvent(5)]);
  t.equal(view.summary.lastActivityAt, at(4), 'an unknown event type changes nothing');
  const backwards = recorded([opened, { events: [draft(1)], at: '2027-02-01T00:00:00.000Z' }]);
  t.equal((await viewAfter(consultationsList, backwards)).summary.lastActivityAt, at(0), 'a clock that went backwards does not move it back');
});

t.test('given a full history, then the summary of each consultation, in the order they were opened', async (t) => {
  const replayed = await replay(consultationsList, [...eventsA.slice(0, 3), ...eventsB, ...eventsA.slice(3)]);
  const [a, b] = await listConsultations(replayed.reader, READ_AT);
  t.strictSame(a, {
    id: CONSULTATION_ID,
    title: 'Third National Action Plan on Women, Peace and Security',
    leadOrganisation: 'Ministry of Defence, Gender Office',
    notifyEmails: ['gender.office@gov.example'],
    status: 'closed',
    outcome: 'adopted',
    finalDraftVersion: 2,
    currentDraftVersion: 2,
    commentDeadline: '2027-06-01T17:00:00+03:00',
    endorsementDeadline: '2027-07-01T15:00:00Z',
    counts: {
      // ACA removed; JUS reinstated after declining and endorsed v2; the CSO became an endorser and endorsed v2
      invited: 4, responding: 4, declined: 0, removed: 1, commentsReceived: 5, commentsAnswered: 5, endorsementsReceived: 4, endorsementsRequired: 4, heldRepliesPending: 0,
    },
    readyForAdoption: true,
    adoptionBlockedBy: [],
    openedAt: at(0),
    closedAt: at(eventsA.length - 2),
    lastActivityAt: at(eventsA.length - 1),
  });
  sameFields(t, b!, {
    id: OTHER_ID, title: 'Local action plan, Cluj county', status: 'closed', outcome: 'withdrawn',
    counts: { invited: 1, responding: 1, declined: 0, removed: 0, commentsReceived: 1, commentsAnswered: 1, endorsementsReceived: 0, endorsementsRequired: 0, heldRepliesPending: 0 },
  });
});

t.test('listed in the order they were opened, not by id, however the events are batched', async (t) => {
  const third = '00000000-0000-4000-8000-000000000003';
  const eventsC = recorded([{ ...opened, data: { ...opened.data, consultationId: third, title: 'Opened last' } }], { consultationId: third, start: '2027-04-01T09:00:00.000Z' });
  // B (7a1b…) is opened before A (0d5e…), C (0000…) last: the ids sort the other way
  const events = [...eventsB.slice(0, 2), ...eventsA.slice(0, 3), ...eventsB.slice(2), ...eventsC, ...eventsA.slice(3)];
  for (const batch of [1, 4, 1000]) {
    const replayed = await replay(consultationsList, events, batch);
    t.strictSame((await listConsultations(replayed.reader, READ_AT)).map((s) => s.id), [OTHER_ID, CONSULTATION_ID, third], `batches of ${batch}`);
  }
  const replayed = await replay(consultationsList, [...events, ...events]);
  t.strictSame((await listConsultations(replayed.reader, READ_AT)).map((s) => s.id), [OTHER_ID, CONSULTATION_ID, third], 'redelivered, they keep their places');
  t.strictSame(await listConsultations((await replay(consultationsList, []).then((r) => r.reader)), READ_AT), [], 'none yet: an empty list');
});

t.test('the same documents whether redelivered or not, and whatever the batches', async (t) => {
  const events = globalHistory();
  const once = await (await replay(consultationsList, events)).documents();
  t.strictSame(await (await replay(consultationsList, [...events, ...events])).documents(), once, 'everything delivered twice');
  t.strictSame(await (await replay(consultationsList, events.flatMap((e) => [e, e]))).documents(), once, 'each event delivered twice in a row');
  const withRedeliveries = events.flatMap((e, i) => (i % 5 === 4 ? [e, ...events.slice(i - 4, i + 1)] : [e]));
  t.strictSame(await (await replay(consultationsList, withRedeliveries)).documents(), once, 'earlier events redelivered in between');
  t.strictSame(await (await replay(consultationsList, events, 1000)).documents(), once, 'one batch');
  t.strictSame(await (await replay(consultationsList, withRedeliveries, 7)).documents(), once, 'redeliveries in batches of 7');
});

t.test('the stored documents hold facts, not the counts derived from them', async (t) => {
  const docs = await (await replay(consultationsList, globalHistory())).documents();
  const heads = Object.entries(docs).filter(([k]) => k.startsWith(`${projectionBase(consultationsList)} `));
  t.equal(heads.length, 2);
  for (const [key, doc] of heads) t.notOk(JSON.stringify(doc).includes('"counts":'), `${key} holds no counts`);
  t.ok(Object.keys(docs).some((k) => k.startsWith(`${projectionBase(consultationsList)}/comments ${CONSULTATION_ID}/k-1`)), 'a comment has its own document');
});

t.test('cost: an event on the 1,001st comment reads and writes as many documents (and about as many bytes) as on the 2nd', async (t) => {
  const N = 1001;
  const comments: DomainEvent[] = Array.from({ length: N }, (_, i) => commented(`k-${i + 1}`, i % 2 === 0 ? CSO : MFA));
  const prefix = [opened, draft(1), cso, mfa, mod, jus];
  const history = (n: number, then: Command): ProjectionEvent[] => recorded([...prefix, ...comments.slice(0, n), then]);
  const last = (events: ProjectionEvent[]) => events.length - 1;
  const cases: Array<[string, (n: number) => Command]> = [
    ['CommentSubmitted', (n) => commented(`k-${n + 1}`, CSO)],
    ['CommentAnswered', (n) => answered(`k-${n}`)],
    ['CommentRetracted', (n) => retracted(`k-${n}`)],
    ['InvitationAccepted', () => accepted(MOD)],
    ['DraftPublished', () => draft(2)],
  ];
  for (const [name, then] of cases) {
    const small = history(1, then(1));
    const large = history(N - 1, then(N - 1));
    const [a, b] = [await costOf(consultationsList, small, last(small)), await costOf(consultationsList, large, last(large))];
    t.equal(b.reads, a.reads, `${name}: documents read`);
    t.equal(b.writes, a.writes, `${name}: documents written`);
    t.ok(b.bytes - a.bytes <= 24, `${name}: bytes written ${a.bytes} and ${b.bytes}`);
  }
  const submitted = history(N - 1, commented(`k-${N}`, CSO));
  t.strictSame(await costOf(consultationsList, submitted, last(submitted)).then((c) => [c.reads, c.writes]), [3, 3], 'a comment: the head, its own document and its stakeholder\'s facts');
});

t.test('given StakeholderDetailsChanged, then becoming an endorser counts it as required, ceasing no longer counts its endorsement', async (t) => {
  const requested = [...base, endorsementRequested(1), endorsed(MFA, 1), endorsed(MOD, 1), endorsed(JUS, 1)];
  sameFields(t, await countsAfter(requested), { endorsementsRequired: 3, endorsementsReceived: 3 });
  const became = [...requested, event('StakeholderDetailsChanged', { stakeholderId: CSO, endorser: true })];
  sameFields(t, await countsAfter(became), { endorsementsRequired: 4, endorsementsReceived: 3 }, 'the CSO is pending');
  const ceased = [...became, event('StakeholderDetailsChanged', { stakeholderId: MOD, endorser: false })];
  sameFields(t, await countsAfter(ceased), { endorsementsRequired: 3, endorsementsReceived: 2, responding: 3 }, 'its earlier endorsement still makes it responding');
  const again = [...ceased, event('StakeholderDetailsChanged', { stakeholderId: MOD, endorser: true })];
  sameFields(t, await countsAfter(again), { endorsementsRequired: 4, endorsementsReceived: 2 }, 'an endorser again: pending, what it decided before does not count');
  sameFields(t, await countsAfter([...again, event('StakeholderDetailsChanged', { stakeholderId: MOD, organisation: 'MoD', language: 'ro' })]), {
    endorsementsRequired: 4, endorsementsReceived: 2,
  }, 'other details change no count');
});
