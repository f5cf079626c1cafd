// Notices end to end: an endorsement request reaches the endorsers only; each submitted comment is
// acknowledged with its reference; the answers of a period reach the organisation as one digest
// (the period is 3 s here instead of a day), not a message per answer.
import t from 'tap';
import { DRAFT_BODY, OPEN_BODY, inviteThroughApi, startApi } from '../helpers/http.ts';
import { quietFor, startMail, until } from '../helpers/mail-system.ts';

t.setTimeout(120_000);

t.test('endorsement request to the endorsers; one acknowledgement per comment; one digest for the answers of the period', async (t) => {
  const api = await startApi(t);
  const mail = await startMail(t, { store: api.store, handler: api.handler, damage: api.damage, viewStore: api.runner.viewStore, digestWindowMs: 3_000 });
  const opened = await api.call({ url: '/consultations', body: OPEN_BODY });
  const id = (opened.json() as { id: string }).id;
  const cso = await inviteThroughApi(api, id, { organisation: 'Women\'s Peace Network', kind: 'civil-society', language: 'en', endorser: false, contact: { name: 'Ioana Marin', email: 'ioana@wpn.example' } });
  await inviteThroughApi(api, id, { organisation: 'Ministry of Foreign Affairs', kind: 'ministry', language: 'en', endorser: true, contact: { name: 'Gender focal point', email: 'gender@mfa.example' } });
  t.equal((await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY })).statusCode, 201);
  t.equal((await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-07-31T17:00:00+03:00' } })).statusCode, 201);

  const comments: string[] = [];
  for (const text of ['Name the budget line for shelters.', 'Add an indicator for women mediators.']) {
    const res = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: cso, draftVersion: 1, sectionKey: 's1', text } });
    t.equal(res.statusCode, 201, res.body);
    comments.push((res.json() as { commentId: string }).commentId);
  }
  for (const cid of comments) {
    const res = await api.call({ url: `/consultations/${id}/comments/${cid}/answer`, body: { disposition: 'accepted', response: 'Added.' } });
    t.equal(res.statusCode, 200, res.body);
  }

  const notices = async () => (await mail.records(id)).filter((r) => r.type === 'NoticeSent');
  await until('the digest', async () => (await notices()).some((r) => r.data['notice'] === 'answers-digest'), 20_000);
  await quietFor(3_500); // another period: nothing more
  const sent = (await notices()).map((r) => `${r.data['notice']}:${r.data['stakeholderId'] === cso ? 'cso' : 'mfa'}`).sort();
  t.same(sent, ['acknowledgement:cso', 'acknowledgement:cso', 'answers-digest:cso', 'endorsement-request:mfa', 'new-draft:cso', 'new-draft:mfa']);

  const messages = await mail.messages();
  const acks = messages.filter((m) => /^Comments received/.test(m.subject ?? '')).map((m) => m.subject);
  t.same(acks.sort(), [`Comments received (C-1): ${OPEN_BODY.title}`, `Comments received (C-2): ${OPEN_BODY.title}`]);
  const digest = messages.find((m) => /comments were answered/.test(m.subject ?? ''));
  t.equal(digest?.subject, `2 of your comments were answered: ${OPEN_BODY.title}`);
  t.match(digest?.text, /C-1: .*\n[\s\S]*C-2: /);
});
