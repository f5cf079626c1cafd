// What was sent to each contact (the stakeholder view's contacts, the messages route) and the preview
// of a message for one contact (GET …/stakeholders/:sid/messages/preview), through app.inject().
import { randomUUID } from 'node:crypto';
import t from 'tap';
import { readLinkToken, replyAddress, stakeholderTokenKeys } from '../../src/auth/stakeholder-tokens.ts';
import { localTime } from '../../src/domain/local-time.ts';
import { REPLY_MARKERS } from '../../src/mail/markers.ts';
import { AUTH_SECRET, contactIdsThroughApi, DRAFT_BODY, eventCount, inviteThroughApi, OPEN_BODY, startApi, withoutLocalTimes } from '../helpers/http.ts';

type Api = Awaited<ReturnType<typeof startApi>>;

const NOW = '2027-03-10T12:00:00Z';
const clock = () => new Date(NOW);
const PUBLIC_URL = 'https://consult.example.org';
const MAIL = {
  from: { name: 'Gender Office', address: 'consult@gov.example' },
  inboundDomain: 'reply.gov.example',
  publicUrl: PUBLIC_URL,
  keys: stakeholderTokenKeys(AUTH_SECRET),
};
const IOANA = { name: 'Ioana Marin', email: 'ioana@wfp.example' };
const ELENA = { name: 'Elena Dobre', email: 'Elena@wfp.example' };
const NGO = { organisation: 'Women for Peace Association', kind: 'civil-society', contacts: [IOANA, ELENA], language: 'ro' };
const DEFENCE = { organisation: 'Ministry of Defence', kind: 'ministry', contact: { name: 'Ana Popescu', email: 'ana@mapn.example' }, language: 'en', endorser: true };

async function ok(api: Api, call: Parameters<Api['call']>[0]) {
  const res = await api.call(call);
  if (res.statusCode >= 300) throw new Error(`${call.url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function open(api: Api, body: Record<string, unknown> = {}, draft = true): Promise<string> {
  const { id } = await ok(api, { url: '/consultations', body: { ...OPEN_BODY, languages: ['en', 'ro', 'nl'], ...body } }) as { id: string };
  if (draft) await ok(api, { url: `/consultations/${id}/drafts`, body: { ...DRAFT_BODY, note: 'Revised after the round table.' } });
  return id;
}

const preview = (api: Api, id: string, sid: string, query: string, as?: 'auditor' | null) =>
  api.call({ url: `/consultations/${id}/stakeholders/${sid}/messages/preview?${query}`, ...(as !== undefined ? { as } : {}) });

// ---- what was sent to each contact ----

t.test('the stakeholder view: each contact with its contactId, its latest messages and counts; messages without a contact under the stakeholder', async (t) => {
  const api = await startApi(t, { clock });
  const id = await open(api);
  const sid = await inviteThroughApi(api, id, NGO);
  const [ioana, elena] = await contactIdsThroughApi(api, id, sid, IOANA.email, ELENA.email);
  const record = (body: Record<string, unknown>) => ok(api, { url: `/consultations/${id}/messages`, body: { stakeholderId: sid, ...body } });
  await record({ kind: 'invitation', contactId: ioana, messageId: 'inv-ioana', sentAt: '2027-03-10T09:00:00Z', transport: 'file' });
  await ok(api, { url: `/consultations/${id}/delivery-failures`, body: { stakeholderId: sid, contactId: elena, messageId: 'inv-elena', messageKind: 'invitation', error: '451 4.2.0 mailbox busy', failedAt: '2027-03-10T09:00:02Z' } });
  await record({ kind: 'invitation', contactId: elena, messageId: 'inv-elena', sentAt: '2027-03-10T09:10:00Z' });
  await record({ kind: 'reminder', contactId: elena, messageId: 'rem-elena', phase: 'comments', draftVersion: 1, deadline: DRAFT_BODY.commentDeadline, sentAt: '2027-03-10T10:00:00Z' });
  await record({ kind: 'notice', messageId: 'letter-1', notice: 'new-draft', draftVersion: 1, sentAt: '2027-03-10T11:00:00Z' });

  const row = (await ok(api, { url: `/consultations/${id}/stakeholders/${sid}` })) as Record<string, any>;
  t.strictSame(withoutLocalTimes(row.contacts), [
    {
      contactId: ioana, ...IOANA,
      messages: [{ messageId: 'inv-ioana', kind: 'invitation', notice: null, phase: null, draftVersion: null, deadline: null, transport: 'file', sentAt: '2027-03-10T09:00:00Z', failure: null, status: 'sent' }],
      messageCounts: { sent: 1, failed: 0 },
    },
    {
      contactId: elena, ...ELENA,
      messages: [
        { messageId: 'rem-elena', kind: 'reminder', notice: null, phase: 'comments', draftVersion: 1, deadline: DRAFT_BODY.commentDeadline, transport: null, sentAt: '2027-03-10T10:00:00Z', failure: null, status: 'sent' },
        { messageId: 'inv-elena', kind: 'invitation', notice: null, phase: null, draftVersion: null, deadline: null, transport: null, sentAt: '2027-03-10T09:10:00Z', failure: { error: '451 4.2.0 mailbox busy', permanent: false, failedAt: '2027-03-10T09:00:02Z' }, status: 'sent' },
      ],
      messageCounts: { sent: 2, failed: 0 },
    },
  ], 'the failure, then the retry that went out: one message, sent');
  t.strictSame(withoutLocalTimes(row.otherMessages), [{
    contactId: null,
    messages: [{ messageId: 'letter-1', kind: 'notice', notice: 'new-draft', phase: null, draftVersion: 1, deadline: null, transport: null, sentAt: '2027-03-10T11:00:00Z', failure: null, status: 'sent' }],
    messageCounts: { sent: 1, failed: 0 },
  }], 'recorded by hand without a contact: the stakeholder\'s, not its primary contact\'s');
  const tz = OPEN_BODY.timeZone;
  t.equal(row.contacts[1].messages[1].sentAtLocal, localTime('2027-03-10T09:10:00Z', tz), 'each time with its local twin');
  t.equal(row.contacts[1].messages[1].failure.failedAtLocal, localTime('2027-03-10T09:00:02Z', tz));
  t.equal(row.contacts[1].messages[0].deadlineLocal, localTime(DRAFT_BODY.commentDeadline, tz));
  const listed = (await ok(api, { url: `/consultations/${id}/stakeholders` })) as { stakeholders: unknown[] };
  const { timeZone: _, ...one } = row;
  t.strictSame(listed.stakeholders[0], one, 'the list shows the same (the list names the zone once, at its top)');
});

t.test('GET …/stakeholders/:sid/messages: every message, a page at a time, by contact; auditors read it; 404s', async (t) => {
  const api = await startApi(t, { clock });
  const id = await open(api);
  const sid = await inviteThroughApi(api, id, NGO);
  const [ioana, elena] = await contactIdsThroughApi(api, id, sid, IOANA.email, ELENA.email);
  for (let i = 0; i < 14; i++) {
    await ok(api, { url: `/consultations/${id}/messages`, body: { kind: 'notice', notice: 'acknowledgement', stakeholderId: sid, contactId: i % 2 ? elena : ioana, messageId: `ack-${String(i).padStart(2, '0')}`, sentAt: '2027-03-10T09:00:00Z' } });
  }
  await ok(api, { url: `/consultations/${id}/messages`, body: { kind: 'invitation', stakeholderId: sid, messageId: 'by-hand', sentAt: '2027-03-10T09:30:00Z' } });
  const url = `/consultations/${id}/stakeholders/${sid}/messages`;
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await ok(api, { url: `${url}?limit=4${cursor ? `&cursor=${cursor}` : ''}`, as: 'auditor' }) as { stakeholderId: string; messages: { messageId: string; contactId: string | null }[]; next: string | null; timeZone: string };
    t.equal(page.stakeholderId, sid);
    t.equal(page.timeZone, OPEN_BODY.timeZone);
    ids.push(...page.messages.map((m) => m.messageId));
    cursor = page.next;
  } while (cursor !== null);
  t.strictSame(ids, [...Array.from({ length: 14 }, (_, i) => `ack-${String(i).padStart(2, '0')}`), 'by-hand'], 'all of them, in the order recorded');
  const row = await ok(api, { url: `/consultations/${id}/stakeholders/${sid}` }) as { contacts: { messages: unknown[]; messageCounts: unknown }[] };
  t.strictSame(row.contacts.map((c) => [c.messages.length, c.messageCounts]), [[7, { sent: 7, failed: 0 }], [7, { sent: 7, failed: 0 }]]);

  const of = async (contact: string) => (await ok(api, { url: `${url}?contact=${contact}` }) as { messages: { messageId: string; contactId: string | null }[] }).messages;
  t.strictSame((await of(elena)).map((m) => [m.messageId, m.contactId]).slice(0, 2), [['ack-01', elena], ['ack-03', elena]]);
  t.equal((await of(elena)).length, 7);
  t.strictSame((await of('none')).map((m) => [m.messageId, m.contactId]), [['by-hand', null]]);
  t.equal((await api.call({ url: `${url}?contact=someone` })).statusCode, 400);
  t.equal((await api.call({ url: `/consultations/${id}/stakeholders/${randomUUID()}/messages` })).json().code, 'STAKEHOLDER_NOT_FOUND');
  t.equal((await api.call({ url: `/consultations/${randomUUID()}/stakeholders/${sid}/messages` })).json().code, 'CONSULTATION_NOT_FOUND');
});

// ---- the preview ----

t.test('preview: an invitation in the stakeholder\'s language (en, ro, nl), to the contact asked for, with its own link and Reply-To; nothing recorded', async (t) => {
  const api = await startApi(t, { clock, mail: MAIL });
  const id = await open(api);
  const ngo = await inviteThroughApi(api, id, NGO);
  const defence = await inviteThroughApi(api, id, DEFENCE);
  const dutch = await inviteThroughApi(api, id, { organisation: 'Vrouwen voor Vrede', kind: 'civil-society', contact: { name: 'Renée de Vries', email: 'renee@vvv.example' }, language: 'nl' });
  const [elena] = await contactIdsThroughApi(api, id, ngo, ELENA.email);
  const before = await eventCount(api, id);

  const res = await preview(api, id, ngo, `kind=invitation&contact=${elena}`);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'no-store', 'it holds a credential: never cached');
  const ro = res.json();
  t.strictSame(Object.keys(ro).sort(), ['from', 'html', 'language', 'replyTo', 'subject', 'text', 'to'], 'a message, not a view: no timeZone, no local twins');
  t.equal(ro.language, 'ro');
  t.equal(ro.subject, `Invitație: ${OPEN_BODY.title}`);
  t.strictSame(ro.to, { name: ELENA.name, address: ELENA.email }, 'the contact asked for, not the primary');
  t.strictSame(ro.from, MAIL.from);
  const subject = { consultationId: id, stakeholderId: ngo, contactId: elena };
  t.equal(ro.replyTo, replyAddress(MAIL.keys, 'reply', subject, MAIL.inboundDomain), 'its own reply address');
  t.ok(ro.text.startsWith(REPLY_MARKERS.ro), 'opens with the marker in its language');
  const link = /https:\/\/consult\.example\.org\/r\/([A-Za-z0-9._%-]+)/.exec(ro.text);
  t.ok(link, 'the personal link under PUBLIC_URL');
  t.strictSame(await readLinkToken(MAIL.keys, decodeURIComponent(link![1]!)), { ok: true, subject }, 'signed for this contact, as the workers sign it');
  t.match(ro.text, /30 iunie 2099/, 'the deadline in Romanian');

  const en = (await preview(api, id, defence, 'kind=invitation')).json();
  t.strictSame([en.language, en.subject, en.to.address], ['en', `Invitation: ${OPEN_BODY.title}`, DEFENCE.contact.email], 'no contact given: the primary');
  t.ok(en.text.startsWith(REPLY_MARKERS.en));
  t.match(en.text, /30 June 2099/);
  const nl = (await preview(api, id, dutch, 'kind=invitation')).json();
  t.strictSame([nl.language, nl.subject], ['nl', `Uitnodiging: ${OPEN_BODY.title}`]);
  t.ok(nl.text.startsWith(REPLY_MARKERS.nl));
  t.match(nl.text, /30 juni 2099/);

  t.equal(await eventCount(api, id), before, 'a preview records nothing');
});

t.test('preview: a hostile organisation name is escaped in the HTML, on one line in the subject', async (t) => {
  const api = await startApi(t, { clock, mail: MAIL });
  const id = await open(api);
  const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)> Co';
  const sid = await inviteThroughApi(api, id, { ...DEFENCE, organisation: hostile, contact: { name: '<b>Ana</b>', email: 'ana@mapn.example' } });
  const body = (await preview(api, id, sid, 'kind=endorsement-request&x=1')).json();
  t.equal(body.code, 'INVALID_INPUT', 'an unknown query parameter is refused');
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-07-15T17:00:00+03:00' } });
  const m = (await preview(api, id, sid, 'kind=endorsement-request')).json();
  t.notOk(m.html.includes('<script>') || m.html.includes('<img') || m.html.includes('<b>Ana'), 'no markup of theirs in the HTML');
  t.ok(m.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt; Co'), 'their name, escaped');
  t.ok(m.html.includes('&lt;b&gt;Ana&lt;/b&gt;'));
  t.ok(m.text.includes(hostile), 'the text part as written');
  t.strictSame(m.to, { name: '<b>Ana</b>', address: 'ana@mapn.example' });
});

t.test('preview: every kind, with what it says now', async (t) => {
  const api = await startApi(t, { clock, mail: MAIL });
  const id = await open(api);
  const sid = await inviteThroughApi(api, id, DEFENCE);
  const kind = async (query: string) => {
    const res = await preview(api, id, sid, query);
    t.equal(res.statusCode, 200, `${query}: ${res.body.slice(0, 200)}`);
    return res.json() as { subject: string; text: string; html: string };
  };
  const draft = await kind('kind=new-draft');
  t.equal(draft.subject, `New draft (version 1): ${OPEN_BODY.title}`);
  t.match(draft.text, /Revised after the round table\./, 'with the draft\'s note');
  t.match((await kind('kind=reminder&phase=comments')).subject, /^Reminder: comments due 30 Jun 2099/);
  await ok(api, { url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-07-02T17:00:00+03:00', reason: 'asked for more time', stakeholderId: sid } });
  t.match((await kind('kind=reminder&phase=comments')).subject, /^Reminder: comments due 2 Jul 2099/, 'its own deadline');

  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-07-15T17:00:00+03:00' } });
  t.equal((await kind('kind=endorsement-request')).subject, `Endorsement requested (version 1): ${OPEN_BODY.title}`);
  t.match((await kind('kind=reminder&phase=endorsement')).subject, /^Reminder: endorsement due 15 Jul 2099/);
  await ok(api, { method: 'PUT', url: `/consultations/${id}/reminders`, body: { enabled: true, message: 'The minister signs on 20 July.' } });
  const reminded = await kind('kind=reminder&phase=endorsement');
  t.match(reminded.text, /A message from the coordinators:\n\s*The minister signs on 20 July\./, 'with the coordinators\' own words');
  t.match((await kind('kind=invitation')).text, /Your endorsement of draft version 1/, 'an endorser\'s invitation asks for the endorsement too');

  const { commentId } = await ok(api, { url: `/consultations/${id}/comments`, body: { stakeholderId: sid, draftVersion: 1, sectionKey: 's1', text: 'Name a target.' } }) as { commentId: string };
  t.equal((await kind('kind=acknowledgement')).subject, `Comments received (C-1): ${OPEN_BODY.title}`);
  await ok(api, { url: `/consultations/${id}/comments/${commentId}/answer`, body: { disposition: 'partially-accepted', response: 'In part.' } });
  const digest = await kind('kind=answers-digest');
  t.match(digest.text, /C-1: partially accepted/);

  await ok(api, { url: `/consultations/${id}/close`, body: { outcome: 'withdrawn', note: 'Postponed to next year.' } });
  const outcome = await kind('kind=outcome');
  t.match(outcome.text, /Postponed to next year\./, 'with the closing\'s note');
  t.equal((await preview(api, id, sid, 'kind=invitation')).json().code, 'CONSULTATION_CLOSED', 'closed: only the outcome goes out');
});

t.test('preview: 409 where the kind has nothing to say now', async (t) => {
  const api = await startApi(t, { clock });
  const id = await open(api, {}, false);
  const ngo = await inviteThroughApi(api, id, NGO);
  const code = async (query: string, sid = ngo) => {
    const res = await preview(api, id, sid, query);
    t.equal(res.statusCode, 409, query);
    return res.json().code as string;
  };
  t.equal((await preview(api, id, ngo, 'kind=invitation')).statusCode, 200, 'an invitation before any draft says so');
  t.equal(await code('kind=reminder&phase=comments'), 'NO_DRAFT');
  t.equal(await code('kind=new-draft'), 'NO_DRAFT');
  t.equal(await code('kind=endorsement-request'), 'NOT_AN_ENDORSER');
  const defence = await inviteThroughApi(api, id, DEFENCE);
  t.equal(await code('kind=reminder&phase=endorsement', defence), 'NO_ENDORSEMENT_REQUEST');
  t.equal(await code('kind=acknowledgement'), 'NO_COMMENT_TO_ACKNOWLEDGE');
  t.equal(await code('kind=answers-digest'), 'NO_ANSWERS_TO_DIGEST');
  t.equal(await code('kind=outcome'), 'CONSULTATION_NOT_CLOSED');
});

t.test('preview: 404 for an unknown contact, stakeholder or consultation; 400 for an unknown kind or a misplaced phase; coordinators only', async (t) => {
  const api = await startApi(t, { clock });
  const id = await open(api);
  const ngo = await inviteThroughApi(api, id, NGO);
  const defence = await inviteThroughApi(api, id, DEFENCE);
  const [defenceContact] = await contactIdsThroughApi(api, id, defence, DEFENCE.contact.email);
  const [elena] = await contactIdsThroughApi(api, id, ngo, ELENA.email);
  const answer = async (res: Awaited<ReturnType<typeof preview>>) => [res.statusCode, res.json().code];
  t.strictSame(await answer(await preview(api, id, ngo, `kind=invitation&contact=${defenceContact}`)), [404, 'CONTACT_NOT_FOUND'],
    'another stakeholder\'s contact');
  t.strictSame(await answer(await preview(api, id, ngo, `kind=invitation&contact=${randomUUID()}`)), [404, 'CONTACT_NOT_FOUND']);
  await ok(api, { method: 'PUT', url: `/consultations/${id}/stakeholders/${ngo}/contacts`, body: { contacts: [IOANA] } });
  t.strictSame(await answer(await preview(api, id, ngo, `kind=invitation&contact=${elena}`)), [404, 'CONTACT_NOT_FOUND'], 'a former contact');
  t.strictSame(await answer(await preview(api, id, randomUUID(), 'kind=invitation')), [404, 'STAKEHOLDER_NOT_FOUND']);
  t.strictSame(await answer(await preview(api, randomUUID(), ngo, 'kind=invitation')), [404, 'CONSULTATION_NOT_FOUND']);

  const unknown = await preview(api, id, ngo, 'kind=postcard');
  t.strictSame(await answer(unknown), [400, 'INVALID_INPUT']);
  t.equal(unknown.json().errors[0].path, 'querystring.kind');
  t.strictSame(await answer(await preview(api, id, ngo, '')), [400, 'INVALID_INPUT'], 'a kind is required');
  t.strictSame(await answer(await preview(api, id, ngo, 'kind=reminder')), [400, 'INVALID_INPUT'], 'a reminder needs its phase');
  t.strictSame(await answer(await preview(api, id, ngo, 'kind=invitation&phase=comments')), [400, 'INVALID_INPUT'], 'and only a reminder takes one');
  t.strictSame(await answer(await preview(api, id, ngo, 'kind=invitation&contact=not-an-id')), [400, 'INVALID_INPUT']);

  t.strictSame(await answer(await preview(api, id, ngo, 'kind=invitation', 'auditor')), [403, 'FORBIDDEN'], 'an auditor reads, but may not hold a stakeholder\'s link');
  t.strictSame(await answer(await preview(api, id, ngo, 'kind=invitation', null)), [401, 'UNAUTHENTICATED']);
});
