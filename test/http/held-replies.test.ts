// Held replies by e-mail through the API: the list (coordinators only), accept and discard, the
// adoption blocker in the sign-off view and the consultations list, and attachment downloads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { commands } from '../../src/commands/index.ts';
import { emailReplyCommandId } from '../../src/domain/ids.ts';
import { storeAttachment } from '../../src/inbound/attachments.ts';
import { attachmentDisposition, servedContentType } from '../../src/http/routes/held-replies.ts';
import { contactIdsThroughApi, inviteThroughApi, openConsultation, startApi, withoutLocalTimes } from '../helpers/http.ts';

const SYSTEM = { role: 'system', id: 'inbound-mail' } as const;
const FOCAL = 'focal@wmn.example';

async function setUp(t: Test) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'held-replies-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const api = await startApi(t, { dataDir });
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, {
    organisation: 'Women Mediators Network', kind: 'civil-society', contacts: [{ name: 'Focal', email: FOCAL }], language: 'en',
  });
  const [focal] = await contactIdsThroughApi(api, id, sid, FOCAL);
  /** a reply as the inbound listener records it; waits for the views */
  const reply = async (messageId: string, over: Record<string, unknown> = {}) => {
    const result = await api.handler.execute(commands.recordEmailReply, {
      consultationId: id, commandId: emailReplyCommandId(messageId), actor: SYSTEM,
      input: {
        stakeholderId: sid, contactId: focal, messageId, receivedAt: '2027-01-10T09:00:00Z', from: FOCAL, subject: 'Re: Invitation',
        blocks: [{ section: '2', text: 'Protection needs a budget line.' }], ...over,
      },
    });
    await api.runner.waitFor(result.position, 5000);
    return result;
  };
  return { api, id, sid, dataDir, reply };
}

type HeldList = { heldReplies: { heldId: string; status: string; from: string; reasons: { code: string }[]; decision: unknown }[]; counts: Record<string, number> };

t.test('a wrong-sender reply is held: listed for coordinators (not auditors, the sender is personal data), with ?status', async (t) => {
  const { api, id, reply } = await setUp(t);
  const counted = await reply('<ok@wmn.example>');
  t.equal(counted.events[0]?.type, 'CommentSubmitted', 'from a contact address: a comment');
  const held = await reply('<spoof@evil.example>', { from: 'Mallory <mallory@evil.example>' });
  t.equal(held.events[0]?.type, 'InboundReplyHeld');
  const heldId = held.events[0]!.data['heldId'] as string;

  const res = await api.call({ url: `/consultations/${id}/held-replies` });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'no-store');
  const list = withoutLocalTimes(res.json()) as HeldList;
  t.same(list.counts, { pending: 1, accepted: 0, discarded: 0 });
  t.same(list.heldReplies.map((h) => [h.heldId, h.status, h.from, h.reasons.map((r) => r.code)]),
    [[heldId, 'pending', 'Mallory <mallory@evil.example>', ['SENDER_NOT_ALLOWED']]]);
  t.equal((await api.call({ url: `/consultations/${id}/held-replies`, as: 'auditor' })).json().code, 'FORBIDDEN');
  t.equal((await api.call({ url: `/consultations/${id}/held-replies`, as: 'auditor' })).statusCode, 403);
  t.equal(((await api.call({ url: `/consultations/${id}/held-replies?status=accepted` })).json() as HeldList).heldReplies.length, 0);
  t.equal((await api.call({ url: `/consultations/${id}/held-replies?status=bogus` })).statusCode, 400);
  t.equal((await api.call({ url: '/consultations/7a1b0000-0000-4000-8000-000000000000/held-replies' })).json().code, 'CONSULTATION_NOT_FOUND');

  // the same mail delivered again records nothing more
  const again = await reply('<spoof@evil.example>', { from: 'Mallory <mallory@evil.example>' });
  t.equal(again.replayed, true);
});

t.test('pending held replies block adoption: HELD_REPLIES_PENDING in the sign-off view, the list and closing; deciding clears it', async (t) => {
  const { api, id, reply } = await setUp(t);
  const held = await reply('<late@evil.example>', { from: 'x@evil.example' });
  const heldId = held.events[0]!.data['heldId'] as string;
  const signOff = (await api.call({ url: `/consultations/${id}/sign-off` })).json() as { adoptionBlockedBy: { code: string; heldIds?: string[] }[] };
  t.same(signOff.adoptionBlockedBy.find((r) => r.code === 'HELD_REPLIES_PENDING'), { code: 'HELD_REPLIES_PENDING', heldIds: [heldId] });
  const summary = (await api.call({ url: `/consultations/${id}` })).json() as { adoptionBlockedBy: string[]; counts: { heldRepliesPending: number } };
  t.ok(summary.adoptionBlockedBy.includes('HELD_REPLIES_PENDING'));
  t.equal(summary.counts.heldRepliesPending, 1);
  const close = await api.call({ url: `/consultations/${id}/close`, body: { outcome: 'adopted', finalDraftVersion: 1 } });
  t.equal(close.json().code, 'ADOPTION_BLOCKED');
  t.ok((close.json().details.reasons as { code: string }[]).some((r) => r.code === 'HELD_REPLIES_PENDING'));

  const discard = await api.call({ url: `/consultations/${id}/held-replies/${heldId}/discard`, body: { reason: 'Not from the organisation.' } });
  t.equal(discard.statusCode, 200);
  const after = (await api.call({ url: `/consultations/${id}` })).json() as { adoptionBlockedBy: string[]; counts: { heldRepliesPending: number } };
  t.notOk(after.adoptionBlockedBy.includes('HELD_REPLIES_PENDING'));
  t.equal(after.counts.heldRepliesPending, 0);
  const list = (await api.call({ url: `/consultations/${id}/held-replies?status=discarded` })).json() as HeldList;
  t.match(list.heldReplies[0]?.decision, { status: 'discarded', reason: 'Not from the organisation.', decidedBy: { role: 'coordinator' } });
});

t.test('accept: comments in the matrix with channel email, madeAt when received, the held reason; once decided, HELD_REPLY_DECIDED', async (t) => {
  const { api, id, reply } = await setUp(t);
  const held = await reply('<odd@evil.example>', { from: 'x@evil.example', blocks: [{ section: '9', text: 'On a section that is not there.' }] });
  const heldId = held.events[0]!.data['heldId'] as string;
  t.same((held.events[0]!.data['reasons'] as { code: string }[]).map((r) => r.code), ['SENDER_NOT_ALLOWED', 'UNKNOWN_SECTION']);

  t.equal((await api.call({ url: `/consultations/${id}/held-replies/${heldId}/accept`, body: { sectionKey: 's9' } })).json().code, 'SECTION_NOT_FOUND');
  const accept = await api.call({ url: `/consultations/${id}/held-replies/${heldId}/accept`, body: { sectionKey: 's2' } });
  t.equal(accept.statusCode, 200);
  const matrix = (await api.call({ url: `/consultations/${id}/comments` })).json() as { comments: Record<string, unknown>[] };
  t.match(matrix.comments, [{
    sectionKey: 's2', text: 'On a section that is not there.', channel: 'email', madeAt: '2027-01-10T09:00:00Z', heldReplyId: heldId,
    heldReason: ['SENDER_NOT_ALLOWED', 'UNKNOWN_SECTION'], attachments: [],
  }]);
  const again = await api.call({ url: `/consultations/${id}/held-replies/${heldId}/accept`, body: { sectionKey: 's2' } });
  t.equal(again.statusCode, 200, 'the same decision again: a no-op');
  t.equal(matrix.comments.length, ((await api.call({ url: `/consultations/${id}/comments` })).json() as { comments: unknown[] }).comments.length);
  const other = await api.call({ url: `/consultations/${id}/held-replies/${heldId}/discard`, body: { reason: 'changed my mind' } });
  t.equal(other.statusCode, 409);
  t.equal(other.json().code, 'HELD_REPLY_DECIDED');
  const unknown = await api.call({ url: `/consultations/${id}/held-replies/ae1d0000-0009-4000-8000-000000000009/accept`, body: {} });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'HELD_REPLY_NOT_FOUND');
  const auditor = await api.call({ url: `/consultations/${id}/held-replies/${heldId}/discard`, body: { reason: 'x' }, as: 'auditor' });
  t.equal(auditor.statusCode, 403);
  t.equal((await api.call({ url: `/consultations/${id}/held-replies/${heldId}/discard`, body: {} })).statusCode, 400, 'a reason is required');
});

t.test('attachments: downloaded by coordinators and auditors when this consultation references them, with their name and type; 404 otherwise', async (t) => {
  const { api, id, dataDir, reply } = await setUp(t);
  const bytes = Buffer.from('%PDF-1.7 signed letter\n');
  const stored = await storeAttachment(dataDir, bytes);
  const unreferenced = await storeAttachment(dataDir, Buffer.from('someone else\'s file'));
  const attachment = { sha256: stored.sha256, filename: 'Scrisoare semnată.pdf', contentType: 'application/pdf', size: stored.size };
  await reply('<with-file@wmn.example>', { attachments: [attachment] });
  const matrix = (await api.call({ url: `/consultations/${id}/comments` })).json() as { comments: { attachments: unknown[] }[] };
  t.same(matrix.comments[0]?.attachments, [attachment], 'the matrix shows the hash, filename, type and size');

  for (const as of ['coordinator', 'auditor'] as const) {
    const res = await api.call({ url: `/consultations/${id}/attachments/${stored.sha256}`, as });
    t.equal(res.statusCode, 200, as);
    t.same(res.rawPayload, bytes);
    t.equal(res.headers['content-type'], 'application/pdf');
    t.equal(res.headers['content-disposition'], 'attachment; filename="Scrisoare semnat_.pdf"; filename*=UTF-8\'\'Scrisoare%20semnat%C4%83.pdf');
    t.equal(res.headers['x-content-type-options'], 'nosniff');
  }
  const notOurs = await api.call({ url: `/consultations/${id}/attachments/${unreferenced.sha256}` });
  t.equal(notOurs.statusCode, 404);
  t.equal(notOurs.json().code, 'ATTACHMENT_NOT_FOUND');
  const other = await openConsultation(api);
  t.equal((await api.call({ url: `/consultations/${other}/attachments/${stored.sha256}` })).json().code, 'ATTACHMENT_NOT_FOUND', 'not another consultation\'s');
  t.equal((await api.call({ url: `/consultations/${id}/attachments/${'A'.repeat(64)}` })).statusCode, 400, 'a hash is lowercase hex');
  t.equal((await api.call({ url: `/consultations/${id}/attachments/..%2F..%2Fetc%2Fpasswd` })).statusCode, 400);

  // referenced, but its file is not stored
  const missing = { sha256: 'f'.repeat(64), filename: 'gone.docx', contentType: 'text/html', size: 1 };
  await reply('<missing@wmn.example>', { attachments: [missing] });
  t.equal((await api.call({ url: `/consultations/${id}/attachments/${missing.sha256}` })).json().code, 'ATTACHMENT_NOT_FOUND');
});

t.test('served content types and names are safe whatever the mail said', async (t) => {
  t.equal(servedContentType('application/pdf'), 'application/pdf');
  t.equal(servedContentType('Text/HTML; charset=utf-8'), 'text/html');
  t.equal(servedContentType('text/html\r\nSet-Cookie: x=1'), 'application/octet-stream');
  t.equal(servedContentType(''), 'application/octet-stream');
  t.equal(attachmentDisposition('a"b\r\n/../c.pdf'), 'attachment; filename="a_b___.._c.pdf"; filename*=UTF-8\'\'a%22b___.._c.pdf', 'no path, no line break');
  t.equal(attachmentDisposition(''), 'attachment; filename="attachment"; filename*=UTF-8\'\'attachment');
});
