// The stakeholders view: given these events, then these rows.
import t, { type Test } from 'tap';
import { fixtureContactId, fixtureContacts } from '../helpers/contact-ids.ts';
import { event } from '../../src/domain/events.ts';
import { docReader, projectionBase } from '../../src/projections/doc-batch.ts';
import { docKey, type DocPlace, type ProjectionEvent } from '../../src/projections/projection.ts';
import {
  awaitingAnswer, readStakeholder, readStakeholderMessages, readStakeholdersPage, RECENT_MESSAGES, RECENT_REMINDERS, stakeholders, StakeholdersView, type StakeholderRow,
} from '../../src/projections/stakeholders.ts';
import {
  COMMENT_DEADLINE, CONSULTATION_ID, CSO, ENDORSEMENT_DEADLINE, JUS, MFA, MOD, accepted, commented, cso, declined, draft, endorsed,
  endorsementRequested, extended, invited, jus, mfa, mod, opened, reinstated, removed, withheld,
} from '../helpers/domain-spec.ts';
import { globalHistory, OTHER_ID, V1_COMMENT_DEADLINE } from './fixtures/history.ts';
import { CountingViewStore, assertPlainJson, at, recorded, replay, Replayed, sameFields, viewAfter, type Command } from './fixtures/recorded.ts';

function viewOf(commands: Command[]): Promise<StakeholdersView> {
  return viewAfter(stakeholders, recorded(commands));
}
async function rowOf(commands: Command[], id: string): Promise<StakeholderRow> {
  const row = (await viewOf(commands)).stakeholders.find((x) => x.id === id);
  if (!row) throw new Error(`no row for ${id}`);
  return row;
}
/** The projection's documents, the heads' `lastRevision` left out (every event moves it). */
async function documentsBesideRevision(replayed: Replayed): Promise<Record<string, unknown>> {
  const heads = `${projectionBase(stakeholders)} `;
  return Object.fromEntries(Object.entries(await replayed.documents()).map(([key, value]) => {
    if (!key.startsWith(heads)) return [key, value];
    const { order, doc } = value as { order: number; doc: { view: unknown } };
    return [key, { order, view: doc.view }];
  }));
}
/** Fails unless the later commands change no document of the view (beyond the head's revision). */
async function changeNothing(t: Test, history: Command[], later: Command[], message: string): Promise<void> {
  const events = recorded(history);
  const replayed = await replay(stakeholders, events);
  const before = await documentsBesideRevision(replayed);
  await replayed.apply(recorded(later, { firstRevision: events.length }));
  t.strictSame(await documentsBesideRevision(replayed), before, message);
}
const statusOf = async (commands: Command[], id = CSO) => (await rowOf(commands, id)).invitationStatus;
const sent = (stakeholderId: string, messageId: string, sentAt: string) => event('InvitationSent', { stakeholderId, messageId, sentAt });
const noticeSent = (stakeholderId: string, messageId: string, sentAt: string) =>
  event('NoticeSent', { stakeholderId, messageId, notice: 'new-draft', draftVersion: 2, sentAt });
const failed = (stakeholderId: string, messageId: string, failedAt: string, permanent = false) =>
  event('DeliveryFailed', { stakeholderId, messageId, messageKind: 'invitation', error: '550 mailbox unavailable', permanent, failedAt });
const retracted = (commentId: string) => event('CommentRetracted', { commentId, reason: 'entered by mistake' });
const reviewed = (stakeholderId: string, draftVersion = 1) => event('ReviewCompleted', { stakeholderId, draftVersion });
const superseding = (version: number, cancelled: number) =>
  [draft(version), event('EndorsementRequestCancelled', { draftVersion: cancelled, reason: 'superseded' })];
const base = [opened, draft(1), cso, mfa, mod, jus];

t.test('given StakeholderInvited, then a row with who it is, invited, awaiting its response and comments', async (t) => {
  const view = await viewOf([opened, draft(1), cso]);
  t.strictSame(view, {
    consultationId: CONSULTATION_ID,
    status: 'open',
    currentDraftVersion: 1,
    commentDeadline: '2027-04-01T17:00:00+03:00',
    endorsementRequest: null,
    stakeholders: [{
      id: CSO,
      organisation: "Women's Peace Network",
      kind: 'civil-society',
      contacts: [{
        contactId: fixtureContactId(CSO, 'focal@wpn.example'), name: "Focal point of Women's Peace Network", email: 'focal@wpn.example',
        messages: [], messageCounts: { sent: 0, failed: 0 },
      }],
      otherMessages: [],
      language: 'en',
      endorser: false,
      replyDomains: [],
      invitationStatus: 'invited',
      response: 'pending',
      declineReason: null,
      removal: null,
      invitationSentAt: null,
      lastMessageSentAt: null,
      lastDeliveryFailure: null,
      extensions: { comments: null, endorsement: null },
      ownDeadlines: { comments: null, endorsement: null },
      commentsByVersion: {},
      reviewedVersions: [],
      reviewCompleted: false,
      reminders: [],
      remindersSent: 0,
      decisions: {},
      earlierDecisions: {},
      endorsement: 'not-an-endorser',
      lastActivityAt: at(2),
      lastResponseAt: null,
      newLinkRequest: null,
      awaiting: ['response', 'comments'],
    }],
  });
});

t.test('given several stakeholders invited, then one row each, in invitation order; an endorser is marked', async (t) => {
  const view = await viewOf(base);
  t.same(view.stakeholders.map((x) => [x.id, x.kind, x.endorser]), [[CSO, 'civil-society', false], [MFA, 'ministry', true], [MOD, 'ministry', true], [JUS, 'ministry', true]]);
});

t.test('given StakeholderContactsChanged, then the row shows the new contacts', async (t) => {
  const contacts = [{ name: 'New focal point', email: 'new@wpn.example' }, { name: 'Deputy', email: 'deputy@wpn.example' }];
  const row = await rowOf([opened, cso, event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, contacts) })], CSO);
  t.strictSame(row.contacts.map(({ contactId, name, email }) => ({ contactId, name, email })), fixtureContacts(CSO, contacts), 'names, addresses and contact ids');
  t.equal(row.lastActivityAt, at(2));
});

t.test('invitation status: invited, then e-mailed once an InvitationSent is recorded', async (t) => {
  t.equal(await statusOf([opened, cso]), 'invited');
  t.equal(await statusOf([opened, cso, noticeSent(CSO, 'n-1', '2027-03-01T10:00:00Z')]), 'invited', 'only an invitation makes it e-mailed');
  const row = await rowOf([opened, cso, sent(CSO, 'inv-1', '2027-03-01T10:00:00Z')], CSO);
  sameFields(t, row, { invitationStatus: 'e-mailed', invitationSentAt: '2027-03-01T10:00:00Z', lastMessageSentAt: '2027-03-01T10:00:00Z' });
});

t.test('invitation status: delivery-failed while the last message to it failed and nothing was sent after', async (t) => {
  const bounced = [opened, cso, failed(CSO, 'inv-1', '2027-03-01T10:01:00Z', true)];
  const row = await rowOf(bounced, CSO);
  t.equal(row.invitationStatus, 'delivery-failed', 'the invitation itself bounced');
  t.strictSame(row.lastDeliveryFailure, { messageId: 'inv-1', messageKind: 'invitation', error: '550 mailbox unavailable', permanent: true, failedAt: '2027-03-01T10:01:00Z' });
  const failedAfterSent = [opened, cso, sent(CSO, 'inv-1', '2027-03-01T10:00:00Z'), failed(CSO, 'n-1', '2027-03-02T10:00:00Z')];
  t.equal(await statusOf(failedAfterSent), 'delivery-failed', 'a later message failed');
  t.equal(await statusOf([...failedAfterSent, noticeSent(CSO, 'n-2', '2027-03-03T10:00:00Z')]), 'e-mailed', 'something was sent after');
  t.equal(await statusOf([opened, cso, failed(CSO, 'inv-1', '2027-03-01T10:01:00Z'), sent(CSO, 'inv-1', '2027-03-01T10:05:00Z')]), 'e-mailed', 'a retry of the failed message went out');
  t.equal(await statusOf([opened, cso, sent(CSO, 'inv-2', '2027-03-01T12:00:00Z'), failed(CSO, 'inv-1', '2027-03-01T10:01:00Z')]), 'e-mailed',
    'a failure recorded late, of a message older than the last one sent');
  const twoFailures = await rowOf([...bounced, failed(CSO, 'inv-0', '2027-03-01T09:00:00Z')], CSO);
  t.equal(twoFailures.lastDeliveryFailure?.messageId, 'inv-1', 'the latest failure by failedAt is kept');
});

t.test('invitation status precedence: removed > declined > accepted > delivery-failed > e-mailed > invited', async (t) => {
  const mailed = [opened, cso, sent(CSO, 'inv-1', '2027-03-01T10:00:00Z')];
  t.equal(await statusOf([...mailed, accepted(CSO), failed(CSO, 'n-1', '2027-03-05T10:00:00Z')]), 'accepted');
  t.equal(await statusOf([...mailed, accepted(CSO), declined(CSO)]), 'declined', 'declining after accepting');
  t.equal(await statusOf([...mailed, declined(CSO), removed(CSO)]), 'removed');
  t.equal(await statusOf([...mailed, accepted(CSO), removed(CSO)]), 'removed');
});

t.test('given a declined invitation, then declined with its reason; reinstated, it is pending again', async (t) => {
  const history = [opened, cso, sent(CSO, 'inv-1', '2027-03-01T10:00:00Z'), event('InvitationDeclined', { stakeholderId: CSO, reason: 'no capacity this year' })];
  sameFields(t, await rowOf(history, CSO), { invitationStatus: 'declined', response: 'declined', declineReason: 'no capacity this year', awaiting: [] });
  sameFields(t, await rowOf([...history, reinstated(CSO)], CSO), { invitationStatus: 'e-mailed', response: 'pending', declineReason: null, awaiting: ['response'] });
});

t.test('given a stakeholder removed, then removed with reason and time, awaited for nothing; reinstated, as it was', async (t) => {
  const history = [...base, accepted(MFA), endorsementRequested(1), removed(MFA)];
  sameFields(t, await rowOf(history, MFA), { invitationStatus: 'removed', removal: { reason: 'left the coalition', removedAt: at(8) }, awaiting: [] });
  sameFields(t, await rowOf([...history, reinstated(MFA)], MFA), { invitationStatus: 'accepted', removal: null, awaiting: ['comments', 'endorsement'] });
});

t.test('given comments, then counted per draft version; a retracted one is not counted', async (t) => {
  const history = [opened, draft(1), cso, commented('k-1', CSO, 1), commented('k-2', CSO, 1, null), draft(2), commented('k-3', CSO, 2, 's2')];
  t.strictSame((await rowOf(history, CSO)).commentsByVersion, { 1: 2, 2: 1 });
  t.strictSame((await rowOf([...history, retracted('k-1')], CSO)).commentsByVersion, { 1: 1, 2: 1 });
  const noneLeftOnV2 = await rowOf([...history, retracted('k-3')], CSO);
  t.strictSame(noneLeftOnV2.commentsByVersion, { 1: 2 });
  t.strictSame(noneLeftOnV2.awaiting, ['comments'], 'awaited for comments on the current version again');
  t.strictSame((await rowOf([...history, retracted('k-3'), retracted('k-3')], CSO)).commentsByVersion, { 1: 2 }, 'a retraction counts once');
});

t.test('given ReviewCompleted for the current version, then review completed and no comments awaited; a new draft asks again', async (t) => {
  const history = [...base, reviewed(MOD)];
  sameFields(t, await rowOf(history, MOD), { reviewedVersions: [1], reviewCompleted: true, awaiting: [] });
  sameFields(t, await rowOf([...history, draft(2)], MOD), { reviewedVersions: [1], reviewCompleted: false, awaiting: ['comments'] });
  sameFields(t, await rowOf([...history, draft(2), reviewed(MOD, 2)], MOD), { reviewedVersions: [1, 2], reviewCompleted: true, awaiting: [] });
});

t.test('given ReminderSent, then the reminder is listed with when, phase and the deadline it reminded of', async (t) => {
  const reminder = { stakeholderId: CSO, messageId: 'rem-1', phase: 'comments', draftVersion: 1, deadline: V1_COMMENT_DEADLINE, sentAt: '2027-03-30T08:00:00Z' } as const;
  const row = await rowOf([opened, draft(1), cso, event('ReminderSent', reminder)], CSO);
  t.strictSame(row.reminders, [{ messageId: 'rem-1', phase: 'comments', draftVersion: 1, deadline: V1_COMMENT_DEADLINE, sentAt: '2027-03-30T08:00:00Z' }]);
  t.equal(row.lastMessageSentAt, '2027-03-30T08:00:00Z');
  t.equal(row.invitationStatus, 'invited', 'a reminder is not an invitation');
  t.equal(row.remindersSent, 1);
});

t.test('given more reminders than a row lists, then the latest are listed (oldest first) and every one is counted', async (t) => {
  const reminders = Array.from({ length: RECENT_REMINDERS + 5 }, (_, i) => event('ReminderSent', {
    stakeholderId: CSO, messageId: `rem-${i + 1}`, phase: 'comments', draftVersion: 1, deadline: V1_COMMENT_DEADLINE, sentAt: `2027-03-${String(10 + i).padStart(2, '0')}T08:00:00Z`,
  }));
  const row = await rowOf([opened, draft(1), cso, ...reminders], CSO);
  t.equal(row.reminders.length, RECENT_REMINDERS);
  t.same(row.reminders.map((r) => r.messageId), Array.from({ length: RECENT_REMINDERS }, (_, i) => `rem-${i + 6}`));
  t.equal(row.remindersSent, RECENT_REMINDERS + 5);
});

t.test('own deadlines: a stakeholder’s comment extension shows for the current version while later than everyone’s', async (t) => {
  const history = [opened, draft(1), cso, mfa, extended('comments', 1, V1_COMMENT_DEADLINE, '2027-04-10T14:00:00Z', CSO)];
  const row = await rowOf(history, CSO);
  t.strictSame(row.ownDeadlines, { comments: '2027-04-10T14:00:00Z', endorsement: null });
  t.strictSame(row.extensions.comments, { draftVersion: 1, deadline: '2027-04-10T14:00:00Z', reason: 'requested more time' });
  t.strictSame((await rowOf(history, MFA)).ownDeadlines, { comments: null, endorsement: null }, 'nobody else’s');
  t.equal((await rowOf([...history, extended('comments', 1, V1_COMMENT_DEADLINE, '2027-04-20T14:00:00Z')], CSO)).ownDeadlines.comments, null,
    'everyone’s extension overtook it');
  t.equal((await rowOf([...history, extended('comments', 1, V1_COMMENT_DEADLINE, '2027-04-05T14:00:00Z')], CSO)).ownDeadlines.comments, '2027-04-10T14:00:00Z',
    'still later than everyone’s');
  t.equal((await rowOf([...history, draft(2)], CSO)).ownDeadlines.comments, null, 'it was for an older version');
});

t.test('own deadlines: an endorser’s extension shows while the request it was granted on is open', async (t) => {
  const history = [...base, endorsementRequested(1), extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-08T15:00:00Z', MFA)];
  t.equal((await rowOf(history, MFA)).ownDeadlines.endorsement, '2027-05-08T15:00:00Z');
  t.equal((await rowOf(history, MOD)).ownDeadlines.endorsement, null);
  t.equal((await rowOf([...history, event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'budget review' })], MFA)).ownDeadlines.endorsement, null);
  t.equal((await rowOf([...history, ...superseding(2, 1), endorsementRequested(2)], MFA)).ownDeadlines.endorsement, null, 'a request for a newer version');
});

t.test('given everyone’s deadlines extended, then the view shows the new ones; an own extension they overtook no longer shows', async (t) => {
  const history = [...base, endorsementRequested(1), extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-08T15:00:00Z', MFA)];
  const view = await viewOf([...history, extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-20T15:00:00Z')]);
  t.strictSame(view.endorsementRequest, { draftVersion: 1, deadline: '2027-05-20T15:00:00Z' });
  t.equal(view.stakeholders.find((x) => x.id === MFA)?.ownDeadlines.endorsement, null);
  const comments = await viewOf([...history, extended('comments', 1, V1_COMMENT_DEADLINE, '2027-04-08T14:00:00Z')]);
  t.equal(comments.commentDeadline, '2027-04-08T14:00:00Z');
  await changeNothing(t, [...history, event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'budget review' }), draft(2)], [
    extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-30T15:00:00Z'), extended('comments', 1, V1_COMMENT_DEADLINE, '2027-04-30T14:00:00Z'),
  ], 'extensions for a request no longer open or an older draft change nothing');
});

t.test('endorsement status on the current draft: not-an-endorser, not-requested, pending, endorsed, withheld', async (t) => {
  t.equal((await rowOf(base, CSO)).endorsement, 'not-an-endorser');
  t.equal((await rowOf(base, MFA)).endorsement, 'not-requested');
  const requested = [...base, endorsementRequested(1)];
  sameFields(t, await rowOf(requested, MFA), { endorsement: 'pending', awaiting: ['response', 'comments', 'endorsement'] });
  sameFields(t, await rowOf([...requested, endorsed(MFA, 1)], MFA), { endorsement: 'endorsed', decisions: { 1: 'endorsed' }, awaiting: [] });
  t.equal((await rowOf([...requested, endorsed(MFA, 1), withheld(MFA, 1)], MFA)).endorsement, 'withheld', 'a later decision replaces the earlier one');
  t.equal((await rowOf([...requested, withheld(MFA, 1), endorsed(MFA, 1)], MFA)).endorsement, 'endorsed');
});

t.test('given a new draft version, then an endorsement of the older one no longer shows as the current status', async (t) => {
  const history = [...base, endorsementRequested(1), endorsed(MFA, 1), ...superseding(2, 1)];
  sameFields(t, await rowOf(history, MFA), { endorsement: 'not-requested', decisions: { 1: 'endorsed' } });
  t.equal((await rowOf([...history, endorsementRequested(2)], MFA)).endorsement, 'pending');
});

t.test('who has not answered, at a glance', async (t) => {
  const history = [
    ...base, accepted(MFA), commented('k-1', CSO), reviewed(MOD), declined(JUS), endorsementRequested(1), endorsed(MOD, 1),
  ];
  const view = await viewOf(history);
  t.same(view.stakeholders.map((x) => [x.id, x.awaiting]), [
    [CSO, []],
    [MFA, ['comments', 'endorsement']],
    [MOD, []],
    [JUS, []],
  ]);
  t.same(awaitingAnswer(view).map((x) => x.id), [MFA]);
  const closed = await viewOf([...history, event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null })]);
  t.same(awaitingAnswer(closed), [], 'nothing is awaited once the consultation is closed');
  t.equal(closed.status, 'closed');
});

t.test('last activity: the latest event concerning the stakeholder; last response: its own latest act', async (t) => {
  const history = [
    opened, draft(1), cso, mfa,                                    // 0-3
    sent(CSO, 'inv-1', '2027-03-01T10:00:00Z'),                    // 4
    accepted(CSO),                                                 // 5
    commented('k-1', CSO),                                         // 6
    accepted(MFA),                                                 // 7
    event('CommentAnswered', { commentId: 'k-1', disposition: 'noted', response: 'Thanks.' }), // 8
    draft(2),                                                      // 9
  ];
  sameFields(t, await rowOf(history, CSO), { lastActivityAt: at(8), lastResponseAt: at(6) });
  sameFields(t, await rowOf(history, MFA), { lastActivityAt: at(7), lastResponseAt: at(7) });
  sameFields(t, await rowOf(history.slice(0, 5), CSO), { lastActivityAt: at(4), lastResponseAt: null }, 'a message to it is activity, not a response');
  sameFields(t, await rowOf([...history, extended('comments', 2, V1_COMMENT_DEADLINE, '2027-09-01T00:00:00Z', CSO)], CSO), { lastActivityAt: at(10) });
  sameFields(t, await rowOf([...history, retracted('k-1')], CSO), { lastActivityAt: at(10), lastResponseAt: at(6) });
});

t.test('given events about unknown stakeholders or comments, then the view is unchanged', async (t) => {
  await changeNothing(t, [...base, commented('k-1', CSO)], [
    accepted('sh-unknown'), reviewed('sh-unknown'), event('CommentAnswered', { commentId: 'k-unknown', disposition: 'noted', response: 'x' }),
    retracted('k-unknown'), event('DraftPublished', { version: 1, sections: [], commentDeadline: V1_COMMENT_DEADLINE }),
  ], 'no document but the head\'s revision changes');
});

t.test('rows come in invitation order, whatever their ids', async (t) => {
  const view = await viewOf([opened, draft(1), jus, cso, invited('sh-0-first-by-key', 'Academic network', 'an@uni.example'), mfa]);
  t.strictSame(view.stakeholders.map((x) => x.id), [JUS, CSO, 'sh-0-first-by-key', MFA]);
});

t.test('ids named after Object.prototype members are ordinary ids', async (t) => {
  const before = Object.getOwnPropertyNames(Object.prototype).sort();
  const history = [
    opened, draft(1), invited('__proto__', 'Proto network', 'p@proto.example'), invited('constructor', 'Builders', 'c@build.example', true),
    commented('__proto__', 'constructor'), commented('hasOwnProperty', '__proto__'), retracted('hasOwnProperty'), endorsed('constructor', 1),
    event('CommentAnswered', { commentId: '__proto__', disposition: 'noted', response: 'x' }),
  ];
  const view = await viewOf(history);
  t.strictSame(view.stakeholders.map((x) => [x.id, x.commentsByVersion, x.decisions, x.lastActivityAt]), [
    ['__proto__', {}, {}, at(6)],
    ['constructor', { 1: 1 }, { 1: 'endorsed' }, at(8)],
  ]);
  const replayed = await replay(stakeholders, recorded(history));
  t.equal((await readStakeholder(replayed.reader, CONSULTATION_ID, '__proto__'))?.stakeholder?.organisation, 'Proto network');
  t.equal((await readStakeholder(replayed.reader, CONSULTATION_ID, 'toString'))?.stakeholder, null);
  t.strictSame(Object.getOwnPropertyNames(Object.prototype).sort(), before, 'nothing added to Object.prototype');
});

t.test('readStakeholder: one row from its own document, as the list shows it, with the revision the view reflects', async (t) => {
  const events = recorded([...base, accepted(MFA), commented('k-1', MFA), endorsementRequested(1), extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-08T15:00:00Z', MFA)]);
  const replayed = await replay(stakeholders, events);
  const listed = await stakeholders.read(replayed.reader, CONSULTATION_ID);
  const one = await readStakeholder(replayed.reader, CONSULTATION_ID, MFA);
  t.strictSame(one, { stakeholder: listed?.view.stakeholders.find((x) => x.id === MFA), lastRevision: events.length - 1, stale: false });
  sameFields(t, one!.stakeholder!, { ownDeadlines: { comments: null, endorsement: '2027-05-08T15:00:00Z' }, endorsement: 'pending', awaiting: ['endorsement'] });
  t.strictSame(await readStakeholder(replayed.reader, CONSULTATION_ID, 'sh-unknown'), { stakeholder: null, lastRevision: events.length - 1, stale: false },
    'a stakeholder it does not know');
  t.equal(await readStakeholder(replayed.reader, OTHER_ID, MFA), null, 'a consultation it does not know');
});

t.test('readStakeholder over an older version\'s documents it cannot read (served stale while this one builds): VIEWS_REBUILDING', async (t) => {
  const replayed = await replay(stakeholders, recorded(base));
  const stale = docReader(replayed.store, projectionBase(stakeholders), true);
  t.strictSame((await readStakeholder(stale, CONSULTATION_ID, MFA))?.stale, true, 'documents it can read are served, marked stale');
  const key = docKey(CONSULTATION_ID, MFA);
  await replayed.store.commit('older', null, '1', [{ collection: `${projectionBase(stakeholders)}/stakeholders`, key, doc: { id: MFA, invited: true } }]);
  await t.rejects(readStakeholder(stale, CONSULTATION_ID, MFA), { code: 'VIEWS_REBUILDING' });
  await replayed.store.commit('older', '1', '2', [{ collection: projectionBase(stakeholders), key: CONSULTATION_ID, doc: { lastRevision: 3, view: { rows: [] } } }]);
  await t.rejects(readStakeholder(stale, CONSULTATION_ID, CSO), { code: 'VIEWS_REBUILDING' }, 'nor a head it cannot read');
});

t.test('documents: plain JSON; the served view parses with its schema to exactly itself', async (t) => {
  const replayed = await replay(stakeholders, globalHistory());
  assertPlainJson(t, await replayed.documents(), 'documents');
  for (const id of [CONSULTATION_ID, OTHER_ID]) {
    const slot = await stakeholders.read(replayed.reader, id);
    if (!slot) throw new Error(`no view of ${id}`);
    assertPlainJson(t, slot.view);
    t.strictSame(StakeholdersView.parse(slot.view), slot.view, `${id}: nothing stripped or rewritten`);
  }
});

t.test('redelivered events change nothing; one event per batch or all in one batch, the same documents', async (t) => {
  const events = globalHistory();
  const once = await (await replay(stakeholders, events)).documents();
  t.ok(Object.keys(once).some((key) => key.includes('/comments ')) && Object.keys(once).some((key) => key.includes('/stakeholders ')), 'the history fills every collection');
  t.strictSame(await (await (await replay(stakeholders, events)).apply(events)).documents(), once, 'the whole history delivered twice');
  const redelivered = events.flatMap((e, i) => [e, ...events.slice(Math.max(0, i - 3), i)]);
  t.strictSame(await (await replay(stakeholders, redelivered)).documents(), once, 'earlier events redelivered between the others');
  t.strictSame(await (await replay(stakeholders, redelivered, 1000)).documents(), once, 'redelivered within one batch');
  t.strictSame(await (await replay(stakeholders, events, 1000)).documents(), once, 'all in one batch');
  t.strictSame(await (await replay(stakeholders, events, 7)).documents(), once, 'seven events per batch');
});

// ---- cost: what one event reads and writes, counted at the view store (no clock involved) ----


interface Cost {
  gets: number;
  lists: number;
  /** the stored collections of the documents written, sorted */
  written: string[];
  bytes: number;
}

/** Applies one event in a batch of its own and counts what that cost at the view store. */
async function costOf(replayed: Replayed, store: CountingViewStore, e: ProjectionEvent): Promise<Cost> {
  const [gets, lists, commits] = [store.gets, store.lists, store.commits.length];
  await replayed.apply([e]);
  const changes = store.commits.slice(commits).flat();
  return {
    gets: store.gets - gets,
    lists: store.lists - lists,
    written: changes.map((c) => c.collection).sort(),
    bytes: changes.reduce((n, c) => n + Buffer.byteLength(JSON.stringify(c.doc)), 0),
  };
}

t.test('cost: the 1,001st comment (its answer, its retraction) reads and writes what the 2nd did; a consultation-wide change writes only the head', async (t) => {
  const people = Array.from({ length: 60 }, (_, i) => `5c0f3a2e-1000-4000-8000-${String(i).padStart(12, '0')}`);
  const commentId = (n: number) => `k-${String(n).padStart(4, '0')}`;
  const answered = (n: number) => event('CommentAnswered', { commentId: commentId(n), disposition: 'noted', response: 'Thank you.' });
  const commands: Command[] = [
    opened, draft(1),
    // alike but for their numbers, so that two rows differ in bytes only by what happened to them
    ...people.map((id, i) => invited(id, `Organisation ${String(i).padStart(2, '0')}`, `focal-${String(i).padStart(2, '0')}@org.example`, true)),
    ...Array.from({ length: 1001 }, (_, i) => commented(commentId(i + 1), people[i % people.length]!)),
    answered(2), answered(1001), retracted(commentId(2)), retracted(commentId(1001)),
    draft(2), endorsementRequested(2), extended('comments', 2, COMMENT_DEADLINE, '2027-04-20T14:00:00Z'),
    extended('endorsement', 2, ENDORSEMENT_DEADLINE, '2027-05-20T15:00:00Z'), event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null }),
  ];
  const events = recorded(commands);
  const store = new CountingViewStore();
  const replayed = new Replayed(stakeholders, store);
  const comment = (n: number) => 2 + people.length + n - 1;
  const rest = comment(1001) + 1;

  await replayed.apply(events.slice(0, comment(2)), 1000);
  const second = await costOf(replayed, store, events[comment(2)]!);
  await replayed.apply(events.slice(comment(2) + 1, comment(1001)), 1000);
  const thousandFirst = await costOf(replayed, store, events[comment(1001)]!);
  const base = projectionBase(stakeholders);
  t.strictSame(second.written, [base, `${base}/comments`, `${base}/stakeholders`], 'a comment writes the head, its own document and its stakeholder\'s');
  t.strictSame({ ...thousandFirst, bytes: 0 }, { ...second, bytes: 0 }, 'the 1,001st comment reads and writes the same documents as the 2nd');
  t.equal(second.lists + thousandFirst.lists, 0, 'applying lists nothing');
  t.ok(Math.abs(thousandFirst.bytes - second.bytes) <= 8, `and about as many bytes (${second.bytes}, ${thousandFirst.bytes})`);

  const costs: Cost[] = [];
  for (const e of events.slice(rest)) costs.push(await costOf(replayed, store, e));
  const [a2, a1001, r2, r1001, ...consultationWide] = costs;
  t.strictSame({ ...a1001!, bytes: 0 }, { ...a2!, bytes: 0 }, 'answering the 1,001st comment costs what answering the 2nd does');
  t.strictSame(a2!.written, [base, `${base}/stakeholders`], 'an answer writes the head and its stakeholder\'s row');
  t.strictSame({ ...r1001!, bytes: 0 }, { ...r2!, bytes: 0 }, 'so does retracting');
  t.strictSame(r2!.written, [base, `${base}/comments`, `${base}/stakeholders`], 'a retraction writes the head, the comment\'s document and its stakeholder\'s');
  t.ok(Math.abs(a1001!.bytes - a2!.bytes) <= 8 && Math.abs(r1001!.bytes - r2!.bytes) <= 8, 'in about as many bytes');
  for (const [i, cost] of consultationWide.entries()) {
    t.strictSame(cost, { gets: 1, lists: 0, written: [base], bytes: cost.bytes }, `${events[rest + 4 + i]!.type}: the head only, no row of the 60 rewritten`);
  }
  const closed = await stakeholders.read(replayed.reader, CONSULTATION_ID);
  t.equal(closed?.view.stakeholders.length, 60);
  t.equal(closed?.view.stakeholders.reduce((n, x) => n + (x.commentsByVersion['1'] ?? 0), 0), 999, 'every comment counted, the two retracted aside');
  t.ok(closed?.view.stakeholders.every((x) => x.awaiting.length === 0), 'and yet every row reads the change: nothing awaited once closed');
});

t.test('readStakeholdersPage: pages in invitation order that concatenate to the list, each with the consultation\'s facts; a filter applies to every page', async (t) => {
  const extra = Array.from({ length: 5 }, (_, i) => invited(`sh-${i}`, `Network ${i}`, `n${i}@networks.example`));
  const events = recorded([...base, ...extra, accepted('sh-1'), accepted('sh-3'), accepted(MFA)]);
  const replayed = await replay(stakeholders, events);
  const whole = (await stakeholders.read(replayed.reader, CONSULTATION_ID))!.view;
  const { stakeholders: allRows, ...facts } = whole;
  const pages: string[][] = [];
  let after: DocPlace | null = null;
  do {
    const slot: Awaited<ReturnType<typeof readStakeholdersPage>> = await readStakeholdersPage(replayed.reader, CONSULTATION_ID, { after, limit: 3 });
    const { rows, next, ...pageFacts } = slot!.view;
    t.strictSame(pageFacts, facts, 'the consultation\'s facts on every page');
    t.strictSame(rows, allRows.filter((x) => rows.some((r) => r.id === x.id)), 'rows as the list shows them');
    t.equal(slot!.lastRevision, events.length - 1);
    pages.push(rows.map((x) => x.id));
    after = next;
  } while (after !== null);
  t.strictSame(pages.flat(), allRows.map((x) => x.id));
  t.strictSame(pages.map((p) => p.length), [3, 3, 3]);

  const acceptedOnly = (x: StakeholderRow) => x.response === 'accepted';
  const first = (await readStakeholdersPage(replayed.reader, CONSULTATION_ID, { after: null, limit: 2 }, acceptedOnly))!.view;
  t.strictSame(first.rows.map((x) => x.id), [MFA, 'sh-1']);
  const second = (await readStakeholdersPage(replayed.reader, CONSULTATION_ID, { after: first.next, limit: 2 }, acceptedOnly))!.view;
  t.strictSame([second.rows.map((x) => x.id), second.next], [['sh-3'], null], 'no next: nothing accepted follows');
  t.equal(await readStakeholdersPage(replayed.reader, OTHER_ID, { after: null, limit: 2 }), null, 'a consultation it does not know');
});

t.test('given StakeholderDetailsChanged, then the row shows the new organisation, kind, language and endorser role', async (t) => {
  const row = await rowOf([opened, draft(1), cso, event('StakeholderDetailsChanged', { stakeholderId: CSO, organisation: 'WPN Romania', kind: 'academia', language: 'ro' })], CSO);
  sameFields(t, row, { organisation: 'WPN Romania', kind: 'academia', language: 'ro', endorser: false, lastActivityAt: at(3) });
});

t.test('becoming an endorser while a request is open: pending on it, awaited; ceasing: its decisions become earlier ones, not counted', async (t) => {
  const requested = [...base, endorsementRequested(1)];
  const became = [...requested, event('StakeholderDetailsChanged', { stakeholderId: CSO, endorser: true })];
  sameFields(t, await rowOf(became, CSO), { endorser: true, endorsement: 'pending', awaiting: ['response', 'comments', 'endorsement'] });
  const ceased = [...requested, withheld(MOD, 1), event('StakeholderDetailsChanged', { stakeholderId: MOD, endorser: false })];
  sameFields(t, await rowOf(ceased, MOD), { endorser: false, endorsement: 'not-an-endorser', decisions: {}, earlierDecisions: { 1: 'withheld' } });
  t.notOk((await rowOf(ceased, MOD)).awaiting.includes('response'), 'its earlier decision was an answer');
  const again = [...ceased, event('StakeholderDetailsChanged', { stakeholderId: MOD, endorser: true })];
  sameFields(t, await rowOf(again, MOD), { endorser: true, endorsement: 'pending', decisions: {}, earlierDecisions: { 1: 'withheld' } });
  sameFields(t, await rowOf([...again, endorsed(MOD, 1)], MOD), { endorsement: 'endorsed', decisions: { 1: 'endorsed' }, earlierDecisions: { 1: 'withheld' } });
});

// ---- messages per contact ----

const NGO_PRIMARY = { name: 'Ioana Marin', email: 'ioana@wpn.example' };
const NGO_DEPUTY = { name: 'Elena Dobre', email: 'elena@wpn.example' };
const [primaryId, deputyId] = fixtureContacts(CSO, [NGO_PRIMARY, NGO_DEPUTY]).map((c) => c.contactId) as [string, string];
const ngo = event('StakeholderInvited', {
  stakeholderId: CSO, organisation: "Women's Peace Network", kind: 'civil-society', contacts: fixtureContacts(CSO, [NGO_PRIMARY, NGO_DEPUTY]), language: 'ro', endorser: false,
});
const mail = {
  invitation: (contactId: string | undefined, messageId: string, sentAt: string, transport?: 'file' | 'smtp') =>
    event('InvitationSent', { stakeholderId: CSO, ...(contactId ? { contactId } : {}), messageId, sentAt, ...(transport ? { transport } : {}) }),
  notice: (contactId: string | undefined, messageId: string, sentAt: string, notice: 'new-draft' | 'acknowledgement' | 'outcome' = 'new-draft') =>
    event('NoticeSent', { stakeholderId: CSO, ...(contactId ? { contactId } : {}), messageId, notice, ...(notice === 'new-draft' ? { draftVersion: 1 } : {}), sentAt }),
  reminder: (contactId: string | undefined, messageId: string, sentAt: string) =>
    event('ReminderSent', { stakeholderId: CSO, ...(contactId ? { contactId } : {}), messageId, phase: 'comments', draftVersion: 1, deadline: V1_COMMENT_DEADLINE, sentAt }),
  failure: (contactId: string | undefined, messageId: string, failedAt: string, messageKind: 'invitation' | 'notice' | 'reminder' = 'invitation', permanent = false) =>
    event('DeliveryFailed', { stakeholderId: CSO, ...(contactId ? { contactId } : {}), messageId, messageKind, error: permanent ? '550 5.1.1 no such user' : '451 try later', permanent, failedAt }),
};
const none = { notice: null, phase: null, draftVersion: null, deadline: null, transport: null, failure: null };

t.test('messages per contact: each contact its own, newest first, with what each was (kind, notice or phase, version, deadline, transport)', async (t) => {
  const row = await rowOf([
    opened, draft(1), ngo,
    mail.invitation(primaryId, 'inv-a', '2027-03-01T10:00:00Z', 'file'),
    mail.invitation(deputyId, 'inv-b', '2027-03-01T10:00:05Z'),
    mail.notice(primaryId, 'draft-a', '2027-03-02T10:00:00Z'),
    mail.reminder(deputyId, 'rem-b', '2027-03-30T08:00:00Z'),
  ], CSO);
  t.strictSame(row.contacts, [
    {
      contactId: primaryId, ...NGO_PRIMARY,
      messages: [
        { messageId: 'draft-a', kind: 'notice', ...none, notice: 'new-draft', draftVersion: 1, sentAt: '2027-03-02T10:00:00Z', status: 'sent' },
        { messageId: 'inv-a', kind: 'invitation', ...none, transport: 'file', sentAt: '2027-03-01T10:00:00Z', status: 'sent' },
      ],
      messageCounts: { sent: 2, failed: 0 },
    },
    {
      contactId: deputyId, ...NGO_DEPUTY,
      messages: [
        { messageId: 'rem-b', kind: 'reminder', ...none, phase: 'comments', draftVersion: 1, deadline: V1_COMMENT_DEADLINE, sentAt: '2027-03-30T08:00:00Z', status: 'sent' },
        { messageId: 'inv-b', kind: 'invitation', ...none, sentAt: '2027-03-01T10:00:05Z', status: 'sent' },
      ],
      messageCounts: { sent: 2, failed: 0 },
    },
  ]);
  t.strictSame(row.otherMessages, [], 'every message named its contact');
  sameFields(t, row, { invitationStatus: 'e-mailed', invitationSentAt: '2027-03-01T10:00:00Z', lastMessageSentAt: '2027-03-30T08:00:00Z' });
});

t.test('failure, then success: one message, sent, its failure kept; a bounce after the sending: failed; the counts follow', async (t) => {
  const failedOnce = [opened, draft(1), ngo, mail.failure(primaryId, 'n-1', '2027-03-02T10:00:00Z', 'notice')];
  const first = (await rowOf(failedOnce, CSO)).contacts[0]!;
  t.strictSame(first.messages, [{
    messageId: 'n-1', kind: 'notice', ...none, failure: { error: '451 try later', permanent: false, failedAt: '2027-03-02T10:00:00Z' }, sentAt: null, status: 'failed',
  }], 'a notice of which only a failure is known: which notice it was is not');
  t.strictSame(first.messageCounts, { sent: 0, failed: 1 });

  const retried = [...failedOnce, mail.notice(primaryId, 'n-1', '2027-03-02T10:05:00Z')];
  const after = (await rowOf(retried, CSO)).contacts[0]!;
  t.strictSame(after.messages, [{
    messageId: 'n-1', kind: 'notice', ...none, notice: 'new-draft', draftVersion: 1,
    failure: { error: '451 try later', permanent: false, failedAt: '2027-03-02T10:00:00Z' }, sentAt: '2027-03-02T10:05:00Z', status: 'sent',
  }], 'the retry went out: the same message, now sent, what the sending said filled in');
  t.strictSame(after.messageCounts, { sent: 1, failed: 0 }, 'counted once, as sent');

  const bounced = (await rowOf([...retried, mail.failure(primaryId, 'n-1', '2027-03-02T11:00:00Z', 'notice', true)], CSO)).contacts[0]!;
  sameFields(t, bounced.messages[0]!, { status: 'failed', failure: { error: '550 5.1.1 no such user', permanent: true, failedAt: '2027-03-02T11:00:00Z' }, sentAt: '2027-03-02T10:05:00Z' });
  t.strictSame(bounced.messageCounts, { sent: 0, failed: 1 });
  const late = (await rowOf([...retried, mail.failure(primaryId, 'n-1', '2027-03-02T09:00:00Z', 'notice', true)], CSO)).contacts[0]!;
  sameFields(t, late.messages[0]!, { status: 'sent', failure: { error: '451 try later', permanent: false, failedAt: '2027-03-02T10:00:00Z' } },
    'a failure of an earlier attempt recorded late changes nothing: the latest failure by failedAt is kept');
});

t.test('messages recorded without a contactId (before contacts had ids, or by hand): listed under the stakeholder, not attributed to a contact', async (t) => {
  const row = await rowOf([
    opened, draft(1), ngo,
    mail.invitation(undefined, 'inv-old', '2027-03-01T10:00:00Z'),
    mail.failure(undefined, 'letter-1', '2027-03-03T10:00:00Z', 'notice', true),
    mail.invitation(primaryId, 'inv-new', '2027-03-04T10:00:00Z'),
  ], CSO);
  t.strictSame(row.otherMessages, [{
    contactId: null,
    messages: [
      { messageId: 'letter-1', kind: 'notice', ...none, failure: { error: '550 5.1.1 no such user', permanent: true, failedAt: '2027-03-03T10:00:00Z' }, sentAt: null, status: 'failed' },
      { messageId: 'inv-old', kind: 'invitation', ...none, sentAt: '2027-03-01T10:00:00Z', status: 'sent' },
    ],
    messageCounts: { sent: 1, failed: 1 },
  }]);
  t.strictSame(row.contacts.map((c) => [c.contactId, c.messages.map((m) => m.messageId), c.messageCounts]), [
    [primaryId, ['inv-new'], { sent: 1, failed: 0 }],
    [deputyId, [], { sent: 0, failed: 0 }],
  ], 'not the primary contact\'s: nobody knows who of them got it');
  t.equal(row.invitationSentAt, '2027-03-01T10:00:00Z', 'the stakeholder\'s invitation all the same');
});

t.test('a contact the stakeholder no longer has: its messages listed under the stakeholder with its id; its address back, they are its again', async (t) => {
  const history = [
    opened, draft(1), ngo,
    mail.invitation(primaryId, 'inv-a', '2027-03-01T10:00:00Z'),
    mail.failure(deputyId, 'inv-b', '2027-03-01T10:00:05Z', 'invitation', true),
    event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, [NGO_PRIMARY]) }),
  ];
  const row = await rowOf(history, CSO);
  t.strictSame(row.contacts.map((c) => [c.contactId, c.messages.map((m) => m.messageId)]), [[primaryId, ['inv-a']]]);
  t.strictSame(row.otherMessages.map((g) => [g.contactId, g.messages.map((m) => [m.messageId, m.status]), g.messageCounts]), [
    [deputyId, [['inv-b', 'failed']], { sent: 0, failed: 1 }],
  ]);
  const back = await rowOf([...history, event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, [NGO_PRIMARY, { ...NGO_DEPUTY, email: 'ELENA@wpn.example' }]) })], CSO);
  t.strictSame(back.contacts.map((c) => [c.contactId, c.messages.map((m) => m.messageId)]), [[primaryId, ['inv-a']], [deputyId, ['inv-b']]],
    'the same address (whatever its case) is the same contact id');
  t.strictSame(back.otherMessages, []);
});

t.test(`a row lists each contact's latest ${RECENT_MESSAGES} messages and counts them all; readStakeholderMessages pages through every one`, async (t) => {
  const notices = Array.from({ length: 14 }, (_, i) => mail.notice(i % 2 === 0 ? primaryId : deputyId, `ack-${String(i).padStart(2, '0')}`, at(10 + i), 'acknowledgement'));
  const events = recorded([opened, draft(1), ngo, ...notices, mail.failure(primaryId, 'ack-00', at(30), 'notice', true), mail.invitation(undefined, 'inv-old', at(31))]);
  const replayed = await replay(stakeholders, events);
  const row = (await readStakeholder(replayed.reader, CONSULTATION_ID, CSO))!.stakeholder!;
  t.strictSame(row.contacts[0]!.messages.map((m) => m.messageId), ['ack-12', 'ack-10', 'ack-08', 'ack-06', 'ack-04', 'ack-02', 'ack-00']);
  t.strictSame(row.contacts[0]!.messageCounts, { sent: 6, failed: 1 }, 'the first one bounced later');
  t.equal(row.contacts[0]!.messages.at(-1)!.status, 'failed');

  const many = recorded([opened, draft(1), ngo, ...Array.from({ length: 25 }, (_, i) => mail.notice(primaryId, `ack-${String(i).padStart(2, '0')}`, at(10 + i), 'acknowledgement')),
    mail.failure(primaryId, 'ack-00', at(40), 'notice', true)]);
  const full = await replay(stakeholders, many);
  const primary = (await readStakeholder(full.reader, CONSULTATION_ID, CSO))!.stakeholder!.contacts[0]!;
  t.equal(primary.messages.length, RECENT_MESSAGES);
  t.strictSame([primary.messages[0]!.messageId, primary.messages.at(-1)!.messageId], ['ack-24', 'ack-15'], 'the latest, newest first');
  t.strictSame(primary.messageCounts, { sent: 24, failed: 1 }, 'every message counted, one no longer listed that failed later too');

  const ids: string[] = [];
  let after: DocPlace | null = null;
  do {
    const slot: Awaited<ReturnType<typeof readStakeholderMessages>> = await readStakeholderMessages(full.reader, CONSULTATION_ID, CSO, { after, limit: 10 });
    t.equal(slot!.stakeholder, true);
    ids.push(...slot!.messages.rows.map((m) => m.messageId));
    after = slot!.messages.next;
  } while (after !== null);
  t.strictSame(ids, Array.from({ length: 25 }, (_, i) => `ack-${String(i).padStart(2, '0')}`), 'the whole history, in the order first recorded');
  const first = (await readStakeholderMessages(full.reader, CONSULTATION_ID, CSO, { after: null, limit: 1 }))!.messages.rows[0]!;
  t.strictSame(first, {
    messageId: 'ack-00', kind: 'notice', ...none, notice: 'acknowledgement', sentAt: at(10), failure: { error: '550 5.1.1 no such user', permanent: true, failedAt: at(40) },
    status: 'failed', contactId: primaryId,
  });

  const byContact = async (contactId: string | null) =>
    (await readStakeholderMessages(replayed.reader, CONSULTATION_ID, CSO, { after: null, limit: 100 }, contactId))!.messages.rows.map((m) => m.messageId);
  t.strictSame(await byContact(deputyId), ['ack-01', 'ack-03', 'ack-05', 'ack-07', 'ack-09', 'ack-11', 'ack-13']);
  t.strictSame(await byContact(null), ['inv-old'], 'null: those recorded without a contact');
  t.strictSame(await readStakeholderMessages(replayed.reader, CONSULTATION_ID, MFA, { after: null, limit: 10 }),
    { stakeholder: false, messages: { rows: [], next: null }, lastRevision: events.length - 1, stale: false }, 'a stakeholder the view does not know');
  t.equal(await readStakeholderMessages(replayed.reader, OTHER_ID, CSO, { after: null, limit: 10 }), null, 'a consultation it does not know');
});

t.test('messages to a stakeholder the view does not know change nothing', async (t) => {
  await changeNothing(t, [opened, draft(1), ngo], [
    event('InvitationSent', { stakeholderId: MFA, contactId: primaryId, messageId: 'x-1', sentAt: at(5) }),
    event('DeliveryFailed', { stakeholderId: MFA, messageId: 'x-2', messageKind: 'notice', error: '550', permanent: true, failedAt: at(5) }),
  ], 'no message document, no row');
});

t.test('cost: with 1,000 messages to a contact, the 1,001st (and a late failure of the first) reads and writes what the 20th did, in about as many bytes', async (t) => {
  const n = (i: number) => `ack-${String(i).padStart(4, '0')}`;
  const commands: Command[] = [
    opened, draft(1), ngo,
    ...Array.from({ length: 1001 }, (_, i) => mail.notice(i % 2 === 0 ? primaryId : deputyId, n(i + 1), '2027-03-02T10:00:00Z', 'acknowledgement')),
    mail.failure(primaryId, n(1), '2027-03-03T10:00:00Z', 'notice', true),
    mail.failure(primaryId, n(1001), '2027-03-03T10:00:00Z', 'notice', true),
  ];
  const events = recorded(commands);
  const store = new CountingViewStore();
  const replayed = new Replayed(stakeholders, store);
  const message = (i: number) => 3 + i - 1;
  await replayed.apply(events.slice(0, message(20)), 1000);
  const twentieth = await costOf(replayed, store, events[message(20)]!);
  await replayed.apply(events.slice(message(20) + 1, message(1001)), 1000);
  const thousandFirst = await costOf(replayed, store, events[message(1001)]!);
  const lateFailureOfFirst = await costOf(replayed, store, events[message(1001) + 1]!);
  const failureOfLatest = await costOf(replayed, store, events[message(1001) + 2]!);
  const base = projectionBase(stakeholders);
  t.strictSame(twentieth.written, [base, `${base}/messages`, `${base}/stakeholders`], 'the head, the message\'s document and its stakeholder\'s row');
  t.strictSame({ ...thousandFirst, bytes: 0 }, { ...twentieth, bytes: 0 }, 'the 1,001st message reads and writes the same documents as the 20th');
  t.equal(twentieth.lists + thousandFirst.lists, 0, 'applying lists nothing');
  t.ok(Math.abs(thousandFirst.bytes - twentieth.bytes) <= 16, `and about as many bytes (${twentieth.bytes}, ${thousandFirst.bytes}): the row holds the latest ${RECENT_MESSAGES} per contact`);
  t.strictSame({ ...lateFailureOfFirst, bytes: 0 }, { ...twentieth, bytes: 0 }, 'a failure of a message no longer listed: the same documents');
  t.ok(lateFailureOfFirst.bytes <= twentieth.bytes + 400 && failureOfLatest.bytes <= twentieth.bytes + 400,
    `in about as many bytes, a failure's text added (${twentieth.bytes}, ${lateFailureOfFirst.bytes}, ${failureOfLatest.bytes})`);
  const row = (await readStakeholder(replayed.reader, CONSULTATION_ID, CSO))!.stakeholder!;
  t.strictSame(row.contacts.map((c) => c.messageCounts), [{ sent: 499, failed: 2 }, { sent: 500, failed: 0 }], 'every message counted');
  t.equal(row.contacts[0]!.messages[0]!.status, 'failed', 'the latest listed, failed');
});
