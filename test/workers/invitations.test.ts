// Invitations end to end: the relay turns StakeholderInvited into one job per contact, the worker
// sends each through a real SMTP server (smtp-server on 127.0.0.1) and records InvitationSent with
// the Message-ID; a resend is a new message; a stakeholder removed before its job runs gets nothing.
// Real Redis on 127.0.0.1:6379 under a prefix of this test's own.
import { randomUUID } from 'node:crypto';
import type { AddressObject } from 'mailparser';
import t, { type Test } from 'tap';
import { parseReplyAddress, readLinkToken, resolveReplyToken } from '../../src/auth/stakeholder-tokens.ts';
import { MAIL_SETTINGS, startMail, until, quietFor } from '../helpers/mail-system.ts';
import { contactIdsThroughApi, inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';

t.setTimeout(120_000);

const first = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value ?? [];

const PARTNERS = {
  organisation: 'Asociația Femeilor pentru Pace',
  kind: 'civil-society',
  language: 'ro',
  endorser: false,
  contacts: [{ name: 'Ioana Marin', email: 'ioana@afp.example' }, { name: 'Elena Dobre', email: 'elena@afp.example' }],
};

async function setUp(t: Test) {
  const api = await startApi(t);
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore });
  return { api, mail };
}

t.test('an invitation reaches each contact: its own message, language, link, Reply-To and Message-ID; InvitationSent records it', async (t) => {
  const { api, mail } = await setUp(t);
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, PARTNERS);
  await until('two messages and two records', async () => mail.sink.received.length === 2 && (await mail.records(id)).length === 2);

  const messages = await mail.messages();
  const records = await mail.records(id);
  t.same(records.map((r) => r.type), ['InvitationSent', 'InvitationSent']);
  for (const contact of PARTNERS.contacts) {
    const [contactId] = await contactIdsThroughApi(api, id, sid, contact.email);
    const m = messages.find((x) => first(x.to).some((a) => a.address === contact.email));
    if (!m) {
      t.fail(`nothing reached ${contact.email}`);
      continue;
    }
    t.same(first(m.to).map((a) => a.address), [contact.email], 'one recipient: this contact only');
    t.match(first(m.to)[0]?.name, contact.name);
    t.equal(m.headers.get('content-language'), 'ro', 'in the stakeholder\'s language');
    t.match(m.subject, /^Invitație: Third National Action Plan/);
    t.match(m.text, /Vă rugăm să scrieți răspunsul deasupra acestei linii/, 'the Romanian reply marker');
    const link = /https:\/\/consult\.example\.org\/r\/([A-Za-z0-9._-]+)/.exec(m.text ?? '');
    t.ok(link, 'the personal link');
    const token = await readLinkToken(MAIL_SETTINGS.keys, decodeURIComponent(link![1]!));
    t.same(token.ok && token.subject, { consultationId: id, stakeholderId: sid, contactId }, 'the link names this contact');
    const replyTo = first(m.replyTo)[0]?.address ?? '';
    t.match(replyTo, /^reply\+[a-z0-9]+@in\.consult\.example$/);
    const parsed = parseReplyAddress(replyTo);
    t.same(parsed.ok && resolveReplyToken(MAIL_SETTINGS.keys, parsed.token, await api.handler.load(id)), { ok: true, subject: { consultationId: id, stakeholderId: sid, contactId } }, 'Reply-To names this contact');
    const received = mail.sink.received.find((r) => r.rcptTo.includes(contact.email))!;
    t.match(received.mailFrom, /^bounces\+[a-z0-9]+@in\.consult\.example$/, 'the envelope sender is its own bounce address');
    const record = records.find((r) => r.data['contactId'] === contactId);
    t.ok(record, 'an InvitationSent for this contact');
    t.equal(record?.data['messageId'], m.messageId, 'recorded with the Message-ID it carries');
    t.match(m.messageId, /^<inv-[0-9a-f]{32}-[0-9a-f]{32}-r\d+@gov\.example>$/);
    t.equal(record?.data['stakeholderId'], sid);
    t.equal(record?.metadata['actor'] && (record.metadata['actor'] as { role: string }).role, 'system');
  }
});

t.test('a resend is a new message with a Message-ID of its own, recorded; to one contact when it names one', async (t) => {
  const { api, mail } = await setUp(t);
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, PARTNERS);
  await until('the first invitations', async () => (await mail.records(id)).length === 2);
  const [elena] = await contactIdsThroughApi(api, id, sid, 'elena@afp.example');
  const res = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/resend-invitation`, body: { contactId: elena } });
  t.equal(res.statusCode, 200, res.body);
  await until('the resent invitation', async () => (await mail.records(id)).length === 3);
  await quietFor(500);
  const records = await mail.records(id);
  t.equal(records.length, 3, 'one more, to one contact');
  t.equal(records[2]?.data['contactId'], elena);
  t.equal(new Set(records.map((r) => r.data['messageId'])).size, 3, 'three Message-IDs');
  t.equal(mail.sink.received.length, 3);

  const unknown = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/resend-invitation`, body: { contactId: randomUUID() } });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'CONTACT_NOT_FOUND');
});

t.test('a stakeholder removed before its invitation goes gets nothing, and nothing is recorded', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  // the worker starts only after the removal: the relay's job meets a removed stakeholder
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, worker: false });
  const sid = await inviteThroughApi(api, id, { ...PARTNERS, contacts: [PARTNERS.contacts[0]] });
  await until('the relay passed the invitation', async () => {
    const [status] = mail.system.relayRunner!.status();
    return status?.position !== null && (await mail.system.health()).relay?.behind === 0;
  });
  const removed = await api.call({ method: 'DELETE', url: `/consultations/${id}/stakeholders/${sid}` });
  t.equal(removed.statusCode, 200, removed.body);
  const worker = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, relay: false, prefix: mail.prefix, sink: mail.sink });
  await quietFor(1_500);
  t.equal(worker.sink.received.length, 0, 'nothing sent');
  t.same(await mail.records(id), [], 'nothing recorded');
});
