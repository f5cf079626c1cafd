// Replies by e-mail end to end: the API and the inbound SMTP listener on one store, as ROLE=all
// runs them. A reply from someone who is no contact, with a marked-up draft attached, is held; the
// coordinator finds it with its reason, accepts it, and the matrix shows the comment with channel
// email and its attachment, which downloads as sent; a contact's own reply is a comment at once.
import nodemailer from 'nodemailer';
import t from 'tap';
import { replyAddress } from '../../src/auth/stakeholder-tokens.ts';
import { InboundMailbox } from '../../src/inbound/mailbox.ts';
import { startInboundListener } from '../../src/inbound/smtp-listener.ts';
import { inviteThroughApi, openConsultation, startApi } from '../helpers/http.ts';
import { INBOUND_DOMAIN, KEYS } from '../helpers/inbound.ts';
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
