// Messages as they leave: through a real SMTP listener on 127.0.0.1 (smtp-server), read back with
// mailparser (recipients, Reply-To, Message-ID, envelope sender, headers), and through the file
// outbox (a parseable .eml, its path logged). Each contact gets its own transaction.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { pino } from 'pino';
import t from 'tap';
import {
  parseReplyAddress, readLinkToken, resolveReplyToken, stakeholderTokenKeys,
} from '../../src/auth/stakeholder-tokens.ts';
import { fixtureContactId, fixtureContacts } from '../helpers/contact-ids.ts';
import { event } from '../../src/domain/events.ts';
import type { LinkSubject } from '../../src/domain/link-access.ts';
import { composeMessage, type ComposeInput, type MailSettings } from '../../src/mail/compose.ts';
import { InvalidRecipientError, buildMail } from '../../src/mail/message.ts';
import { renderMessage } from '../../src/mail/render.ts';
import { classifyFailure, createMailer } from '../../src/mail/transport.ts';
import { CONSULTATION_ID, CSO, cso, draft, opened, stateFrom } from '../helpers/domain-spec.ts';
import { until } from '../helpers/mail-system.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';
import { DEADLINE, HOSTILE, common } from './fixtures.ts';

t.setTimeout(60_000);

const keys = stakeholderTokenKeys('test-secret-0123456789abcdef0123456789abcdef');
const settings: MailSettings = {
  from: { name: 'Gender Office', address: 'consult@gov.example' },
  inboundDomain: 'in.consult.example',
  publicUrl: 'https://consult.example.org',
  keys,
};
const silent = pino({ level: 'silent' });
const smtpOptions = { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 5_000 };

function subjectFor(email: string): LinkSubject {
  return { consultationId: CONSULTATION_ID, stakeholderId: CSO, contactId: fixtureContactId(CSO, email) };
}

function invitation(email: string, name = 'Ioana Marin', over: Partial<ComposeInput> = {}): ComposeInput {
  const c = common('ro');
  return {
    jobId: `invitation-${CSO}-${fixtureContactId(CSO, email)}`,
    subject: subjectFor(email),
    consultation: c.consultation,
    stakeholder: c.stakeholder,
    contact: { name, email },
    facts: { kind: 'invitation', draftVersion: 1, deadline: DEADLINE },
    ...over,
  };
}

const first = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value ?? [];

t.test('an invitation over SMTP: one recipient, its Reply-To and envelope sender naming the contact, the Message-ID of the job', async (t) => {
  const sink = await startSmtpSink(t);
  const mailer = createMailer({ kind: 'smtp', url: sink.url }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => mailer.close());
  const { mail } = await composeMessage(settings, invitation('ioana@wpn.example'));
  const result = await mailer.send(mail);
  t.match(result, { transport: 'smtp', messageId: mail.messageId, accepted: ['ioana@wpn.example'], rejected: [] });

  t.equal(sink.received.length, 1);
  const got = sink.received[0]!;
  t.strictSame(got.rcptTo, ['ioana@wpn.example'], 'the envelope names the contact only');
  t.match(got.mailFrom, /^bounces\+1[a-z2-7]{52}@in\.consult\.example$/, 'the envelope sender is the per-recipient bounce address');
  const bounce = parseReplyAddress(got.mailFrom!);
  const state = stateFrom([opened, draft(1), cso,
    event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, [{ name: 'Ioana Marin', email: 'ioana@wpn.example' }]) })]);
  t.strictSame(bounce.ok && resolveReplyToken(keys, bounce.token, state), { ok: true, subject: subjectFor('ioana@wpn.example') }, 'a bounce is attributed to the contact');

  const parsed = await simpleParser(got.raw);
  t.strictSame(first(parsed.to).map((a) => [a.name, a.address]), [['Ioana Marin', 'ioana@wpn.example']]);
  t.strictSame(first(parsed.from).map((a) => [a.name, a.address]), [['Gender Office', 'consult@gov.example']]);
  const replyTo = first(parsed.replyTo)[0]?.address ?? '';
  t.match(replyTo, /^reply\+1[a-z2-7]{52}@in\.consult\.example$/);
  t.ok(replyTo.split('@')[0]!.length <= 64);
  t.equal(parsed.messageId, `<invitation-${CSO}-${fixtureContactId(CSO, 'ioana@wpn.example')}@gov.example>`);
  t.equal(parsed.subject, 'Invitație: Third National Action Plan on Women, Peace and Security', 'in the stakeholder\'s language');
  t.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
  t.equal(parsed.headers.get('content-language'), 'ro');
  t.equal(parsed.text?.split('\n')[0], '-- Vă rugăm să scrieți răspunsul deasupra acestei linii --');
  t.match(parsed.html || '', /<html lang="ro">/);

  // the link in the body is the contact's, and reads back to it
  const token = /https:\/\/consult\.example\.org\/r\/(\S+)/.exec(parsed.text ?? '')?.[1];
  t.ok(token, 'the personal link');
  t.strictSame(await readLinkToken(keys, decodeURIComponent(token!)), { ok: true, subject: subjectFor('ioana@wpn.example') });
});

t.test('each contact gets its own message: its own transaction, To, Reply-To, bounce address and link', async (t) => {
  const sink = await startSmtpSink(t);
  const mailer = createMailer({ kind: 'smtp', url: sink.url }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => mailer.close());
  for (const email of ['ioana@wpn.example', 'elena@wpn.example']) await mailer.send((await composeMessage(settings, invitation(email))).mail);
  t.equal(sink.received.length, 2);
  const parsed = await Promise.all(sink.received.map((r) => simpleParser(r.raw)));
  t.strictSame(sink.received.map((r) => r.rcptTo), [['ioana@wpn.example'], ['elena@wpn.example']]);
  t.strictSame(parsed.map((p) => first(p.to).map((a) => a.address)), [['ioana@wpn.example'], ['elena@wpn.example']]);
  t.not(sink.received[0]!.mailFrom, sink.received[1]!.mailFrom);
  t.not(first(parsed[0]!.replyTo)[0]?.address, first(parsed[1]!.replyTo)[0]?.address);
  t.not(parsed[0]!.messageId, parsed[1]!.messageId);
  const links = parsed.map((p) => /\/r\/(\S+)/.exec(p.text ?? '')?.[1]);
  t.not(links[0], links[1]);
});

const emails = (n: number) => Array.from({ length: n }, (_, i) => `contact${i}@wpn.example`);

t.test('pooled: twelve messages at once go over at most the pool\'s connections, each its own transaction', async (t) => {
  const sink = await startSmtpSink(t);
  const mailer = createMailer({ kind: 'smtp', url: sink.url, pool: { maxConnections: 3, maxMessages: 100 } }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => mailer.close());
  const mails = await Promise.all(emails(12).map(async (email) => (await composeMessage(settings, invitation(email))).mail));
  const results = await Promise.all(mails.map((mail) => mailer.send(mail)));
  t.strictSame(results.map((r) => r.accepted), emails(12).map((e) => [e]));
  t.ok(sink.connections() >= 1 && sink.connections() <= 3, `${sink.connections()} connections for 12 messages, the pool holds 3`);
  t.equal(sink.mailFroms(), 12, 'one MAIL FROM per message');
  t.equal(sink.received.length, 12, 'one DATA per message');
  t.strictSame(sink.received.map((r) => r.rcptTo).sort(), emails(12).map((e) => [e]).sort(), 'each transaction names its contact only');
  t.equal(new Set(sink.received.map((r) => r.mailFrom)).size, 12, 'each its own bounce address');
});

t.test('a pool of one: one connection, messages one after another; SMTP_POOL_MAX_MESSAGES replaces it', async (t) => {
  const sink = await startSmtpSink(t);
  const one = createMailer({ kind: 'smtp', url: sink.url, pool: { maxConnections: 1, maxMessages: 100 } }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => one.close());
  await Promise.all(emails(5).map(async (email) => one.send((await composeMessage(settings, invitation(email))).mail)));
  t.equal(sink.connections(), 1);
  t.equal(sink.mailFroms(), 5);
  t.equal(sink.received.length, 5);

  const other = await startSmtpSink(t);
  const capped = createMailer({ kind: 'smtp', url: other.url, pool: { maxConnections: 1, maxMessages: 2 } }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => capped.close());
  await Promise.all(emails(5).map(async (email) => capped.send((await composeMessage(settings, invitation(email))).mail)));
  t.equal(other.connections(), 3, 'two messages a connection: 5 messages, 3 connections');
  t.equal(other.received.length, 5);
});

t.test('pooled: a refused message (550, 451) leaves its connection to the next, and fails as before', async (t) => {
  const sink = await startSmtpSink(t);
  sink.refuse.set('gone@wpn.example', 550);
  sink.refuse.set('busy@wpn.example', 451);
  const mailer = createMailer({ kind: 'smtp', url: sink.url, pool: { maxConnections: 1, maxMessages: 100 } }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => mailer.close());
  const outcomes = [];
  for (const email of ['a@wpn.example', 'gone@wpn.example', 'b@wpn.example', 'busy@wpn.example', 'c@wpn.example']) {
    try {
      const r = await mailer.send((await composeMessage(settings, invitation(email))).mail);
      outcomes.push(r.accepted);
    } catch (error) {
      outcomes.push(classifyFailure(error));
    }
  }
  t.match(outcomes, [['a@wpn.example'], { permanent: true, responseCode: 550 }, ['b@wpn.example'], { permanent: false, responseCode: 451 }, ['c@wpn.example']]);
  t.equal(sink.connections(), 1, 'the same connection throughout');
  t.equal(sink.mailFroms(), 5, 'each message its own transaction, refused or not');
  t.strictSame(sink.received.map((r) => r.rcptTo), [['a@wpn.example'], ['b@wpn.example'], ['c@wpn.example']]);
});

t.test('close() ends the pool\'s connections; a message after it fails as transient (another worker retries it)', async (t) => {
  const sink = await startSmtpSink(t);
  // no socketTimeout: an idle pooled connection stays open (nodemailer's idleTimeout is 4 minutes) until close()
  const mailer = createMailer({ kind: 'smtp', url: sink.url, pool: { maxConnections: 2, maxMessages: 100 } }, { logger: silent, smtp: { connectionTimeout: 5_000, greetingTimeout: 5_000 } });
  await Promise.all(emails(4).map(async (email) => mailer.send((await composeMessage(settings, invitation(email))).mail)));
  t.ok(sink.openConnections() >= 1, 'the connections stay open for the next messages');
  mailer.close();
  await until('every connection closed', () => sink.openConnections() === 0);
  const late = await mailer.send((await composeMessage(settings, invitation('late@wpn.example'))).mail).then(() => null, classifyFailure);
  t.match(late, { permanent: false });
  t.equal(sink.received.length, 4);
});

t.test('the same job composes the same message: Message-ID, addresses and link', async (t) => {
  const a = await composeMessage(settings, invitation('ioana@wpn.example'));
  const b = await composeMessage(settings, invitation('ioana@wpn.example'));
  t.equal(a.mail.messageId, b.mail.messageId);
  t.strictSame(a.mail.envelope, b.mail.envelope);
  t.equal(a.mail.replyTo, b.mail.replyTo);
  t.equal(a.mail.text, b.mail.text);
});

t.test('a hostile organisation, title and contact name: escaped in HTML, and no header can be injected', async (t) => {
  const sink = await startSmtpSink(t);
  const mailer = createMailer({ kind: 'smtp', url: sink.url }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => mailer.close());
  const c = common('en');
  const { mail } = await composeMessage(settings, invitation('ioana@wpn.example', 'Eve\r\nBcc: evil@attacker.example', {
    consultation: { ...c.consultation, title: `Plan ${HOSTILE}\r\nBcc: evil2@attacker.example\nX-Injected: yes` },
    stakeholder: { organisation: `${HOSTILE}\r\nCc: evil3@attacker.example`, language: 'en' },
  }));
  await mailer.send(mail);
  const got = sink.received[0]!;
  t.strictSame(got.rcptTo, ['ioana@wpn.example'], 'nobody else got it');
  const parsed: ParsedMail = await simpleParser(got.raw);
  t.equal(parsed.bcc, undefined);
  t.equal(parsed.cc, undefined);
  t.equal(parsed.headers.get('x-injected'), undefined);
  t.strictSame(first(parsed.to).map((a) => a.address), ['ioana@wpn.example']);
  t.equal(first(parsed.to)[0]?.name, 'Eve Bcc: evil@attacker.example', 'the name kept on one line');
  t.equal(parsed.subject, `Invitation: Plan ${HOSTILE} Bcc: evil2@attacker.example X-Injected: yes`);
  const rawHeaders = got.raw.toString('utf8').split('\r\n\r\n')[0]!;
  t.notMatch(rawHeaders, /^(Bcc|Cc|X-Injected):/im, 'no such header line');
  t.notMatch(parsed.html || '', /<script/);
  t.match(parsed.html || '', '&lt;script&gt;');
  t.match(parsed.text ?? '', HOSTILE);
});

t.test('an address that is not one mailbox is refused before anything is sent: a permanent failure', async (t) => {
  for (const email of ['ioana@wpn.example\r\nBcc: evil@attacker.example', 'a@b.example, c@d.example', 'not-an-address']) {
    const rendered = renderMessage({ ...common('en'), kind: 'invitation', draftVersion: 1, deadline: DEADLINE });
    const error = t.throws(() => buildMail(settings, keys, { jobId: 'job-1', subject: subjectFor('x@wpn.example'), to: { name: 'X', email }, rendered }));
    t.ok(error instanceof InvalidRecipientError, JSON.stringify(email));
    t.match(classifyFailure(error), { permanent: true });
  }
  t.throws(() => buildMail(settings, keys, {
    jobId: 'has:colon', subject: subjectFor('x@wpn.example'), to: { name: 'X', email: 'x@wpn.example' },
    rendered: renderMessage({ ...common('en'), kind: 'invitation', draftVersion: 1, deadline: DEADLINE }),
  }), 'a job id that cannot be a Message-ID');
});

t.test('failures: 5xx is permanent, 4xx and a server that is not there are transient', async (t) => {
  const sink = await startSmtpSink(t);
  sink.refuse.set('gone@wpn.example', 550);
  sink.refuse.set('busy@wpn.example', 451);
  const mailer = createMailer({ kind: 'smtp', url: sink.url }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => mailer.close());
  const failure = async (email: string, m = mailer) => {
    try {
      await m.send((await composeMessage(settings, invitation(email))).mail);
    } catch (error) {
      return classifyFailure(error);
    }
    throw new Error(`${email} was accepted`);
  };
  t.match(await failure('gone@wpn.example'), { permanent: true, responseCode: 550 });
  t.match(await failure('busy@wpn.example'), { permanent: false, responseCode: 451 });
  const nowhere = createMailer({ kind: 'smtp', url: 'smtp://127.0.0.1:1' }, { logger: silent, smtp: smtpOptions });
  t.teardown(() => nowhere.close());
  t.match(await failure('ioana@wpn.example', nowhere), { permanent: false });
  t.equal(sink.received.length, 0, 'nothing was delivered');
});

t.test('without SMTP_URL: the file outbox writes a parseable .eml, logs its path, says transport "file"', async (t) => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'outbox-')), 'outbox');
  t.teardown(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString())); cb(); } });
  const mailer = createMailer({ kind: 'file', dir }, { logger: pino({ level: 'info' }, sink) });
  t.equal(mailer.transport, 'file');
  const { mail } = await composeMessage(settings, invitation('ioana@wpn.example'));
  const result = await mailer.send(mail);
  t.match(result, { transport: 'file', messageId: mail.messageId, accepted: ['ioana@wpn.example'] });
  t.equal(path.dirname(result.path!), dir);
  t.equal(path.basename(result.path!), `invitation-${CSO}-${fixtureContactId(CSO, 'ioana@wpn.example')}@gov.example.eml`);
  t.equal(statSync(result.path!).mode & 0o777, 0o600, 'only the server reads it: it holds personal data');
  t.ok(lines.some((l) => l['path'] === result.path && l['transport'] === 'file'), 'the path is logged');
  t.notOk(lines.some((l) => JSON.stringify(l).includes('ioana@wpn.example')), 'the address is not');

  const parsed = await simpleParser(readFileSync(result.path!));
  t.strictSame(first(parsed.to).map((a) => a.address), ['ioana@wpn.example']);
  t.match(first(parsed.replyTo)[0]?.address, /^reply\+1[a-z2-7]{52}@in\.consult\.example$/);
  t.equal(parsed.messageId, mail.messageId);
  t.equal(parsed.subject, 'Invitație: Third National Action Plan on Women, Peace and Security');
  t.match(parsed.text ?? '', 'https://consult.example.org/r/');

  await mailer.send(mail);
  t.strictSame(readdirSync(dir), [path.basename(result.path!)], 'the same job again overwrites its own file');
  mailer.close();
});

t.test('without INBOUND_DOMAIN: no Reply-To, bounces to MAIL_FROM', async (t) => {
  const { mail } = await composeMessage({ ...settings, inboundDomain: undefined }, invitation('ioana@wpn.example'));
  t.equal(mail.replyTo, undefined);
  t.strictSame(mail.envelope, { from: 'consult@gov.example', to: ['ioana@wpn.example'] });
});
