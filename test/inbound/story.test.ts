// Replies by e-mail end to end: the API and the inbound SMTP listener on one store, as ROLE=all
// runs them. A reply from someone who is no contact, with a marked-up draft attached, is held; the
// coordinator finds it with its reason, accepts it, and the matrix shows the comment with channel
// email and its attachment, which downloads as sent; a contact's own reply is a comment at once.
// With the mail side running too (relay and mail worker on a real Redis, an smtp-server as the
// outgoing server): a reply to the Reply-To the invitation carried is acknowledged once, naming the
// references of the comments it made, recorded as NoticeSent; delivered twice, still once.
import nodemailer from 'nodemailer';
import t from 'tap';
import type { ParsedMail } from 'mailparser';
import { replyAddress } from '../../src/auth/stakeholder-tokens.ts';
import { InboundMailbox } from '../../src/inbound/mailbox.ts';
import { startInboundListener } from '../../src/inbound/smtp-listener.ts';
import { OPEN_BODY, inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { INBOUND_DOMAIN, KEYS } from '../helpers/inbound.ts';
import { MAIL_SETTINGS, startMail, until } from '../helpers/mail-system.ts';
import { tempDir, tempStore } from '../helpers/temp-store.ts';

t.setTimeout(90_000);

t.test('held, found, accepted; the attachment downloads; a contact\'s reply counts at once', async (t) => {
  const { store } = tempStore(t);
  const dataDir = tempDir(t);
  const api = await startApi(t, { store, dataDir });
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: 'Women Mediators Network', kind: 'civil-society', contacts: [{ name: 'Focal', email: 'focal@wmn.example' }], language: 'en' });
  const contactId = (await api.handler.load(id)).stakeholders.get(sid)!.contacts[0]!.contactId;
  const to = replyAddress(KEYS, 'reply', { consultationId: id, stakeholderId: sid, contactId }, INBOUND_DOMAIN);
  const mailbox = new InboundMailbox({ handler: api.handler, settings: { domain: INBOUND_DOMAIN, keys: KEYS, dataDir, maxBytes: 1024 * 1024, maxAttachmentBytes: 256 * 1024 } });
  const listener = await startInboundListener({ mailbox, port: 0, host: '127.0.0.1' });
  t.teardown(() => listener.close());
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: listener.address.port, secure: false, ignoreTLS: true });
  t.teardown(() => smtp.close());
  const settle = async () => api.runner.waitFor(await store.headPosition());

  const docx = Buffer.from('PK\u0003\u0004 the draft with our changes tracked');
  await smtp.sendMail({
    envelope: { from: 'colleague@gmail.example', to: [to] }, from: 'A Colleague <colleague@gmail.example>', to,
    subject: 'Re: Invitation', text: 'Section 2: our changes are in the attached file.\n\nOn Tue, 2 Mar 2027 at 10:15, WPS <x@gov.example> wrote:\n> -- Please write your reply above this line --\n',
    attachments: [{ filename: 'draft-wmn.docx', content: docx, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }],
  });
  await settle();
  const list = (await api.call({ url: `/consultations/${id}/held-replies` })).json() as { heldReplies: { heldId: string; status: string; reasons: { code: string }[]; blocks: { section: string | null; text: string }[] }[] };
  t.equal(list.heldReplies.length, 1);
  const [held] = list.heldReplies;
  t.match(held, { status: 'pending', reasons: [{ code: 'SENDER_NOT_ALLOWED' }], blocks: [{ section: '2', text: 'our changes are in the attached file.' }] });

  const accepted = await api.call({ url: `/consultations/${id}/held-replies/${held!.heldId}/accept`, body: {} });
  t.equal(accepted.statusCode, 200, accepted.body);
  const matrix = (await api.call({ url: `/consultations/${id}/comments` })).json() as { comments: { channel: string; sectionKey: string | null; text: string; attachments?: { sha256: string; filename: string }[] }[] };
  t.match(matrix.comments, [{ channel: 'email', sectionKey: 's2', text: 'our changes are in the attached file.', attachments: [{ filename: 'draft-wmn.docx' }] }]);
  const download = await api.call({ url: `/consultations/${id}/attachments/${matrix.comments[0]!.attachments![0]!.sha256}` });
  t.equal(download.statusCode, 200);
  t.same(download.rawPayload, docx, 'the file as it was sent');

  await smtp.sendMail({ envelope: { from: 'focal@wmn.example', to: [to] }, from: 'focal@wmn.example', to, subject: 'Re: Invitation', text: 'We agree with section 1.' });
  await settle();
  const after = (await api.call({ url: `/consultations/${id}/comments` })).json() as { comments: { text: string; channel: string }[] };
  t.same(after.comments.map((c) => [c.channel, c.text]), [['email', 'our changes are in the attached file.'], ['email', 'We agree with section 1.']]);
});

t.test('a reply to the invitation\'s Reply-To is acknowledged once, naming its comments; delivered twice, still once', async (t) => {
  const { store } = tempStore(t);
  const dataDir = tempDir(t);
  const api = await startApi(t, { store, dataDir });
  const mail = await startMail(t, { store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore });
  const id = await openConsultation(api);
  const focal = 'focal@wmn.example';
  const sid = await inviteThroughApi(api, id, { organisation: 'Women Mediators Network', kind: 'civil-society', contacts: [{ name: 'Focal', email: focal }], language: 'en' });
  const contactId = (await api.handler.load(id)).stakeholders.get(sid)!.contacts[0]!.contactId;

  // the reply address as the invitation delivered to the contact carries it
  const addressedTo = (m: ParsedMail, address: string) => [m.to ?? []].flat().some((a) => a.value.some((v) => v.address === address));
  await until('the invitation delivered', async () => (await mail.records(id)).some((r) => r.type === 'InvitationSent'));
  const invitation = (await mail.messages()).find((m) => addressedTo(m, focal))!;
  const to = invitation.replyTo?.value[0]?.address ?? '';
  t.equal(to, replyAddress(MAIL_SETTINGS.keys, 'reply', { consultationId: id, stakeholderId: sid, contactId }, INBOUND_DOMAIN), 'reply+<token>@INBOUND_DOMAIN of the contact');

  const mailbox = new InboundMailbox({ handler: api.handler, settings: { domain: INBOUND_DOMAIN, keys: MAIL_SETTINGS.keys, dataDir, maxBytes: 1024 * 1024, maxAttachmentBytes: 256 * 1024 } });
  const listener = await startInboundListener({ mailbox, port: 0, host: '127.0.0.1' });
  t.teardown(() => listener.close());
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: listener.address.port, secure: false, ignoreTLS: true });
  t.teardown(() => smtp.close());
  const reply = {
    envelope: { from: focal, to: [to] }, from: `Focal <${focal}>`, to, subject: `Re: ${invitation.subject ?? ''}`,
    messageId: '<reply-1@wmn.example>', inReplyTo: invitation.messageId ?? '',
    text: 'Section 1: Name a target for women in mediation teams.\n\nSection 2: Fund survivor-centred services.\n\n'
      + `On Tue, 2 Mar 2027 at 10:15, Gender Office <consult@gov.example> wrote:\n> ${invitation.text?.split('\n')[0] ?? ''}\n> Dear Focal,\n`,
  };
  await smtp.sendMail(reply);
  await smtp.sendMail(reply); // the same mail again (a mail system that delivered it twice)

  const comments = (await store.readStream(`consultation-${id}`)).filter((e) => e.type === 'CommentSubmitted');
  t.same(comments.map((e) => [e.data['channel'], e.data['sectionKey'], e.data['contactId']]), [['email', 's1', contactId], ['email', 's2', contactId]], 'one comment per section, recorded once');
  const refs = [...(await api.handler.load(id)).comments.values()].map((c) => c.ref);
  t.same(refs, ['C-1', 'C-2']);

  const acknowledgements = async () => (await mail.records(id)).filter((r) => r.type === 'NoticeSent' && r.data['notice'] === 'acknowledgement');
  await until('the acknowledgement recorded', async () => (await acknowledgements()).length > 0);
  // whatever the relay made of the stream has been done: nothing more can be on its way
  await mail.system.relayRunner!.waitFor(await store.headPosition(), 20_000);
  await until('the queue drained', async () => {
    const counts = await mail.system.queue!.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).every((n) => n === 0);
  });

  const recorded = await acknowledgements();
  t.equal(recorded.length, 1, 'one acknowledgement recorded');
  t.match(recorded[0]!.data, { stakeholderId: sid, contactId, notice: 'acknowledgement' });
  const acks = (await mail.messages()).filter((m) => addressedTo(m, focal) && m.messageId !== invitation.messageId);
  t.equal(acks.length, 1, 'one acknowledgement delivered to the contact');
  const [ack] = acks;
  t.equal(ack?.messageId, recorded[0]!.data['messageId'], 'the one recorded, by its Message-ID');
  t.equal(ack?.subject, `Comments received (C-1, C-2): ${OPEN_BODY.title}`, 'naming the references');
  t.match(ack?.text, /- C-1\n\s*- C-2\n/, 'each listed');
  t.equal(mail.sink.received.filter((r) => r.rcptTo.includes(focal)).length, 2, 'the invitation and the acknowledgement, nothing else');
});
