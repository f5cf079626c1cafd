// What the relay makes of each event (plan.ts), given a history: which jobs, for whom, with which
// ids and delays. Pure: no Redis, no clock.
import t from 'tap';
import { fixtureContactId, fixtureContacts } from '../helpers/contact-ids.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import { jobIdFor, type MailJob, type StakeholderMailJob } from '../../src/workers/jobs.ts';
import { planJobs, type PlanContext } from '../../src/workers/plan.ts';
import {
  CONSULTATION_ID, CSO, MFA, MOD, commented, cso, declined, draft, endorsementRequested, extended, heldReply, mfa, mod, opened, removed, stateFrom,
} from '../helpers/domain-spec.ts';

const NOW = Date.parse('2027-03-01T09:00:00Z');
const DAY = 86_400_000;
const ctx: PlanContext = { now: NOW, defaultOffsetsMs: [7 * DAY, DAY], digestWindowMs: DAY };
const DEADLINE = '2027-04-01T17:00:00+03:00'; // draft(…)'s default comment deadline, as stored (and named in job data)
const COMMENT = 'c0ffee00-0001-4000-8000-000000000001';

/** The plan for the last event of the history, as the relay would make it once that event is folded. */
function plan(history: DomainEvent[], options: { recordedAt?: string; context?: Partial<PlanContext> } = {}) {
  const s = stateFrom(history);
  return planJobs(s, {
    consultationId: CONSULTATION_ID,
    revision: history.length - 1,
    recordedAt: options.recordedAt ?? new Date(NOW).toISOString(),
    commandId: `given-${history.length - 1}`,
    event: history.at(-1)!,
  }, { ...ctx, ...options.context });
}

const who = (j: MailJob) => (j.kind === 'office-digest' ? 'office' : j.stakeholderId === CSO ? 'cso' : j.stakeholderId === MFA ? 'mfa' : 'mod');
const kinds = (jobs: { data: MailJob }[]) => jobs.map((j) => `${j.data.kind}:${who(j.data)}`);
const forStakeholder = (j: MailJob): StakeholderMailJob => {
  if (j.kind === 'office-digest') throw new Error('an office digest');
  return j;
};

t.test('StakeholderInvited: an invitation to each contact, and its reminders before the deadline at each offset', async (t) => {
  const { add, remove } = plan([opened, draft(1), cso]);
  t.same(remove, []);
  t.same(add.map((j) => j.data.kind), ['invitation', 'reminder', 'reminder']);
  const [invitation, week, day] = add;
  t.same(invitation?.data, { kind: 'invitation', consultationId: CONSULTATION_ID, stakeholderId: CSO, contactId: fixtureContactId(CSO, 'focal@wpn.example'), revision: 2 });
  t.equal(invitation?.delayMs, 0);
  t.match(week?.data, { phase: 'comments', draftVersion: 1, deadline: DEADLINE, offsetMs: 7 * DAY });
  t.equal(week?.delayMs, Date.parse(DEADLINE) - 7 * DAY - NOW, 'a delayed job, due a week before the deadline');
  t.equal(day?.delayMs, Date.parse(DEADLINE) - DAY - NOW);
  for (const j of add) {
    t.equal(j.id, jobIdFor(j.data), 'the id is derived from the data');
    t.notMatch(j.id, /:/, 'no colon');
    t.notMatch(JSON.stringify(j.data), /@|Focal point|Peace/, 'ids only: no address, no name');
  }
});

t.test('the same event planned again gives the very same jobs (a redelivery adds nothing new)', async (t) => {
  t.same(plan([opened, draft(1), cso]), plan([opened, draft(1), cso]));
});

t.test('DraftPublished: a notice and reminders to those taking part; none to one removed or declined', async (t) => {
  const { add } = plan([opened, cso, mfa, mod, removed(MOD), declined(MFA), draft(1)]);
  t.same(kinds(add), ['new-draft:cso', 'reminder:cso', 'reminder:cso']);
});

t.test('a reminder is not planned for one that has already answered for that phase', async (t) => {
  const { add } = plan([opened, cso, draft(1), commented(COMMENT), event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: cso.type === 'StakeholderInvited' ? cso.data.contacts : [] })]);
  t.same(add, [], 'it commented on the current version');
});

t.test('EndorsementRequested: a request and reminders to each endorser only', async (t) => {
  const { add } = plan([opened, cso, mfa, draft(1), endorsementRequested(1)]);
  t.same(kinds(add), ['endorsement-request:mfa', 'reminder:mfa', 'reminder:mfa']);
  t.match(add[1]?.data, { phase: 'endorsement', draftVersion: 1 });
});

t.test('DeadlineExtended: the old deadline\'s reminders off the queue, new ones at the new deadline; an own extension touches only its stakeholder', async (t) => {
  const later = '2027-04-15T14:00:00Z';
  const everyone = plan([opened, cso, mfa, draft(1), extended('comments', 1, DEADLINE, later)]);
  t.equal(everyone.remove.length, 4, 'two stakeholders, one contact each, two offsets');
  t.ok(everyone.remove.every((id) => id.includes('20270401T140000Z')), 'the ids of the old deadline');
  t.ok(everyone.add.every((j) => j.data.kind === 'reminder' && j.data.deadline === later));
  t.equal(everyone.add.length, 4);

  const own = plan([opened, cso, mfa, draft(1), extended('comments', 1, DEADLINE, later, CSO)]);
  t.same(kinds(own.add), ['reminder:cso', 'reminder:cso']);
  t.equal(own.remove.length, 2);
});

t.test('a reminder time that passed while the relay could not act goes at once (the latest one only); one that passed before the event is skipped', async (t) => {
  const nearly = { context: { now: Date.parse(DEADLINE) - 2 * 3_600_000 } }; // two hours before the deadline
  const lateRelay = plan([opened, draft(1), cso], { ...nearly, recordedAt: '2027-03-01T09:00:00Z' });
  t.same(lateRelay.add.filter((j) => j.data.kind === 'reminder').map((j) => [j.data.kind === 'reminder' && j.data.offsetMs, j.delayMs]), [[DAY, 0]],
    'invited a month before: the day-before reminder goes now, the week-before one is not sent late as well');
  const lateInvite = plan([opened, draft(1), cso], { ...nearly, recordedAt: new Date(nearly.context.now).toISOString() });
  t.same(lateInvite.add.map((j) => j.data.kind), ['invitation'], 'invited two hours before: no reminder comes with the invitation');
});

t.test('RemindersConfigured: switched off plans none; new offsets plan at those', async (t) => {
  t.same(plan([opened, cso, draft(1), event('RemindersConfigured', { offsets: null, enabled: false })]).add, []);
  const custom = plan([opened, cso, draft(1), event('RemindersConfigured', { offsets: ['2d'], enabled: true })]);
  t.same(custom.add.map((j) => j.data.kind === 'reminder' && j.data.offsetMs), [2 * DAY]);
});

t.test('CommentSubmitted: one acknowledgement per command, named after its first event', async (t) => {
  const { add } = plan([opened, cso, draft(1), commented(COMMENT)]);
  t.same(add.map((j) => j.data), [{ kind: 'acknowledgement', consultationId: CONSULTATION_ID, stakeholderId: CSO, contactId: fixtureContactId(CSO, 'focal@wpn.example'), revision: 3 }]);
});

t.test('CommentSubmitted by one contact person: the acknowledgement goes to that contact only', async (t) => {
  const desk = fixtureContactId(CSO, 'desk@wpn.example');
  const twoContacts = event('StakeholderContactsChanged', {
    stakeholderId: CSO, contacts: fixtureContacts(CSO, [{ name: 'Focal', email: 'focal@wpn.example' }, { name: 'Desk', email: 'desk@wpn.example' }]),
  });
  const byDesk = event('CommentSubmitted', {
    commentId: COMMENT, stakeholderId: CSO, contactId: desk, draftVersion: 1, sectionKey: 's1', text: 'Name the budget line.', channel: 'link', madeAt: '2027-01-10T09:00:00Z',
  });
  t.same(plan([opened, cso, twoContacts, draft(1), byDesk]).add.map((j) => forStakeholder(j.data).contactId), [desk]);
  t.same(plan([opened, cso, twoContacts, draft(1), commented(COMMENT)]).add.map((j) => forStakeholder(j.data).contactId).sort(), [fixtureContactId(CSO, 'focal@wpn.example'), desk].sort(), 'the organisation\'s comment: every contact');
});

t.test('CommentAnswered: one digest per organisation and day (the consultation\'s day, Europe/Bucharest), delayed to the day\'s end', async (t) => {
  const answer = (disposition: 'accepted' | 'noted') => event('CommentAnswered', { commentId: COMMENT, disposition, response: 'Thank you.' });
  const history = [opened, cso, draft(1), commented(COMMENT), answer('accepted')];
  const morning = plan(history, { recordedAt: '2027-03-01T09:00:00Z' });
  const evening = plan([...history, answer('noted')], { recordedAt: '2027-03-01T21:30:00Z' }); // 23:30 in Bucharest
  const night = plan([...history, answer('noted')], { recordedAt: '2027-03-01T22:30:00Z' }); // 00:30 the next day in Bucharest
  t.equal(morning.add.length, 1);
  // midnight in Bucharest (UTC+2 in winter) is 22:00 UTC the day before
  t.same(morning.add[0]?.data, { kind: 'answers-digest', consultationId: CONSULTATION_ID, stakeholderId: CSO, contactId: fixtureContactId(CSO, 'focal@wpn.example'), from: '2027-02-28T22:00:00.000Z', to: '2027-03-01T22:00:00.000Z' });
  t.equal(morning.add[0]?.delayMs, Date.parse('2027-03-01T22:00:00Z') - NOW);
  t.equal(evening.add[0]?.id, morning.add[0]?.id, 'the same job: one digest that day');
  t.not(night.add[0]?.id, morning.add[0]?.id, 'after local midnight: the next day\'s digest (in UTC it would still be the same day)');
  t.match(night.add[0]?.data, { from: '2027-03-01T22:00:00.000Z', to: '2027-03-02T22:00:00.000Z' });
});

t.test('the day a digest covers follows the consultation\'s clock across a change to summer time (23 hours)', async (t) => {
  const answer = event('CommentAnswered', { commentId: COMMENT, disposition: 'accepted', response: 'Thank you.' });
  // Bucharest moves from UTC+2 to UTC+3 at 03:00 on Sunday 28 March 2027
  const { add } = plan([opened, cso, draft(1), commented(COMMENT), answer], { recordedAt: '2027-03-28T12:00:00Z', context: { now: Date.parse('2027-03-28T12:00:00Z') } });
  t.match(add[0]?.data, { from: '2027-03-27T22:00:00.000Z', to: '2027-03-28T21:00:00.000Z' });
});

t.test('DeliveryFailed: one office digest per consultation and day, whoever failed, delayed to the day\'s end; ids only', async (t) => {
  const failed = (stakeholderId: string) => event('DeliveryFailed', {
    stakeholderId, messageId: `<m-${stakeholderId}@gov.example>`, messageKind: 'invitation', error: '550 No such mailbox', permanent: true, failedAt: '2027-03-01T09:00:00Z',
  });
  const first = plan([opened, cso, mfa, failed(CSO)], { recordedAt: '2027-03-01T09:00:00Z' });
  const second = plan([opened, cso, mfa, failed(CSO), failed(MFA)], { recordedAt: '2027-03-01T15:00:00Z' });
  t.same(kinds(first.add), ['office-digest:office']);
  t.same(first.add[0]?.data, { kind: 'office-digest', consultationId: CONSULTATION_ID, from: '2027-02-28T22:00:00.000Z', to: '2027-03-01T22:00:00.000Z' });
  t.equal(first.add[0]?.id, `office-${CONSULTATION_ID.replaceAll('-', '')}-20270228T220000Z`);
  t.notMatch(first.add[0]?.id, /:/);
  t.equal(first.add[0]?.delayMs, Date.parse('2027-03-01T22:00:00Z') - NOW);
  t.equal(second.add[0]?.id, first.add[0]?.id, 'the same job: one digest that day');
});

t.test('InboundReplyHeld: the office digest of that day, the very job a delivery failure that day adds', async (t) => {
  const failed = event('DeliveryFailed', {
    stakeholderId: CSO, messageId: '<m@gov.example>', messageKind: 'invitation', error: '550 No such mailbox', permanent: true, failedAt: '2027-03-01T09:00:00Z',
  });
  const held = plan([opened, cso, draft(1), heldReply('held-1')], { recordedAt: '2027-03-01T09:00:00Z' });
  t.same(kinds(held.add), ['office-digest:office']);
  t.same(held.add[0]?.data, { kind: 'office-digest', consultationId: CONSULTATION_ID, from: '2027-02-28T22:00:00.000Z', to: '2027-03-01T22:00:00.000Z' }, 'ids only: no sender address');
  t.equal(held.add[0]?.delayMs, Date.parse('2027-03-01T22:00:00Z') - NOW, 'due at the day\'s end');
  const both = plan([opened, cso, draft(1), failed, heldReply('held-1')], { recordedAt: '2027-03-01T15:00:00Z' });
  t.equal(both.add[0]?.id, plan([opened, cso, draft(1), failed], { recordedAt: '2027-03-01T09:00:00Z' }).add[0]?.id, 'one digest that day for both');
});

t.test('StakeholderContactsChanged: an invitation to each contact added (not to those it had), and the reminders of all', async (t) => {
  const contacts = cso.type === 'StakeholderInvited' ? cso.data.contacts : [];
  const added = { contactId: fixtureContactId(CSO, 'second@wpn.example'), name: 'Second focal point', email: 'second@wpn.example' };
  const { add } = plan([opened, cso, draft(1), event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: [...contacts, added], added: [added.contactId] })]);
  const invitations = add.filter((j) => j.data.kind === 'invitation').map((j) => forStakeholder(j.data).contactId);
  t.same(invitations, [added.contactId]);
  t.equal(add.filter((j) => j.data.kind === 'reminder').length, 4, 'two contacts, two offsets');
  const older = plan([opened, cso, draft(1), event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: [...contacts, added] })]);
  t.same(older.add.filter((j) => j.data.kind === 'invitation'), [], 'an event written before `added` existed invites nobody');
});

t.test('StakeholderDetailsChanged to an endorser while endorsement is requested: the request and its reminders', async (t) => {
  const became = event('StakeholderDetailsChanged', { stakeholderId: CSO, endorser: true });
  t.same(kinds(plan([opened, cso, draft(1), endorsementRequested(1), became]).add), ['endorsement-request:cso', 'reminder:cso', 'reminder:cso']);
  t.same(plan([opened, cso, draft(1), became]).add, [], 'no request open: nothing');
  t.same(plan([opened, mfa, draft(1), endorsementRequested(1), event('StakeholderDetailsChanged', { stakeholderId: MFA, organisation: 'MFA' })]).add, [],
    'another detail changed: nothing');
});

t.test('ConsultationClosed: the outcome to every stakeholder not removed', async (t) => {
  const closed = event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null });
  t.same(kinds(plan([opened, cso, mfa, mod, removed(MOD), declined(MFA), closed]).add), ['outcome:cso', 'outcome:mfa']);
});
