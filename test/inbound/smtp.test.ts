// Inbound mail through a real SMTP conversation: nodemailer sends to the listener on 127.0.0.1
// port 0, which records through the real command handler on SQLite.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { commands } from '../../src/commands/index.ts';
import { attachmentPath } from '../../src/inbound/attachments.ts';
import { INBOUND_ACTOR } from '../../src/inbound/mailbox.ts';
import { startInboundListener, type InboundListener } from '../../src/inbound/smtp-listener.ts';
import { CONTACT_EMAIL, INBOUND_DOMAIN, inboundWorld, type InboundWorld } from '../helpers/inbound.ts';

t.setTimeout(90_000); // a dozen SMTP conversations or app starts; the machine is shared

async function listen(t: Test, world: InboundWorld, logs?: string[]): Promise<InboundListener> {
  const logger = logs ? pino({ level: 'info' }, { write: (line: string) => void logs.push((JSON.parse(line) as { msg: string }).msg) }) : undefined;
  const listener = await startInboundListener({ mailbox: world.mailbox, port: 0, host: '127.0.0.1', ...(logger ? { logger } : {}) });
  t.teardown(() => listener.close());
  return listener;
}

function client(t: Test, listener: InboundListener) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.address.port, secure: false, ignoreTLS: true });
  t.teardown(() => transport.close());
  return transport;
}

let sequence = 0;
/** A reply as a mail client writes it: new text, then the attribution line and our message quoted. */
function reply(world: InboundWorld, body: string, headers: Record<string, string> = {}, from = CONTACT_EMAIL): Buffer {
  sequence += 1;
  return Buffer.from([
    `From: Maria Ionescu <${from}>`,
    `To: WPS consultation <${world.replyTo}>`,
    'Subject: Re: Invitation: Third NAP on WPS',
    `Message-ID: <reply-${sequence}-${Date.now()}@mail.wpn.example>`,
    'Date: Tue, 2 Mar 2027 11:31:00 +0100',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
    `On Tue, 2 Mar 2027 at 10:15, WPS consultation <${world.replyTo}> wrote:`,
    '',
    '> -- Please write your reply above this line --',
    '>',
    '> Dear Maria Ionescu,',
    '> Gender Office invites Women\'s Peace Network to take part.',
    '',
  ].join('\r\n'));
}

const comments = async (world: InboundWorld) => (await world.events()).filter((e) => e.type === 'CommentSubmitted').map((e) => e.data);

t.test('a reply with quoted history becomes a comment of exactly the new text, by the contact, on channel email', async (t) => {
  const world = await inboundWorld(t);
  const smtp = client(t, await listen(t, world));
  const info = await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'We will take part.\n\nPlease add a budget line for each action.\n\nBest regards,\nMaria') });
  t.match(info.response, /^250 .*reply-recorded/);
  const [comment, ...more] = await comments(world);
  t.same(more, []);
  t.match(comment, { text: 'We will take part.\n\nPlease add a budget line for each action.', sectionKey: null, channel: 'email', contactId: world.contactId, stakeholderId: world.stakeholderId });
  t.ok(typeof comment!['madeAt'] === 'string', 'madeAt: when it was received');
});

t.test('a "Section 2:" reply targets section 2 (by position); text before it is on the whole draft', async (t) => {
  const world = await inboundWorld(t);
  const smtp = client(t, await listen(t, world));
  await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'Two remarks.\n\nSection 2:\nName the shelters.\nSecțiunea participation: Agreed.') });
  t.same((await comments(world)).map((c) => [c['sectionKey'], c['text']]), [[null, 'Two remarks.'], ['protection', 'Name the shelters.'], ['participation', 'Agreed.']]);
});

t.test('a reply from a sender who is no contact of the organisation is held, with the trusted Authentication-Results only', async (t) => {
  const world = await inboundWorld(t, { authservId: 'mx.consult.example' });
  const smtp = client(t, await listen(t, world));
  const results = {
    'Authentication-Results': 'mx.consult.example; spf=fail smtp.mailfrom=elsewhere.example; dkim=none',
  };
  await smtp.sendMail({ envelope: { from: 'someone@elsewhere.example', to: [world.replyTo] }, raw: reply(world, 'I have views too.', results, 'someone@elsewhere.example') });
  await smtp.sendMail({ envelope: { from: 'other@elsewhere.example', to: [world.replyTo] }, raw: reply(world, 'Me too.', { 'Authentication-Results': 'forger.example; dkim=pass' }, 'other@elsewhere.example') });
  const events = await world.events();
  t.same(await comments(world), []);
  const held = events.filter((e) => e.type === 'InboundReplyHeld');
  t.equal(held.length, 2);
  t.match(held[0]!.data, {
    from: 'someone@elsewhere.example', reasons: [{ code: 'SENDER_NOT_ALLOWED' }], blocks: [{ section: null, text: 'I have views too.' }],
    authentication: { authservId: 'mx.consult.example', verdict: 'spf=fail smtp.mailfrom=elsewhere.example; dkim=none' },
  });
  t.equal(held[1]!.data['authentication'], undefined, 'another system\'s verdict is not recorded');
});

t.test('one recipient per message: a second RCPT is 452, and the first is recorded', async (t) => {
  const world = await inboundWorld(t);
  const smtp = client(t, await listen(t, world));
  const info = await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo, world.bounces] }, raw: reply(world, 'To both.') });
  t.same(info.accepted, [world.replyTo]);
  t.same(info.rejected, [world.bounces]);
  t.match(info.rejectedErrors?.[0], { responseCode: 452 });
  t.same((await comments(world)).map((c) => c['text']), ['To both.']);
});

t.test('an out-of-office is accepted and ignored; so is mail from the null sender', async (t) => {
  const world = await inboundWorld(t);
  const smtp = client(t, await listen(t, world));
  const before = (await world.events()).length;
  const info = await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'I am out of the office until 15 March.', { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' }) });
  t.match(info.response, /^250 .*auto-reply-ignored/);
  const vacation = await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'Away.', { Precedence: 'bulk' }) });
  t.match(vacation.response, /auto-reply-ignored/);
  const kept = await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'Not automatic.', { 'Auto-Submitted': 'no' }) });
  t.match(kept.response, /reply-recorded/, 'Auto-Submitted: no is a person');
  t.equal((await world.events()).length, before + 1, 'only the person\'s reply was recorded');
});

t.test('a bounce to bounces+<token>@ records DeliveryFailed for the message it names, after it was recorded as sent', async (t) => {
  const world = await inboundWorld(t);
  const smtp = client(t, await listen(t, world));
  const compact = (id: string) => id.replaceAll('-', '');
  const original = `<inv-${compact(world.consultationId)}-${compact(world.contactId)}-r2@gov.example>`;
  await world.handler.execute(commands.recordMessageSent, {
    consultationId: world.consultationId, commandId: 'sent-1', actor: { role: 'system', id: 'mail-worker' },
    input: { kind: 'invitation', stakeholderId: world.stakeholderId, contactId: world.contactId, messageId: original, sentAt: new Date().toISOString() },
  });
  const dsn = readFileSync(new URL('./fixtures/bounce-postfix.eml', import.meta.url), 'utf8').replaceAll('{{BOUNCES}}', world.bounces).replaceAll('{{ORIGINAL}}', original);
  const info = await smtp.sendMail({ envelope: { from: '', to: [world.bounces] }, raw: dsn });
  t.match(info.response, /bounce-recorded/);
  const failed = (await world.events()).filter((e) => e.type === 'DeliveryFailed');
  t.equal(failed.length, 1);
  t.match(failed[0]!.data, { messageId: original, messageKind: 'invitation', permanent: true, contactId: world.contactId, error: /^5\.1\.1 smtp; 550 5\.1\.1/ });
  const again = await smtp.sendMail({ envelope: { from: '', to: [world.bounces] }, raw: dsn });
  t.match(again.response, /bounce-recorded/);
  t.equal((await world.events()).filter((e) => e.type === 'DeliveryFailed').length, 1, 'the same report again records nothing');
  const ooo = await smtp.sendMail({ envelope: { from: '', to: [world.bounces] }, raw: reply(world, 'Out of office', { 'Auto-Submitted': 'auto-replied' }) });
  t.match(ooo.response, /bounce-ignored/, 'an out-of-office to the bounce address is no failure');
});

t.test('unknown, tampered and revoked recipients are refused at RCPT; the mail is not taken', async (t) => {
  const world = await inboundWorld(t);
  const smtp = client(t, await listen(t, world));
  const tampered = world.replyTo.replace(/^reply\+1(.)/, (_, c: string) => `reply+1${c === 'a' ? 'b' : 'a'}`);
  for (const to of [`postmaster@${INBOUND_DOMAIN}`, tampered, world.replyTo.replace(INBOUND_DOMAIN, 'other.example'), `reply+${world.bounces.slice('bounces+'.length)}`]) {
    await t.rejects(smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [to] }, raw: reply(world, 'hello') }), { code: 'EENVELOPE', responseCode: 550 }, `refused: ${to.slice(0, 12)}…`);
  }
  await world.handler.execute(commands.removeStakeholder, { consultationId: world.consultationId, commandId: 'remove-1', actor: { role: 'coordinator', id: 'gender-office' }, input: { stakeholderId: world.stakeholderId, reason: 'left the network' } });
  await t.rejects(smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'hello') }), { name: 'Error', responseCode: 550 }, 'a removed stakeholder\'s reply address');
  t.same(await comments(world), []);
});

t.test('a message over INBOUND_MAX_BYTES is refused with 552, and the listener goes on', async (t) => {
  const world = await inboundWorld(t, { maxBytes: 64 * 1024 });
  const listener = await listen(t, world);
  const smtp = client(t, listener);
  await t.rejects(smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'x'.repeat(70) + '\n'.repeat(1) + 'y'.repeat(100 * 1024)) }), { name: 'Error', responseCode: 552 });
  // without SIZE= in MAIL FROM the message is read to its end, then refused
  const answers = await rawSession(listener.address.port, [
    'EHLO client.example', 'MAIL FROM:<maria.ionescu@wpn.example>', `RCPT TO:<${world.replyTo}>`, 'DATA',
    `${reply(world, 'z'.repeat(100 * 1024)).toString()}\r\n.`, 'NOOP', 'QUIT',
  ]);
  t.match(answers.at(-3), /^552 /, 'the DATA answered 552');
  t.match(answers.at(-2), /^250 /, 'the session goes on');
  t.same(await comments(world), []);
  const info = await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'Short.') });
  t.match(info.response, /reply-recorded/);
});

t.test('a mail delivered twice records once', async (t) => {
  const world = await inboundWorld(t);
  const smtp = client(t, await listen(t, world));
  const raw = reply(world, 'Once only.');
  await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw });
  const second = await smtp.sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw });
  t.match(second.response, /^250 /, 'the second delivery is accepted too');
  t.same((await comments(world)).map((c) => c['text']), ['Once only.']);
});

t.test('a client that drops mid-DATA loses its message, and the listener takes the next one', async (t) => {
  const world = await inboundWorld(t);
  const logs: string[] = [];
  const listener = await listen(t, world, logs);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(listener.address.port, '127.0.0.1');
    const steps = ['EHLO client.example', 'MAIL FROM:<maria.ionescu@wpn.example>', `RCPT TO:<${world.replyTo}>`, 'DATA'];
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      if (!buffered.endsWith('\r\n') || /^\d{3}-/m.test(buffered.split('\r\n').at(-2) ?? '')) return;
      buffered = '';
      const next = steps.shift();
      if (next !== undefined) socket.write(`${next}\r\n`);
      else {
        socket.write('From: maria.ionescu@wpn.example\r\nSubject: half\r\n\r\nThis message never ');
        setImmediate(() => socket.destroy());
      }
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  // the server sees the close a moment after the client: wait for its log line (bounded)
  for (let i = 0; i < 200 && !logs.includes('inbound mail: the client went away during DATA; nothing kept'); i++) await new Promise((r) => setTimeout(r, 10));
  t.ok(logs.includes('inbound mail: the client went away during DATA; nothing kept'), 'it went away during DATA');
  const info = await client(t, listener).sendMail({ envelope: { from: CONTACT_EMAIL, to: [world.replyTo] }, raw: reply(world, 'After the drop.') });
  t.match(info.response, /reply-recorded/);
  t.same((await comments(world)).map((c) => c['text']), ['After the drop.']);
});

t.test('attachments are stored content-addressed and referenced by hash; one over the limit refuses the mail with 552', async (t) => {
  const world = await inboundWorld(t, { maxAttachmentBytes: 32 * 1024 });
  const smtp = client(t, await listen(t, world));
  const docx = Buffer.from('PK\u0003\u0004 marked-up draft, version 1 (not a real docx)');
  await smtp.sendMail({
    envelope: { from: CONTACT_EMAIL, to: [world.replyTo] },
    from: CONTACT_EMAIL, to: world.replyTo, subject: 'Re: draft', text: 'Our markup is attached.',
    attachments: [{ filename: 'WPN comments.docx', content: docx, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }],
  });
  const [comment] = await comments(world);
  const refs = comment!['attachments'] as { sha256: string; filename: string; size: number }[];
  t.match(refs, [{ filename: 'WPN comments.docx', size: docx.length }]);
  t.same(readFileSync(attachmentPath(world.dataDir, refs[0]!.sha256)), docx, 'the bytes are stored under their hash');
  await t.rejects(smtp.sendMail({
    envelope: { from: CONTACT_EMAIL, to: [world.replyTo] },
    from: CONTACT_EMAIL, to: world.replyTo, subject: 'Re: draft', text: 'A big scan.',
    attachments: [{ filename: 'scan.pdf', content: Buffer.alloc(40 * 1024, 1) }],
  }), { name: 'Error', responseCode: 552 });
  t.equal((await comments(world)).length, 1);
});

t.test('the listener records as the system actor inbound-mail', async (t) => {
  t.same(INBOUND_ACTOR, { role: 'system', id: 'inbound-mail' });
});

/** Sends each line and collects the server's answer to it (the greeting first). */
function rawSession(port: number, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const answers: string[] = [];
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString();
      while (buffered.includes('\r\n')) {
        const end = buffered.indexOf('\r\n');
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (/^\d{3}-/.test(line)) continue;
        answers.push(line);
        const next = lines.shift();
        if (next !== undefined) socket.write(`${next}\r\n`);
        else socket.end();
      }
    });
    socket.on('close', () => resolve(answers));
    socket.on('error', reject);
  });
}

t.test('close(): idle connections are told 421 at once; a message in DATA is still taken and answered', async (t) => {
  const world = await inboundWorld(t);
  // a close timeout longer than the test's: close() resolves only because the connections ended
  const listener = await startInboundListener({ mailbox: world.mailbox, port: 0, host: '127.0.0.1', closeTimeoutMs: 600_000 });
  const idle = net.connect(listener.address.port, '127.0.0.1');
  const idleLines: string[] = [];
  idle.on('data', (c) => idleLines.push(c.toString()));
  const busy = net.connect(listener.address.port, '127.0.0.1');
  const answers: string[] = [];
  let waiting: ((line: string) => void) | null = null;
  let buffered = '';
  busy.on('data', (c) => {
    buffered += c.toString();
    while (buffered.includes('\r\n')) {
      const line = buffered.slice(0, buffered.indexOf('\r\n'));
      buffered = buffered.slice(buffered.indexOf('\r\n') + 2);
      if (/^\d{3}-/.test(line)) continue;
      answers.push(line);
      const w = waiting;
      waiting = null;
      w?.(line);
    }
  });
  const answer = () => new Promise<string>((resolve) => { waiting = resolve; });
  const say = async (line: string) => { const a = answer(); busy.write(`${line}\r\n`); return a; };
  await answer(); // greeting
  await say('EHLO client.example');
  await say('MAIL FROM:<maria.ionescu@wpn.example>');
  await say(`RCPT TO:<${world.replyTo}>`);
  t.match(await say('DATA'), /^354/);
  busy.write(reply(world, 'Sent while the listener closes.'));
  const closed = listener.close();
  const final = answer();
  busy.write('\r\n.\r\n');
  t.match(await final, /^250 .*reply-recorded/, 'the message in DATA is taken');
  busy.end('QUIT\r\n');
  await closed;
  t.match(idleLines.join(''), /421 4\.3\.2/, 'the idle connection was told to come back later');
  t.same((await comments(world)).map((c) => c['text']), ['Sent while the listener closes.']);
});
