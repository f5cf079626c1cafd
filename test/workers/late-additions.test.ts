// Those who join a step late are told (real Redis, real smtp-server): a contact person added to a
// stakeholder invited already gets its own invitation (those it had get none again); a stakeholder
// that becomes an endorser while endorsement is requested gets the request, and its reminders.
import type { ParsedMail } from 'mailparser';
import t from 'tap';
import { DRAFT_BODY, OPEN_BODY, inviteThroughApi, startApi } from '../helpers/http.ts';
import { quietFor, startMail, until } from '../helpers/mail-system.ts';

t.setTimeout(120_000);

function recipients(m: ParsedMail): string[] {
  const to = Array.isArray(m.to) ? m.to : m.to ? [m.to] : [];
  return to.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

t.test('a contact added later gets its own invitation; a new endorser gets the open request and its reminders', async (t) => {
  const api = await startApi(t);
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, reminderOffsetsMs: [3_000] });
  const opened = await api.call({ url: '/consultations', body: OPEN_BODY });
  const id = (opened.json() as { id: string }).id;
  t.equal((await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY })).statusCode, 201);
  const sid = await inviteThroughApi(api, id, {
    organisation: 'Women\'s Peace Network', kind: 'civil-society', language: 'en', endorser: false, contact: { name: 'Ioana Marin', email: 'ioana@wpn.example' },
  });
  const invitations = async () => (await mail.records(id)).filter((r) => r.type === 'InvitationSent');
  await until('the first invitation', async () => (await invitations()).length === 1);

  const contacts = { contacts: [{ name: 'Ioana Marin', email: 'ioana@wpn.example' }, { name: 'Elena Pop', email: 'elena@wpn.example' }] };
  t.equal((await api.call({ method: 'PUT', url: `/consultations/${id}/stakeholders/${sid}/contacts`, body: contacts })).statusCode, 200);
  await until('the added contact\'s invitation', async () => (await invitations()).length === 2);

  // endorsement is requested with a deadline near enough for a reminder 3 s before it
  const deadline = new Date(Date.now() + 8_000).toISOString();
  t.equal((await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline } })).statusCode, 201);
  t.equal((await api.call({ method: 'PATCH', url: `/consultations/${id}/stakeholders/${sid}`, body: { endorser: true } })).statusCode, 200);
  const notices = async () => (await mail.records(id)).filter((r) => r.type === 'NoticeSent' && r.data['notice'] === 'endorsement-request');
  const reminders = async () => (await mail.records(id)).filter((r) => r.type === 'ReminderSent' && r.data['phase'] === 'endorsement');
  await until('the request to each contact', async () => (await notices()).length === 2);
  await until('an endorsement reminder to each contact', async () => (await reminders()).length === 2, 20_000);
  await quietFor(500);

  const messages = await mail.messages();
  const invitedTo = messages.filter((m) => /^Invitation/.test(m.subject ?? '')).flatMap(recipients).sort();
  t.same(invitedTo, ['elena@wpn.example', 'ioana@wpn.example'], 'one invitation each: the contact it had gets none again');
  const requestedTo = messages.filter((m) => /^Endorsement requested/.test(m.subject ?? '')).flatMap(recipients).sort();
  t.same(requestedTo, ['elena@wpn.example', 'ioana@wpn.example']);
  t.equal((await invitations()).length, 2);
});
