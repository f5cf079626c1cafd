// Hostile text over every command route: each text field of each body (and the reason query) is
// sent with a lone surrogate, a control character and a bidi override, then with an unknown field
// beside it. Each answer is 400 INVALID_INPUT as problem+json naming the field, and nothing is
// appended. Multi-line fields take CRLF and store LF.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { stakeholderTokenKeys } from '../../src/auth/stakeholder-tokens.ts';
import { composeMessage } from '../../src/mail/compose.ts';
import { reminderFacts } from '../../src/mail/facts-now.ts';
import { AUTH_SECRET, eventCount, inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';

t.setTimeout(120_000);

const BAD: Record<string, string> = {
  'a lone surrogate': 'Gender\uD800 Office',
  'NUL': 'Gender\u0000Office',
  'ESC': 'Gender\u001B[31mOffice',
  'a bidi override': 'Gender \u202Eecifo',
  'an isolate': 'Gender \u2066Office',
};
const LINE_BREAKS: Record<string, string> = { 'CRLF': 'Gender\r\nOffice', 'LF': 'Gender\nOffice', 'CR': 'Gender\rOffice', 'a tab': 'Gender\tOffice' };

type Method = 'POST' | 'PUT' | 'DELETE';
interface Case {
  method: Method;
  url: string;
  body: Record<string, unknown>;
  /** path of each text field in the body, and whether it is multi-line */
  fields: { path: string[]; multiLine: boolean }[];
}

function withValue(body: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  let at: Record<string, unknown> = copy;
  path.slice(0, -1).forEach((k) => { at = at[k] as Record<string, unknown>; });
  at[path.at(-1)!] = value;
  return copy;
}

t.test('every text field of every command route refuses controls, lone surrogates and bidi overrides; unknown fields are named', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: 'Ministry of Defence', kind: 'ministry', contact: { name: 'Ana', email: 'ana@mod.example' }, language: 'en', endorser: true });
  const comment = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: sid, draftVersion: 1, text: 'A comment' } });
  const cid = comment.json().commentId as string;
  await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-06-01T00:00:00Z' } });
  const c = `/consultations/${id}`;
  const s = (multiLine: boolean, ...path: string[]) => ({ path, multiLine });
  const cases: Case[] = [
    { method: 'POST', url: '/consultations', body: { title: 'T', summary: 'S', leadOrganisation: 'L', languages: ['en'], timeZone: 'UTC' }, fields: [s(false, 'title'), s(true, 'summary'), s(false, 'leadOrganisation')] },
    { method: 'POST', url: `${c}/drafts`, body: { sections: [{ key: 's1', heading: 'H', text: 'T' }], commentDeadline: '2099-01-01T00:00:00Z', note: 'N' }, fields: [s(false, 'sections', '0', 'heading'), s(true, 'sections', '0', 'text'), s(true, 'note')] },
    { method: 'POST', url: `${c}/stakeholders`, body: { organisation: 'O', kind: 'other', contact: { name: 'N', email: 'n@o.example' }, language: 'en' }, fields: [s(false, 'organisation'), s(false, 'contact', 'name')] },
    { method: 'PUT', url: `${c}/stakeholders/${sid}/contacts`, body: { contacts: [{ name: 'N', email: 'ana@mod.example' }] }, fields: [s(false, 'contacts', '0', 'name')] },
    { method: 'POST', url: `${c}/stakeholders/${sid}/response`, body: { response: 'decline', reason: 'R' }, fields: [s(true, 'reason')] },
    { method: 'POST', url: `${c}/stakeholders/${sid}/reinstate`, body: { reason: 'R' }, fields: [s(true, 'reason')] },
    { method: 'POST', url: `${c}/comments`, body: { stakeholderId: sid, draftVersion: 1, text: 'T', proposedText: 'P' }, fields: [s(true, 'text'), s(true, 'proposedText')] },
    { method: 'POST', url: `${c}/comments/${cid}/answer`, body: { disposition: 'noted', response: 'R' }, fields: [s(true, 'response')] },
    { method: 'POST', url: `${c}/comments/${cid}/retract`, body: { reason: 'R' }, fields: [s(true, 'reason')] },
    { method: 'POST', url: `${c}/endorsements`, body: { stakeholderId: sid, draftVersion: 1, decision: 'endorse', signatory: { name: 'N', title: 'T' }, statement: 'S', evidence: 'E' }, fields: [s(false, 'signatory', 'name'), s(false, 'signatory', 'title'), s(true, 'statement'), s(false, 'evidence')] },
    { method: 'POST', url: `${c}/endorsements`, body: { stakeholderId: sid, draftVersion: 1, decision: 'withhold', reason: 'R' }, fields: [s(true, 'reason')] },
    { method: 'POST', url: `${c}/deadlines`, body: { phase: 'comments', deadline: '2099-02-01T00:00:00Z', reason: 'R' }, fields: [s(true, 'reason')] },
    { method: 'POST', url: `${c}/close`, body: { outcome: 'withdrawn', note: 'N' }, fields: [s(true, 'note')] },
    { method: 'PUT', url: `${c}/reminders`, body: { offsets: ['7d'], enabled: true, message: 'M' }, fields: [s(true, 'message')] },
    { method: 'PUT', url: `${c}/notify-emails`, body: { notifyEmails: ['office@mod.example'] }, fields: [s(false, 'notifyEmails', '0')] },
    { method: 'POST', url: `${c}/messages`, body: { kind: 'invitation', stakeholderId: sid, messageId: 'M', sentAt: '2026-01-01T00:00:00Z' }, fields: [s(false, 'messageId')] },
    { method: 'POST', url: `${c}/delivery-failures`, body: { stakeholderId: sid, messageId: 'M', messageKind: 'invitation', error: 'E', failedAt: '2026-01-01T00:00:00Z' }, fields: [s(false, 'messageId'), s(true, 'error')] },
  ];
  const before = await eventCount(api, id);
  let requests = 0;
  for (const k of cases) {
    for (const field of k.fields) {
      const bad = field.multiLine ? BAD : { ...BAD, ...LINE_BREAKS };
      for (const [what, value] of Object.entries(bad)) {
        const res = await api.call({ method: k.method, url: k.url, body: withValue(k.body, field.path, value), headers: { 'idempotency-key': randomUUID() } });
        requests++;
        const label = `${k.method} ${k.url.replace(id, ':id')} ${field.path.join('.')}: ${what}`;
        t.equal(res.statusCode, 400, label);
        t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8', label);
        t.equal(res.json().code, 'INVALID_INPUT', label);
        t.ok((res.json().errors as { path: string }[]).some((e) => e.path === ['body', ...field.path].join('.')), `${label}: names the field`);
      }
    }
    const unknown = await api.call({ method: k.method, url: k.url, body: { ...k.body, colour: 'red' } });
    t.equal(unknown.statusCode, 400, `${k.method} ${k.url}: an unknown field`);
    t.match(unknown.json(), { code: 'INVALID_INPUT', errors: [{ path: 'body.colour', message: 'unknown field' }] });
  }
  t.equal(await eventCount(api, id), before, `nothing appended after ${requests} hostile requests`);
  t.equal((await api.call({ url: '/consultations' })).json().consultations.length, 1, 'no consultation opened');

  // the removal reason also comes as a query parameter
  const removal = await api.call({ method: 'DELETE', url: `${c}/stakeholders/${sid}?reason=${encodeURIComponent('a\u202Eb')}` });
  t.equal(removal.statusCode, 400);
  t.equal(removal.json().code, 'INVALID_INPUT');
});

t.test('multi-line fields store CRLF and a lone CR as LF; single-line fields are trimmed', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: '  Women for Peace  ', kind: 'civil-society', contact: { name: ' Ioana ', email: 'i@wfp.example' }, language: 'en' });
  const res = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: sid, draftVersion: 1, text: 'one\r\ntwo\rthree\n\tfour' } });
  t.equal(res.statusCode, 201);
  const matrix = (await api.call({ url: `/consultations/${id}/comments` })).json();
  t.equal(matrix.comments[0].text, 'one\ntwo\nthree\n\tfour');
  const rows = (await api.call({ url: `/consultations/${id}/stakeholders` })).json().stakeholders;
  t.equal(rows[0].organisation, 'Women for Peace');
  t.same(rows[0].contacts.map(({ name, email }: { name: string; email: string }) => ({ name, email })), [{ name: 'Ioana', email: 'i@wfp.example' }]);
});

t.test('the CSV import reports a name with a control character or a bidi override per row', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const csv = 'organisation,kind,name,email,language\nGood Org,other,Ana,a@good.example,en\nBad\u202EOrg,other,Bo,b@bad.example,en\nNul Org,other,"C\u0000",c@nul.example,en\n';
  const res = await api.call({ url: `/consultations/${id}/stakeholders/import`, payload: csv, headers: { 'content-type': 'text/csv' } });
  t.equal(res.statusCode, 200);
  const report = res.json() as { rows: { row: number; status: string; errors?: { field: string }[] }[] };
  t.same(report.rows.map((r) => [r.row, r.status, r.errors?.map((e) => e.field) ?? []]), [[2, 'invited', []], [3, 'error', ['organisation']], [4, 'error', ['name']]]);
});

t.test('the reminders\' message of the coordinators: escaped in the HTML, its lines kept in the body, never in a header', async (t) => {
  const mail = { from: { name: 'Gender Office', address: 'consult@gov.example' }, inboundDomain: 'reply.gov.example', publicUrl: 'https://consult.example.org', keys: stakeholderTokenKeys(AUTH_SECRET) };
  const api = await startApi(t, { mail });
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: 'Women for Peace', kind: 'civil-society', contact: { name: 'Ioana', email: 'ioana@wfp.example' }, language: 'en' });
  const message = 'Section 3 first, please.\r\nBcc: attacker@evil.example\r\nSubject: you won\n<script>alert("x")</script> & <b>bold</b>';
  const set = await api.call({ method: 'PUT', url: `/consultations/${id}/reminders`, body: { offsets: ['7d'], message } });
  t.equal(set.statusCode, 200, set.body);

  const res = await api.call({ url: `/consultations/${id}/stakeholders/${sid}/messages/preview?kind=reminder&phase=comments` });
  t.equal(res.statusCode, 200, res.body);
  const preview = res.json() as { subject: string; html: string; text: string; to: { address: string } };
  t.notMatch(preview.html, /<script>|<b>bold/, 'no markup of the message reaches the HTML');
  t.match(preview.html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &lt;b&gt;bold&lt;\/b&gt;/);
  t.match(preview.text, /Section 3 first, please\.\n {2}Bcc: attacker@evil\.example\n {2}Subject: you won\n/, 'its lines, as lines of the body (CRLF stored as LF)');
  t.notMatch(preview.subject, /[\r\n]|Bcc|you won/, 'the subject is one line without the message');

  // the reminder as the mail worker composes it (the same builders), written by nodemailer: the
  // header block holds neither the message nor a recipient it names
  const state = await api.handler.load(id);
  const x = state.stakeholders.get(sid)!;
  const contact = x.contacts[0]!;
  const { mail: outgoing } = await composeMessage(mail, {
    jobId: 'rem-hostile', subject: { consultationId: id, stakeholderId: sid, contactId: contact.contactId },
    consultation: { title: 'T', leadOrganisation: 'L', languages: ['en'], timeZone: 'UTC' },
    stakeholder: { organisation: x.organisation, language: x.language }, contact: { name: contact.name, email: contact.email },
    facts: reminderFacts(state, x, 'comments'),
  });
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail(outgoing);
  const raw = (info.message as Buffer).toString('utf8');
  const headers = raw.slice(0, raw.indexOf('\r\n\r\n'));
  t.notMatch(headers, /^Bcc:/im, 'no Bcc header');
  t.notMatch(headers, /attacker|you won|script/i, 'nothing of the message in the headers');
  t.same(info.envelope.to, ['ioana@wfp.example'], 'one recipient');
  t.match(raw, /attacker@evil\.example/, 'the message is in the body (the check above can fail)');
});
