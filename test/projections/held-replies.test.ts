// The held-replies view: given these events, then these held replies with their status and
// decision, the counts, and the attachments a consultation references; the same whatever the
// batches and redeliveries.
import t from 'tap';
import { event } from '../../src/domain/events.ts';
import { filterHeldReplies, heldReplies, readAttachment, type HeldRepliesView } from '../../src/projections/held-replies.ts';
import { commentMatrix } from '../../src/projections/comment-matrix.ts';
import { CONSULTATION_ID, CSO, cso, draft, heldReply, opened } from '../helpers/domain-spec.ts';
import { COORDINATOR } from '../helpers/domain-spec.ts';
import { assertPlainJson, at, recorded, replay, viewAfter, type Command } from './fixtures/recorded.ts';

const H1 = 'ae1d0000-0001-4000-8000-000000000001';
const H2 = 'ae1d0000-0002-4000-8000-000000000002';
const H3 = 'ae1d0000-0003-4000-8000-000000000003';
const SYSTEM = { role: 'system', id: 'inbound' } as const;
const pdf = { sha256: 'c'.repeat(64), filename: 'letter.pdf', contentType: 'application/pdf', size: 2048 };
const docx = { sha256: 'd'.repeat(64), filename: 'markup.docx', contentType: 'application/octet-stream', size: 99 };
const authentication = { authservId: 'mx.consult.example', verdict: 'mx.consult.example; spf=fail' };
const history: Command[] = [
  opened, draft(1), cso, // 0-2
  { events: [heldReply(H1, { attachments: [pdf], authentication })], actor: SYSTEM }, // 3
  { events: [heldReply(H2)], actor: SYSTEM }, // 4
  { events: [heldReply(H3)], actor: SYSTEM }, // 5
  [event('InboundReplyAccepted', { heldId: H1, sectionKey: 's1', commentIds: ['k-1'] }), event('CommentSubmitted', {
    commentId: 'k-1', stakeholderId: CSO, draftVersion: 1, sectionKey: 's1', text: 'We welcome the plan.', channel: 'email', madeAt: '2027-03-10T08:30:00Z',
    attachments: [pdf], heldReplyId: H1, heldReason: ['SENDER_NOT_ALLOWED'],
  })], // 6-7
  event('InboundReplyDiscarded', { heldId: H3, reason: 'Spam.' }), // 8
  event('StakeholderDetailsChanged', { stakeholderId: CSO, organisation: 'Women Peace Network' }), // 9
  { events: [event('CommentSubmitted', {
    commentId: 'k-2', stakeholderId: CSO, draftVersion: 1, sectionKey: null, text: 'See the file.', channel: 'email', madeAt: '2027-03-11T08:30:00Z',
    attachments: [docx, { ...pdf, filename: 'renamed.pdf' }],
  })], actor: SYSTEM }, // 10
];

t.test('held replies in the order held, with every reason, the mail as kept, and the decision; counts by status', async (t) => {
  const view = await viewAfter(heldReplies, recorded(history));
  assertPlainJson(t, view);
  t.same(view.counts, { pending: 1, accepted: 1, discarded: 1 });
  t.same(view.heldReplies.map((h) => [h.heldId, h.status]), [[H1, 'accepted'], [H2, 'pending'], [H3, 'discarded']]);
  const [first, second, third] = view.heldReplies;
  t.strictSame(first, {
    heldId: H1, stakeholderId: CSO, organisation: 'Women Peace Network', contactId: first!.contactId, messageId: `<${H1}@mail.example>`,
    from: 'someone@elsewhere.example', subject: 'Re: Invitation', receivedAt: '2027-03-10T08:30:00Z', heldAt: at(3), draftVersion: 1,
    reasons: [{ code: 'SENDER_NOT_ALLOWED', message: 'the sender is neither a contact address nor in a listed domain' }],
    blocks: [{ section: null, text: 'We welcome the plan.' }], attachments: [pdf], authentication, status: 'accepted',
    decision: { status: 'accepted', decidedAt: at(6), decidedBy: COORDINATOR, sectionKey: 's1', commentIds: ['k-1'] },
  });
  t.same(second!.decision, { status: 'pending' });
  t.equal(second!.authentication, null);
  t.same(third!.decision, { status: 'discarded', decidedAt: at(8), decidedBy: COORDINATOR, reason: 'Spam.' });
  t.same(filterHeldReplies(view, 'pending').heldReplies.map((h) => h.heldId), [H2]);
  t.same(filterHeldReplies(view).heldReplies.length, 3);
});

t.test('a decision stands: a later one for the same held reply changes nothing', async (t) => {
  const view = await viewAfter(heldReplies, recorded([...history, event('InboundReplyDiscarded', { heldId: H1, reason: 'late' })]));
  t.equal(view.heldReplies[0]!.status, 'accepted');
  t.same(view.counts, { pending: 1, accepted: 1, discarded: 1 });
});

t.test('the attachments a consultation references, from held replies and comments (the first filename and type), and no others', async (t) => {
  const replayed = await replay(heldReplies, recorded(history));
  t.same(await readAttachment(replayed.reader, CONSULTATION_ID, pdf.sha256), pdf);
  t.same(await readAttachment(replayed.reader, CONSULTATION_ID, docx.sha256), docx);
  t.equal(await readAttachment(replayed.reader, CONSULTATION_ID, 'e'.repeat(64)), null);
  t.equal(await readAttachment(replayed.reader, '7a1b0000-0000-4000-8000-000000000000', pdf.sha256), null, 'not another consultation\'s');
});

t.test('the same documents whatever the batch size and with redeliveries', async (t) => {
  const events = recorded(history);
  const one = await replay(heldReplies, events, 1);
  const all = await replay(heldReplies, events, 1000);
  const twice = await replay(heldReplies, [...events, ...events]);
  const read = async (r: typeof one): Promise<HeldRepliesView> => (await heldReplies.read(r.reader, CONSULTATION_ID))!.view;
  t.same(await read(all), await read(one));
  t.same(await read(twice), await read(one));
});

t.test('the comment matrix shows a comment\'s attachments and, for an accepted held reply, which one and why it was held', async (t) => {
  const view = await viewAfter(commentMatrix, recorded(history));
  t.same(view.comments.map((c) => [c.commentId, c.attachments, c.heldReplyId, c.heldReason]), [
    ['k-1', [pdf], H1, ['SENDER_NOT_ALLOWED']],
    ['k-2', [docx, { ...pdf, filename: 'renamed.pdf' }], null, null],
  ]);
});
