// What the headers of an inbound mail decide: an automatic reply, a trusted authentication verdict,
// a delivery report's failure.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { trustedAuthentication } from '../../src/inbound/authentication.ts';
import { autoReplyReason } from '../../src/inbound/auto-reply.ts';
import { readBounce } from '../../src/inbound/bounce.ts';
import type { HeaderLine } from '../../src/inbound/headers.ts';
import { parseMail } from '../../src/inbound/parse.ts';

const h = (line: string): HeaderLine => ({ key: line.slice(0, line.indexOf(':')).toLowerCase(), line });

t.test('automatic replies: each sign, and mail a person sent', async (t) => {
  const person = 'ana@wpn.example';
  t.equal(autoReplyReason([h('Auto-Submitted: auto-replied')], person), 'Auto-Submitted: auto-replied');
  t.equal(autoReplyReason([h('Auto-Submitted: auto-generated; owner-email="x@y"')], person), 'Auto-Submitted: auto-generated');
  t.equal(autoReplyReason([h('Auto-Submitted: No')], person), null, 'Auto-Submitted: no is a person');
  t.equal(autoReplyReason([h('X-Autoreply: yes')], person), 'x-autoreply');
  t.equal(autoReplyReason([h('X-Autorespond: Vacation')], person), 'x-autorespond');
  t.equal(autoReplyReason([h('X-Auto-Response-Suppress: All')], person), 'x-auto-response-suppress');
  for (const p of ['auto_reply', 'bulk', 'list', 'junk', 'Bulk']) t.equal(autoReplyReason([h(`Precedence: ${p}`)], person), `Precedence: ${p.toLowerCase()}`);
  t.equal(autoReplyReason([h('Precedence: first-class')], person), null);
  t.equal(autoReplyReason([], ''), 'empty envelope sender');
  t.equal(autoReplyReason([], null), null, 'a webhook that does not say the envelope sender: not a sign');
  t.equal(autoReplyReason([h('Subject: Out of office')], person), null);
});

t.test('Authentication-Results: only the configured receiving system\'s, the topmost', async (t) => {
  const headers = [
    h('Authentication-Results: mx.consult.example;\r\n dkim=pass header.d=wpn.example; spf=pass smtp.mailfrom=wpn.example'),
    h('Authentication-Results: mx.consult.example; dkim=fail (forged below ours)'),
    h('Authentication-Results: attacker.example; dkim=pass'),
  ];
  t.same(trustedAuthentication(headers, 'mx.consult.example'), { authservId: 'mx.consult.example', verdict: 'dkim=pass header.d=wpn.example; spf=pass smtp.mailfrom=wpn.example' });
  t.same(trustedAuthentication(headers, 'MX.consult.example'), { authservId: 'mx.consult.example', verdict: 'dkim=pass header.d=wpn.example; spf=pass smtp.mailfrom=wpn.example' });
  t.equal(trustedAuthentication(headers.slice(2), 'mx.consult.example'), undefined, 'anyone else\'s is not recorded');
  t.equal(trustedAuthentication(headers, undefined), undefined, 'no INBOUND_AUTHSERV_ID: none');
  t.same(trustedAuthentication([h('Authentication-Results: mx.consult.example 1; none')], 'mx.consult.example'), { authservId: 'mx.consult.example', verdict: 'none' }, 'a version after the id');
});

const subject = { consultationId: '0d5e8f3a-1c2b-4a6d-9e7f-8a9b0c1d2e3f', stakeholderId: 'ignored', contactId: '11111111-2222-4333-8444-555555555555' };
const ours = '<rem-0d5e8f3a1c2b4a6d9e7f8a9b0c1d2e3f-11111111222243338444555555555555-c1-20270315T170000Z-604800000ms@gov.example>';
const dsn = (original: string, status = '5.1.1', action = 'failed') => readFileSync(new URL('./fixtures/bounce-postfix.eml', import.meta.url), 'utf8')
  .replaceAll('{{BOUNCES}}', 'bounces+x@in.consult.example').replaceAll('{{ORIGINAL}}', original)
  .replace('Action: failed', `Action: ${action}`).replace('Status: 5.1.1', `Status: ${status}`);

t.test('a delivery report: the failed message ours, by its Message-ID, with its kind; a temporary or foreign one', async (t) => {
  const read = async (raw: string) => readBounce(await parseMail(Buffer.from(raw)), subject, '<report@mx.wpn.example>');
  t.match(await read(dsn(ours)), { kind: 'failure', failure: { messageId: ours, messageKind: 'reminder', permanent: true, error: /^5\.1\.1 smtp; 550 5\.1\.1 <maria\.ionescu@wpn\.example>: Recipient address rejected: User unknown$/ } });
  t.match(await read(dsn(ours, '4.2.2')), { kind: 'failure', failure: { permanent: false } });
  t.match(await read(dsn(ours, '4.4.7', 'delayed')), { kind: 'not-a-failure', reason: /delayed/ });
  const foreign = '<inv-0d5e8f3a1c2b4a6d9e7f8a9b0c1d2e3f-99999999999999999999999999999999-r1@gov.example>';
  t.match(await read(dsn(foreign)), { kind: 'failure', failure: { messageId: '<report@mx.wpn.example>', messageKind: 'notice' } }, 'another contact\'s message: under the report\'s own id');
  t.match(await read('From: a@b\r\nSubject: hi\r\n\r\nnot a report'), { kind: 'not-a-failure' });
});
