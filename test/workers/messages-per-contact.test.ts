// End to end, on a real Redis and smtp-server: what the mail worker records shows per contact in
// the stakeholders view (one contact's invitation sent, the other's refused for good), and the
// preview of a message is what the worker sent that contact.
import t from 'tap';
import { contactIdsThroughApi, openConsultation, inviteThroughApi, startApi, withoutLocalTimes } from '../helpers/http.ts';
import { MAIL_SETTINGS, startMail, until } from '../helpers/mail-system.ts';

t.setTimeout(60_000);

const PARTNERS = {
  organisation: 'Association for Peace & <Partnership>', kind: 'civil-society', language: 'ro', endorser: false,
  contacts: [{ name: 'Ioana Marin', email: 'ioana@afp.example' }, { name: 'Elena Dobre', email: 'gone@afp.example' }],
};

t.test('the worker\'s records per contact in the view; the preview is the message the worker sent', async (t) => {
  const api = await startApi(t, { mail: MAIL_SETTINGS });
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore });
  mail.sink.refuse.set('gone@afp.example', 550);
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, PARTNERS);
  await until('a message and a failure recorded', async () => (await mail.records(id)).length === 2);
  // the views must have applied both records, not merely caught up once before them
  await api.runner.waitFor((await mail.records(id)).at(-1)!.position);
  const [ioana, elena] = await contactIdsThroughApi(api, id, sid, ...PARTNERS.contacts.map((c) => c.email)) as [string, string];

  const row = withoutLocalTimes((await api.call({ url: `/consultations/${id}/stakeholders/${sid}` })).json()) as {
    contacts: { contactId: string; messages: { kind: string; status: string; transport: string | null; failure: { permanent: boolean } | null; messageId: string }[]; messageCounts: unknown }[];
    otherMessages: unknown[];
  };
  t.strictSame(row.contacts.map((c) => c.contactId), [ioana, elena]);
  const [sent, refused] = row.contacts;
  t.match(sent!.messages, [{ kind: 'invitation', status: 'sent', transport: null, failure: null, messageId: /^<inv-/ }], 'sent by SMTP: the record names no transport');
  t.strictSame(sent!.messageCounts, { sent: 1, failed: 0 });
  t.match(refused!.messages, [{ kind: 'invitation', status: 'failed', failure: { permanent: true } }]);
  t.strictSame(refused!.messageCounts, { sent: 0, failed: 1 });
  t.strictSame(row.otherMessages, [], 'every record named its contact');

  const [received] = await mail.messages();
  const preview = (await api.call({ url: `/consultations/${id}/stakeholders/${sid}/messages/preview?kind=invitation&contact=${ioana}` })).json();
  t.equal(preview.subject, received!.subject);
  const lf = (text: string | undefined | false) => (text || '').replace(/\r\n/g, '\n').trimEnd();
  t.equal(lf(preview.text), lf(received!.text), 'the same text, link included');
  t.equal(lf(preview.html), lf(received!.html), 'the same HTML');
  t.equal(preview.replyTo, received!.replyTo?.value[0]?.address);
  t.equal(preview.to.address, 'ioana@afp.example');
});
