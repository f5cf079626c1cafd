// Delivery failures end to end: a transient SMTP failure (451) is retried with backoff and
// succeeds; a permanent one (550) is recorded as DeliveryFailed at once, never retried; a transient
// one on every attempt is recorded once the attempts are spent; malformed job data fails at once
// without retries; a hostile name stays one line in headers and is escaped in HTML; a fan-out goes
// over the pool's few connections, one transaction per contact, and stopping closes them.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { pino } from 'pino';
import { createMailer } from '../../src/mail/transport.ts';
import { MAIL_QUEUE } from '../../src/workers/jobs.ts';
import { inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { MAIL_SETTINGS, REDIS_URL, quietFor, startMail, until } from '../helpers/mail-system.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

t.setTimeout(120_000);

async function setUp(t: Test) {
  const api = await startApi(t);
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore });
  const id = await openConsultation(api);
  return { api, mail, id };
}

const invitee = (email: string, name = 'Focal point') => ({
  organisation: `Organisation of ${email}`, kind: 'civil-society', language: 'en', endorser: false, contact: { name, email },
});

t.test('a transient failure (451) is retried with backoff, then the message goes and is recorded once', async (t) => {
  const { api, mail, id } = await setUp(t);
  mail.sink.refuse.set('later@example.org', 451);
  await inviteThroughApi(api, id, invitee('later@example.org'));
  await until('two refused attempts', () => (mail.sink.rcptAttempts.get('later@example.org') ?? 0) >= 2);
  mail.sink.refuse.delete('later@example.org');
  await until('the invitation recorded', async () => (await mail.records(id)).length === 1);
  await quietFor(500);
  const records = await mail.records(id);
  t.same(records.map((r) => r.type), ['InvitationSent'], 'sent, no failure recorded');
  t.equal(mail.sink.received.length, 1, 'one message arrived');
});

t.test('a permanent failure (550) is recorded as DeliveryFailed at once and never retried', async (t) => {
  const { api, mail, id } = await setUp(t);
  mail.sink.refuse.set('gone@example.org', 550);
  const sid = await inviteThroughApi(api, id, invitee('gone@example.org'));
  await until('the failure recorded', async () => (await mail.records(id)).length === 1);
  await quietFor(1_000);
  const records = await mail.records(id);
  t.equal(records.length, 1);
  t.match(records[0], { type: 'DeliveryFailed', data: { stakeholderId: sid, messageKind: 'invitation', permanent: true, messageId: /^<inv-/ } });
  t.match(records[0]?.data['error'], /550|No such mailbox/);
  t.equal(mail.sink.rcptAttempts.get('gone@example.org'), 1, 'tried once');
  t.equal(mail.sink.received.length, 0);
  const row = (await api.call({ url: `/consultations/${id}/stakeholders/${sid}` })).json();
  t.equal(row.invitationStatus, 'delivery-failed', 'the stakeholder view shows it');
});

t.test('a transient failure on every attempt is recorded as DeliveryFailed (not permanent) once the attempts are spent', async (t) => {
  const { api, mail, id } = await setUp(t);
  mail.sink.refuse.set('busy@example.org', 451);
  await inviteThroughApi(api, id, invitee('busy@example.org'));
  await until('the failure recorded', async () => (await mail.records(id)).length === 1);
  const [record] = await mail.records(id);
  t.match(record, { type: 'DeliveryFailed', data: { permanent: false } });
  t.equal(mail.sink.rcptAttempts.get('busy@example.org'), 4, 'every attempt of the policy (4 in this test)');
});

t.test('malformed job data fails at once, without retries, and Redis keeps no address', async (t) => {
  const { mail } = await setUp(t);
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const queue = new Queue(MAIL_QUEUE, { connection, prefix: mail.prefix });
  t.teardown(async () => {
    await queue.close();
    await connection.quit();
  });
  await queue.add('invitation', { kind: 'invitation', consultationId: 'not-a-uuid', email: 'x@example.org' }, { jobId: 'bad-job', attempts: 5, backoff: { type: 'fixed', delay: 10 } });
  await until('it failed', async () => (await queue.getJobState('bad-job')) === 'failed');
  const job = await queue.getJob('bad-job');
  t.equal(job!.attemptsMade, 1, 'one attempt only');
  t.match(job!.failedReason, /malformed mail job data/);

  // the jobs the relay made for real hold ids only
  const keys = await connection.keys(`${mail.prefix}:${MAIL_QUEUE}:*`);
  for (const key of keys) {
    if ((await connection.type(key)) !== 'hash' || key.endsWith('bad-job')) continue;
    const data = await connection.hget(key, 'data');
    if (data) t.notMatch(data, /@/, `${key}: no address in the job data`);
  }
});

t.test('a hostile name: one recipient, headers on one line, escaped in the HTML', async (t) => {
  const { api, mail, id } = await setUp(t);
  await inviteThroughApi(api, id, {
    ...invitee('victim@example.org', 'Ioana "<b>" Marin, attacker@evil.example'),
    organisation: '<script>alert("x")</script> & Co',
  });
  await until('the invitation', async () => (await mail.records(id)).length === 1);
  const [m] = await mail.messages();
  const received = mail.sink.received[0]!;
  t.same(received.rcptTo, ['victim@example.org'], 'the envelope names one recipient');
  const to = Array.isArray(m!.to) ? m!.to[0] : m!.to;
  t.same(to?.value.map((v) => v.address), ['victim@example.org'], 'To names one address');
  t.notMatch(m!.html || '', /<script>/, 'the organisation is escaped in HTML');
  t.match(m!.html || '', /&lt;script&gt;/);
});

t.test('a fan-out reuses the pool\'s few connections, each contact its own transaction, a refusal among them; stopping closes the pool', async (t) => {
  const api = await startApi(t);
  const sink = await startSmtpSink(t);
  // no socketTimeout: an idle pooled connection stays open (nodemailer's idleTimeout is 4 minutes) until the pool is closed
  const mailer = createMailer({ kind: 'smtp', url: sink.url }, { logger: pino({ level: 'silent' }), smtp: { connectionTimeout: 5_000, greetingTimeout: 5_000 } });
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, sink, mail: { mailer, settings: MAIL_SETTINGS } });
  const id = await openConsultation(api);
  const contacts = Array.from({ length: 12 }, (_, i) => ({ name: `Focal point ${i}`, email: `focal${i}@example.org` }));
  contacts[5] = { name: 'Gone', email: 'gone@example.org' };
  mail.sink.refuse.set('gone@example.org', 550);
  await inviteThroughApi(api, id, { organisation: 'Network of twelve', kind: 'civil-society', language: 'en', endorser: false, contacts });
  await until('every invitation recorded', async () => (await mail.records(id)).length === 12);
  const records = await mail.records(id);
  t.equal(records.filter((r) => r.type === 'InvitationSent').length, 11);
  t.match(records.filter((r) => r.type === 'DeliveryFailed'), [{ data: { permanent: true } }], 'the refused contact is recorded as failed for good');
  t.equal(mail.sink.mailFroms(), 12, 'one transaction per contact');
  t.strictSame(mail.sink.received.map((r) => r.rcptTo.length), Array(11).fill(1), 'each names one recipient');
  t.ok(mail.sink.connections() <= 4, `${mail.sink.connections()} connections for 12 messages: the pool (4) is reused, not one per message`);
  t.ok(mail.sink.openConnections() >= 1, 'kept open for the next messages');
  await mail.system.stop(); // what SIGTERM runs (src/main.ts)
  await until('the pool\'s connections closed', () => mail.sink.openConnections() === 0);
});
