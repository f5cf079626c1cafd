// The coordinating office's digest end to end (real Redis, real smtp-server): delivery failures of a
// period reach each of the consultation's notifyEmails as one message (its own SMTP transaction),
// in the consultation's first language, listing each failure (organisation, contact, kind, when,
// what the server said), recorded as OfficeNotified per mailbox; a mailbox that fails for now is
// retried without sending again to those that got it; no mailbox, or nothing to report: nothing
// sent. A reply by e-mail held in a period is in that period's digest too, as a section of its own
// (organisation, when, why, where to decide it; never the sender's address), while no coordinator
// has accepted or discarded it. The period is 3 s here instead of a day.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import t, { type Test } from 'tap';
import { replyAddress } from '../../src/auth/stakeholder-tokens.ts';
import { event } from '../../src/domain/events.ts';
import { InboundMailbox } from '../../src/inbound/mailbox.ts';
import { startInboundListener } from '../../src/inbound/smtp-listener.ts';
import { officeDigestSections } from '../../src/mail/facts-now.ts';
import { MAIL_QUEUE } from '../../src/workers/jobs.ts';
import { CONSULTATION_ID, CSO, cso, draft, heldReply, opened, stateFrom } from '../helpers/domain-spec.ts';
import { DRAFT_BODY, OPEN_BODY, inviteThroughApi, startApi } from '../helpers/http.ts';
import { INBOUND_DOMAIN } from '../helpers/inbound.ts';
import { MAIL_SETTINGS, REDIS_URL, quietFor, startMail, until } from '../helpers/mail-system.ts';
import { tempDir } from '../helpers/temp-store.ts';

t.setTimeout(120_000);

const OFFICE = 'gender.office@mod.example';
const DUTY = 'duty.officer@mod.example';
const PERIOD_MS = 3_000;

async function setUp(t: Test, open: Record<string, unknown>) {
  const api = await startApi(t);
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, digestWindowMs: PERIOD_MS });
  const opened = await api.call({ url: '/consultations', body: { ...OPEN_BODY, ...open } });
  t.equal(opened.statusCode, 201, opened.body);
  const id = (opened.json() as { id: string }).id;
  t.equal((await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY })).statusCode, 201);
  return { api, mail, id };
}

const invitee = (organisation: string, name: string, email: string) => ({ organisation, kind: 'civil-society', language: 'en', endorser: false, contact: { name, email } });

function recipients(m: ParsedMail): string[] {
  const to = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
  return to.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

async function recordsOf(api: { store: { readStream(name: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> } }, id: string, type: string) {
  return (await api.store.readStream(`consultation-${id}`)).filter((e) => e.type === type);
}

t.test('two failures reach both office mailboxes as one digest per period, in Romanian, each its own transaction, recorded per mailbox', async (t) => {
  const { api, mail, id } = await setUp(t, { languages: ['ro', 'en'], notifyEmails: [OFFICE, DUTY, OFFICE.toUpperCase()] });
  const view = (await api.call({ url: `/consultations/${id}` })).json() as { notifyEmails: string[] };
  t.same(view.notifyEmails, [OFFICE, DUTY], 'the consultation view shows them, each once');

  mail.sink.refuse.set('gone@wpn.example', 550);
  mail.sink.refuse.set('left@acad.example', 550);
  await inviteThroughApi(api, id, invitee('Women\'s Peace Network', 'Ioana <b>Marin</b>', 'gone@wpn.example'));
  await inviteThroughApi(api, id, invitee('Institute for Security Studies', 'Pieter de Vries', 'left@acad.example'));

  await until('the failures recorded', async () => (await recordsOf(api, id, 'DeliveryFailed')).length === 2);
  // every period that saw a failure sends its digest to both mailboxes once the period is over
  await until('the digests recorded', async () => {
    const notified = await recordsOf(api, id, 'OfficeNotified');
    const windows = new Set(notified.map((r) => String(r.data['from'])));
    return notified.length > 0 && notified.length === windows.size * 2
      && mail.sink.received.filter((r) => r.rcptTo.includes(OFFICE)).length === windows.size;
  }, 20_000);
  await quietFor(PERIOD_MS + 500); // another period: nothing more
  const notified = await recordsOf(api, id, 'OfficeNotified');
  const windows = [...new Set(notified.map((r) => String(r.data['from'])))];
  t.ok(windows.length === 1 || windows.length === 2, 'one digest per period that had failures (the two may straddle a period\'s end)');
  t.same(notified.map((r) => String(r.data['to'])).sort(), windows.flatMap(() => [DUTY, OFFICE]).sort(), 'each period: each mailbox once');
  for (const r of notified) t.match(r.data, { digest: 'office-digest', sections: ['delivery-failures'], messageId: /^<office-[0-9a-f]{32}-\d{8}T\d{6}Z-[0-9a-f]{12}@gov\.example>$/ });

  const transactions = mail.sink.received.filter((r) => r.rcptTo.some((a) => a === OFFICE || a === DUTY));
  t.ok(transactions.every((r) => r.rcptTo.length === 1), 'each mailbox its own SMTP transaction');
  t.equal(transactions.length, notified.length);
  const digests = (await mail.messages()).filter((m) => recipients(m).includes(OFFICE));
  t.equal(digests.length, windows.length);
  const text = digests.map((m) => m.text ?? '').join('\n');
  t.match(digests[0]?.subject, /^Raport zilnic \(.+\): Third National Action Plan/, 'in the consultation\'s first language (ro)');
  t.match(text, /Women's Peace Network, Ioana <b>Marin<\/b> <gone@wpn\.example>: invitație, .+: .*550/, 'organisation, contact, kind, when, the server\'s reason');
  t.match(text, /Institute for Security Studies, Pieter de Vries <left@acad\.example>: invitație/);
  t.match(text, /mesaj(e)? nu a(u)? putut fi livrat/, 'a counted section');
  const html = digests.map((m) => m.html || '').join('\n');
  t.notMatch(html, /<b>Marin/, 'a name is escaped in the HTML');
  t.match(html, /&lt;b&gt;Marin/);
  t.notOk(digests[0]?.replyTo, 'no Reply-To: the office answers nobody through it');
  t.equal(mail.sink.received.find((r) => r.rcptTo.includes(OFFICE))?.mailFrom, 'consult@gov.example', 'bounces go to MAIL_FROM');
});

t.test('a mailbox that fails for now is tried again; the one that got the digest does not get it twice', async (t) => {
  const { api, mail, id } = await setUp(t, { notifyEmails: [OFFICE, DUTY] });
  mail.sink.refuse.set('gone@wpn.example', 550);
  mail.sink.refuse.set(DUTY, 451);
  await inviteThroughApi(api, id, invitee('Women\'s Peace Network', 'Ioana Marin', 'gone@wpn.example'));
  await until('the duty mailbox refused twice', () => (mail.sink.rcptAttempts.get(DUTY) ?? 0) >= 2, 20_000);
  mail.sink.refuse.delete(DUTY);
  await until('both recorded', async () => (await recordsOf(api, id, 'OfficeNotified')).length === 2, 20_000);
  await quietFor(1_000);
  t.equal(mail.sink.received.filter((r) => r.rcptTo.includes(OFFICE)).length, 1, 'the office got it once, though the job ran again');
  t.equal(mail.sink.received.filter((r) => r.rcptTo.includes(DUTY)).length, 1);
  t.same((await recordsOf(api, id, 'OfficeNotified')).map((r) => r.data['to']).sort(), [DUTY, OFFICE]);
  t.same(await recordsOf(api, id, 'OfficeNotificationFailed'), [], 'a failure for now that then went is not recorded as failed');
});

t.test('PUT …/notify-emails: coordinators set them (the same list again records nothing); no mailbox: the digest sends nothing', async (t) => {
  const { api, mail, id } = await setUp(t, {});
  const put = (body: unknown, as?: 'auditor') => api.call({ method: 'PUT', url: `/consultations/${id}/notify-emails`, body, ...(as ? { as } : {}) });
  t.equal((await put({ notifyEmails: ['not an address'] })).statusCode, 400);
  t.equal((await put({ notifyEmails: [OFFICE] }, 'auditor')).statusCode, 403);
  t.equal((await put({ notifyEmails: [OFFICE] })).statusCode, 200);
  t.equal((await put({ notifyEmails: [OFFICE.toUpperCase()] })).statusCode, 200);
  t.equal((await recordsOf(api, id, 'NotifyEmailsChanged')).length, 1, 'the same list again: no event');
  t.same(((await api.call({ url: `/consultations/${id}` })).json() as { notifyEmails: string[] }).notifyEmails, [OFFICE]);
  t.equal((await put({ notifyEmails: [] })).statusCode, 200);
  t.same(((await api.call({ url: `/consultations/${id}` })).json() as { notifyEmails: string[] }).notifyEmails, []);

  mail.sink.refuse.set('gone@wpn.example', 550);
  await inviteThroughApi(api, id, invitee('Women\'s Peace Network', 'Ioana Marin', 'gone@wpn.example'));
  await until('the failure recorded', async () => (await recordsOf(api, id, 'DeliveryFailed')).length === 1);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queue = new Queue(MAIL_QUEUE, { connection, prefix: mail.prefix });
  t.teardown(async () => {
    await queue.close();
    await connection.quit();
  });
  const officeJob = async () => (await queue.getCompleted()).find((j) => j.id?.startsWith(`office-${id.replaceAll('-', '')}-`));
  await until('the office digest job ran', async () => (await officeJob()) !== undefined, 20_000);
  t.match((await officeJob())?.returnvalue, { outcome: 'not-due', reason: 'no mailbox to alert' });
  t.notMatch(JSON.stringify((await officeJob())?.data), /@/, 'the job names no address');
  t.equal(mail.sink.received.length, 0, 'nothing sent');
  t.same(await recordsOf(api, id, 'OfficeNotified'), []);
});

t.test('held replies in the digest: those held in the period and still pending, each reason once, where to decide them; no sender address', async (t) => {
  const period = { from: Date.parse('2027-03-09T22:00:00Z'), to: Date.parse('2027-03-10T22:00:00Z') };
  const reasons = [
    { code: 'SENDER_NOT_ALLOWED', message: 'not a contact' },
    { code: 'EMPTY', message: 'the block has no text', block: 0 },
    { code: 'EMPTY', message: 'the block has no text', block: 1 },
  ];
  const history = [
    opened, cso, draft(1),
    heldReply('held-earlier', { receivedAt: '2027-03-09T21:59:00Z' }),
    heldReply('held-pending', { reasons }),
    heldReply('held-decided'),
    event('InboundReplyDiscarded', { heldId: 'held-decided', reason: 'a duplicate of the letter' }),
  ];
  const records = [
    { heldId: 'held-earlier', recordedAt: '2027-03-09T21:59:01Z' },
    { heldId: 'held-pending', recordedAt: '2027-03-10T08:30:01Z' },
    { heldId: 'held-decided', recordedAt: '2027-03-10T09:00:00Z' },
  ];
  const sections = officeDigestSections(stateFrom(history), [], records, period);
  t.same(sections, [{
    kind: 'held-replies',
    items: [{ organisation: stateFrom(history).stakeholders.get(CSO)!.organisation, receivedAt: '2027-03-10T08:30:00Z', reasons: ['SENDER_NOT_ALLOWED', 'EMPTY'] }],
    review: `/consultations/${CONSULTATION_ID}/held-replies`,
  }], 'the one held in the period and not decided; the earlier one is the earlier period\'s');
  t.notMatch(JSON.stringify(sections), /@/, 'no address');
  const accepted = event('InboundReplyAccepted', { heldId: 'held-pending', commentIds: [] });
  t.same(officeDigestSections(stateFrom([...history, accepted]), [], records, period), [], 'every one decided: nothing to report');
});

t.test('a reply held by the inbound listener reaches the office mailbox in that period\'s digest, section held-replies', async (t) => {
  const { api, mail, id } = await setUp(t, { notifyEmails: [OFFICE] });
  const focal = 'focal@wmn.example';
  const sid = await inviteThroughApi(api, id, invitee('Women Mediators Network', 'Amina Yusuf', focal));
  const contactId = (await api.handler.load(id)).stakeholders.get(sid)!.contacts[0]!.contactId;
  const mailbox = new InboundMailbox({ handler: api.handler, settings: { domain: INBOUND_DOMAIN, keys: MAIL_SETTINGS.keys, dataDir: tempDir(t), maxBytes: 1024 * 1024, maxAttachmentBytes: 256 * 1024 } });
  const listener = await startInboundListener({ mailbox, port: 0, host: '127.0.0.1' });
  t.teardown(() => listener.close());
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: listener.address.port, secure: false, ignoreTLS: true });
  t.teardown(() => smtp.close());
  const to = replyAddress(MAIL_SETTINGS.keys, 'reply', { consultationId: id, stakeholderId: sid, contactId }, INBOUND_DOMAIN);
  const sender = 'a.colleague@gmail.example';
  await smtp.sendMail({ envelope: { from: sender, to: [to] }, from: `A Colleague <${sender}>`, to, subject: 'Re: Invitation', text: 'We support section 1.' });
  t.equal((await recordsOf(api, id, 'InboundReplyHeld')).length, 1, 'held: the sender is no contact');

  await until('the digest recorded', async () => (await recordsOf(api, id, 'OfficeNotified')).length > 0, 20_000);
  const [notified] = await recordsOf(api, id, 'OfficeNotified');
  t.match(notified?.data, { to: OFFICE, digest: 'office-digest', sections: ['held-replies'] });
  const digest = (await mail.messages()).find((m) => recipients(m).includes(OFFICE));
  t.equal(digest?.messageId, notified?.data['messageId']);
  t.match(digest?.text, /1 reply by e-mail is held for you to accept or discard:\n {2}- Women Mediators Network, received .+: the sender is not one of the organisation's contacts, nor in a domain listed for it\n/);
  t.match(digest?.text, `GET /consultations/${id}/held-replies`, 'where to decide it');
  t.notMatch(`${digest?.text ?? ''}${digest?.html || ''}`, /a\.colleague|gmail/, 'not the sender\'s address');
  t.equal(mail.sink.received.filter((r) => r.rcptTo.includes(OFFICE)).length, 1, 'one digest');
});
