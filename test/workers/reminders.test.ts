// Reminders end to end, with offsets in seconds and deadlines a few seconds ahead: they reach only
// those who have not answered; an extended deadline's old schedule sends nothing; a closed
// consultation sends nothing more; a stakeholder's own extension moves only its reminders; a
// consultation's own settings switch them off or add a message. Time is only ever "arrives within a
// generous bound" or "nothing more after the deadline passed".
import t, { type Test } from 'tap';
import { OPEN_BODY, contactIdsThroughApi, inviteThroughApi, startApi } from '../helpers/http.ts';
import { startMail, until, quietFor, type MailUnderTest } from '../helpers/mail-system.ts';

t.setTimeout(180_000);

type Api = Awaited<ReturnType<typeof startApi>>;

const OFFSET_MS = 4_000;

async function setUp(t: Test, reminderOffsetsMs = [OFFSET_MS]) {
  const api = await startApi(t);
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, reminderOffsetsMs });
  return { api, mail };
}

function inSeconds(s: number): string {
  return new Date(Date.now() + s * 1000).toISOString();
}

async function open(api: Api): Promise<string> {
  const res = await api.call({ url: '/consultations', body: OPEN_BODY });
  if (res.statusCode !== 201) throw new Error(res.body);
  return (res.json() as { id: string }).id;
}

async function publish(api: Api, id: string, commentDeadline: string): Promise<void> {
  const res = await api.call({ url: `/consultations/${id}/drafts`, body: { sections: [{ key: 's1', heading: 'Participation', text: 'Women participate.' }], commentDeadline } });
  if (res.statusCode !== 201) throw new Error(res.body);
}

async function invite(api: Api, id: string, organisation: string): Promise<{ sid: string; email: string }> {
  const email = `${organisation.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.org`;
  const sid = await inviteThroughApi(api, id, { organisation, kind: 'civil-society', language: 'en', endorser: false, contact: { name: `Focal point of ${organisation}`, email } });
  return { sid, email };
}

async function reminders(mail: MailUnderTest, id: string) {
  return (await mail.records(id)).filter((r) => r.type === 'ReminderSent');
}

function remindersTo(mail: MailUnderTest, email: string): number {
  return mail.sink.received.filter((r) => r.rcptTo.includes(email) && /^Subject: Reminder/m.test(r.raw.toString())).length;
}

t.test('a reminder reaches only the stakeholder that has not commented, with the deadline it reminds of', async (t) => {
  const { api, mail } = await setUp(t);
  const id = await open(api);
  const a = await invite(api, id, 'Answering');
  const b = await invite(api, id, 'Silent');
  const deadline = inSeconds(8);
  await publish(api, id, deadline);
  const commented = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: a.sid, draftVersion: 1, sectionKey: 's1', text: 'Name the budget line.' } });
  t.equal(commented.statusCode, 201, commented.body);

  await until('the silent one\'s reminder', async () => (await reminders(mail, id)).length === 1, 20_000);
  await until('past the deadline', () => Date.now() > Date.parse(deadline) + 500, 20_000);
  await quietFor(500);
  const sent = await reminders(mail, id);
  t.equal(sent.length, 1, 'one reminder in all');
  const [contactId] = await contactIdsThroughApi(api, id, b.sid, b.email);
  t.match(sent[0]?.data, { stakeholderId: b.sid, contactId, phase: 'comments', draftVersion: 1, deadline });
  t.equal(remindersTo(mail, b.email), 1, 'it reached the silent one');
  t.equal(remindersTo(mail, a.email), 0, 'none reached the one that commented');
  const notices = (await mail.records(id)).filter((r) => r.type === 'NoticeSent').map((r) => `${r.data['notice']}:${r.data['stakeholderId'] === a.sid ? 'a' : 'b'}`).sort();
  t.same(notices, ['acknowledgement:a', 'new-draft:a', 'new-draft:b'], 'the new draft to both, the receipt for the comment to the one that commented');
});

t.test('an extended deadline: the old schedule sends nothing, the new one reminds once of the new deadline', async (t) => {
  const { api, mail } = await setUp(t);
  const id = await open(api);
  await invite(api, id, 'Silent');
  const first = inSeconds(6);
  await publish(api, id, first);
  const later = inSeconds(10);
  const extended = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: later, reason: 'more time' } });
  t.equal(extended.statusCode, 200, extended.body);

  await until('the reminder of the new deadline', async () => (await reminders(mail, id)).length >= 1, 20_000);
  await until('past the new deadline', () => Date.now() > Date.parse(later) + 500, 20_000);
  const sent = await reminders(mail, id);
  t.equal(sent.length, 1, 'one reminder, not one per schedule');
  t.equal(sent[0]?.data['deadline'], later, 'of the new deadline');
});

t.test('a closed consultation sends nothing more: no reminder after the closing, the outcome to each stakeholder', async (t) => {
  const { api, mail } = await setUp(t);
  const id = await open(api);
  const x = await invite(api, id, 'Silent');
  const deadline = inSeconds(7);
  await publish(api, id, deadline);
  const closed = await api.call({ url: `/consultations/${id}/close`, body: { outcome: 'withdrawn', note: 'The plan is postponed.' } });
  t.equal(closed.statusCode, 200, closed.body);
  await until('the outcome', async () => (await mail.records(id)).some((r) => r.data['notice'] === 'outcome'), 20_000);
  await until('past the deadline', () => Date.now() > Date.parse(deadline) + 500, 20_000);
  t.same(await reminders(mail, id), [], 'no reminder');
  const outcome = (await mail.messages()).find((m) => /^Consultation closed/.test(m.subject ?? ''));
  t.ok(outcome, 'the outcome message');
  t.match(outcome?.text, /The plan is postponed\./, 'with the closing note');
  t.same(outcome?.to && (Array.isArray(outcome.to) ? outcome.to[0] : outcome.to)?.value.map((v) => v.address), [x.email]);
});

t.test('a stakeholder\'s own extension moves only its reminders', async (t) => {
  const { api, mail } = await setUp(t);
  const id = await open(api);
  const a = await invite(api, id, 'Extended');
  const b = await invite(api, id, 'Other');
  const everyone = inSeconds(7);
  await publish(api, id, everyone);
  const own = inSeconds(11);
  const extended = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: own, reason: 'asked for a week', stakeholderId: a.sid } });
  t.equal(extended.statusCode, 200, extended.body);

  await until('both reminders', async () => (await reminders(mail, id)).length >= 2, 25_000);
  await until('past the own deadline', () => Date.now() > Date.parse(own) + 500, 25_000);
  const sent = await reminders(mail, id);
  t.equal(sent.length, 2, 'one each');
  t.equal(sent.find((r) => r.data['stakeholderId'] === a.sid)?.data['deadline'], own, 'the extended one is reminded of its own deadline');
  t.equal(sent.find((r) => r.data['stakeholderId'] === b.sid)?.data['deadline'], everyone, 'the other of everyone\'s');
});

t.test('a consultation\'s reminders: a message of its own in each; switched off, none', async (t) => {
  const { api, mail } = await setUp(t, [60_000]);
  const withMessage = await open(api);
  const x = await invite(api, withMessage, 'Reminded');
  const configured = await api.call({ method: 'PUT', url: `/consultations/${withMessage}/reminders`, body: { offsets: ['5s'], message: 'Section 3 needs your eyes.' } });
  t.equal(configured.statusCode, 200, configured.body);
  const again = await api.call({ method: 'PUT', url: `/consultations/${withMessage}/reminders`, body: { offsets: ['5s'], message: 'Section 3 needs your eyes.' } });
  t.equal(again.json().revision, configured.json().revision, 'the same settings again record nothing');
  await publish(api, withMessage, inSeconds(8));

  const off = await open(api);
  await invite(api, off, 'Not reminded');
  t.equal((await api.call({ method: 'PUT', url: `/consultations/${off}/reminders`, body: { offsets: ['5s'], enabled: false } })).statusCode, 200);
  const offDeadline = inSeconds(8);
  await publish(api, off, offDeadline);

  await until('the reminder with a message', async () => (await reminders(mail, withMessage)).length === 1, 20_000);
  const m = (await mail.messages()).find((p) => /^Reminder/.test(p.subject ?? ''));
  t.match(m?.text, /Section 3 needs your eyes\./, 'the coordinators\' own words');
  t.equal(remindersTo(mail, x.email), 1);
  await until('past the other deadline', () => Date.now() > Date.parse(offDeadline) + 500, 20_000);
  t.same(await reminders(mail, off), [], 'switched off: none');

  const bad = await api.call({ method: 'PUT', url: `/consultations/${off}/reminders`, body: { offsets: ['soon'] } });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'INVALID_INPUT');
});
