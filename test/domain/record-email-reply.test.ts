import t from 'tap';
import { emailReplyCommandId, recordEmailReply } from '../../src/commands/record-email-reply.ts';
import { fixtureContactId } from '../helpers/contact-ids.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import { idFor } from '../../src/domain/ids.ts';
import { COMMENT_MAX_LENGTH } from '../../src/domain/schemas.ts';
import {
  COMMENT_DEADLINE, CSO, GIVEN_AT, NOW, accepted, asStakeholder, closedWithdrawn, cso, declined, draft, extended, opened, recordedAt, removed,
  when,
} from '../helpers/domain-spec.ts';

const SYSTEM = { role: 'system', id: 'inbound' } as const;
const CONTACT = fixtureContactId(CSO, 'focal@wpn.example');
const RECEIVED = '2027-03-10T08:30:00Z';
const given: DomainEvent[] = [opened, draft(1, undefined, ['s1', 's2', 'budget']), cso];
const attachment = { sha256: 'a'.repeat(64), filename: 'markup.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', size: 12345 };
const reply = {
  stakeholderId: CSO,
  contactId: CONTACT,
  messageId: '<CAF=abc123@mail.gmail.com>',
  receivedAt: RECEIVED,
  from: 'Focal Point <Focal@WPN.example>',
  subject: 'Re: Invitation',
  blocks: [{ section: null, text: 'We welcome the plan.' }],
};
const record = (history: DomainEvent[], over: Partial<Record<string, unknown>> = {}, ctx = {}) =>
  when(recordEmailReply, history, { ...reply, ...over } as typeof reply, { actor: SYSTEM, ...ctx });
const comment = (i: number, sectionKey: string | null, text: string, over: Record<string, unknown> = {}) => event('CommentSubmitted', {
  commentId: idFor('cmd-under-test', `comment-${i}`), stakeholderId: CSO, contactId: CONTACT, draftVersion: 1, sectionKey, text,
  channel: 'email', madeAt: RECEIVED, ...over,
});
function heldOf(events: DomainEvent[]) {
  if (events.length !== 1 || events[0]!.type !== 'InboundReplyHeld') throw new Error(`expected one InboundReplyHeld, got ${JSON.stringify(events)}`);
  return events[0]!.data;
}
const codes = (events: DomainEvent[]) => heldOf(events).reasons.map((r) => r.code);

t.test('given an invited CSO, when its contact replies before the deadline, then a comment on the whole draft: channel email, madeAt = receivedAt, the contact', async (t) => {
  t.same(record(given), [comment(0, null, 'We welcome the plan.')]);
  t.same(record([...given, accepted(CSO)]), [comment(0, null, 'We welcome the plan.')]);
});

t.test('blocks: one comment each, the section matched against the keys first, then as a 1-based position', async (t) => {
  const blocks = [
    { section: null, text: 'Overall fine.' },
    { section: 'budget', text: 'Name the budget line.' },
    { section: '2', text: 'Second section.' },
    { section: 'S1', text: 'Case does not matter for a key.' },
    { section: '3.', text: 'Third, with a dot.' },
  ];
  t.same(record(given, { blocks }), [
    comment(0, null, 'Overall fine.'), comment(1, 'budget', 'Name the budget line.'), comment(2, 's2', 'Second section.'),
    comment(3, 's1', 'Case does not matter for a key.'), comment(4, 'budget', 'Third, with a dot.'),
  ]);
  // a key that looks like a number wins over the position
  t.same(when(recordEmailReply, [opened, draft(1, undefined, ['1', '2', '3']), cso], { ...reply, blocks: [{ section: '3', text: 'x' }] }, { actor: SYSTEM }),
    [comment(0, '3', 'x')]);
  t.same(when(recordEmailReply, [opened, draft(1, undefined, ['c', 'b', '1']), cso], { ...reply, blocks: [{ section: '1', text: 'x' }] }, { actor: SYSTEM }),
    [comment(0, '1', 'x')]);
  t.same(when(recordEmailReply, [opened, draft(1, undefined, ['c', 'b', 'a']), cso], { ...reply, blocks: [{ section: '1', text: 'x' }] }, { actor: SYSTEM }),
    [comment(0, 'c', 'x')]);
});

t.test('attachments go with every comment of the reply; attachments alone make one comment on the whole draft', async (t) => {
  t.same(record(given, { attachments: [attachment], blocks: [{ section: '1', text: 'See the marked-up file.' }] }), [
    comment(0, 's1', 'See the marked-up file.', { attachments: [attachment] }),
  ]);
  t.same(record(given, { attachments: [attachment], blocks: [] }), [comment(0, null, '', { attachments: [attachment] })]);
});

t.test('text is cleaned as mail text, not refused: CRLF, control characters, trimmed', async (t) => {
  t.same(record(given, { blocks: [{ section: null, text: '  Line one\r\nline two\u0007\u202E  ' }] }), [comment(0, null, 'Line one\nline two')]);
});

t.test('a sender in a domain listed for the organisation counts; another sender is held (SENDER_NOT_ALLOWED)', async (t) => {
  t.same(codes(record(given, { from: 'colleague@wpn.example' })), ['SENDER_NOT_ALLOWED']);
  const withDomain = [...given, event('StakeholderDetailsChanged', { stakeholderId: CSO, replyDomains: ['wpn.example'] })];
  t.same(record(withDomain, { from: 'Colleague <Colleague@WPN.Example>' }), [comment(0, null, 'We welcome the plan.')]);
  t.same(codes(record(withDomain, { from: 'someone@sub.wpn.example' })), ['SENDER_NOT_ALLOWED'], 'a subdomain is not the domain');
  t.same(codes(record(withDomain, { from: 'wpn.example' })), ['SENDER_NOT_ALLOWED']);
  t.same(codes(record(given, { from: '' })), ['SENDER_NOT_ALLOWED']);
});

t.test('held with everything the mail said: blocks, attachments, from, subject, receivedAt, the authentication verdict, the current draft', async (t) => {
  const authentication = { authservId: 'mx.consult.example', verdict: 'mx.consult.example; dmarc=fail header.from=evil.example' };
  const events = record(given, { from: 'x@evil.example', attachments: [attachment], authentication });
  t.same(events, [event('InboundReplyHeld', {
    heldId: idFor('cmd-under-test', 'held-reply'), stakeholderId: CSO, contactId: CONTACT, messageId: reply.messageId, draftVersion: 1,
    from: 'x@evil.example', subject: 'Re: Invitation', receivedAt: RECEIVED, blocks: [{ section: null, text: 'We welcome the plan.' }],
    attachments: [attachment], authentication,
    reasons: [{ code: 'SENDER_NOT_ALLOWED', message: "the sender is neither a contact address of Women's Peace Network nor in a domain listed for it" }],
  })]);
});

t.test('after the stakeholder\'s comment deadline (at receivedAt): AFTER_DEADLINE; its own extension counts', async (t) => {
  const late = '2027-04-02T09:00:00Z';
  t.same(codes(record(given, { receivedAt: late })), ['AFTER_DEADLINE']);
  t.same(record(given, { receivedAt: COMMENT_DEADLINE }), [comment(0, null, 'We welcome the plan.', { madeAt: COMMENT_DEADLINE })], 'the deadline itself counts');
  const ownExtension = extended('comments', 1, COMMENT_DEADLINE, '2027-04-15T14:00:00Z', CSO);
  t.same(record([...given, ownExtension], { receivedAt: late }), [comment(0, null, 'We welcome the plan.', { madeAt: late })]);
  // judged at receivedAt, not when the command runs
  t.same(record(given, { receivedAt: RECEIVED }, { now: late }), [comment(0, null, 'We welcome the plan.')]);
});

t.test('a reply to an older draft: OLDER_DRAFT when its references name a message about an older version, or it was received before the current one', async (t) => {
  const invitationV1 = event('InvitationSent', { stakeholderId: CSO, contactId: CONTACT, messageId: '<job-inv@consult.example>', sentAt: GIVEN_AT });
  const newDraftV2 = event('NoticeSent', {
    stakeholderId: CSO, contactId: CONTACT, messageId: '<job-v2@consult.example>', notice: 'new-draft', draftVersion: 2, sentAt: NOW,
  });
  const v2 = recordedAt('2027-03-05T09:00:00Z', draft(2, '2027-05-01T17:00:00+03:00'));
  const history = [...given, invitationV1, v2, newDraftV2];
  const e = record(history, { references: ['job-inv@consult.example'] });
  t.same(codes(e), ['OLDER_DRAFT']);
  t.equal(heldOf(e).draftVersion, 2);
  // the thread names the new draft's notice too: it answers version 2
  t.same(record(history, { references: ['<job-inv@consult.example>', '<JOB-V2@consult.example>'] }),
    [comment(0, null, 'We welcome the plan.', { draftVersion: 2 })]);
  // references the state does not know: judged by when it was received
  t.same(record(history, { references: ['<other@elsewhere.example>'] }), [comment(0, null, 'We welcome the plan.', { draftVersion: 2 })]);
  t.same(codes(record(history, { receivedAt: '2027-03-04T09:00:00Z' })), ['OLDER_DRAFT']);
});

t.test('a section that does not resolve: UNKNOWN_SECTION naming the block; blank: EMPTY; over COMMENT_MAX_LENGTH: TOO_LONG', async (t) => {
  const e = record(given, { blocks: [{ section: '7', text: 'x' }, { section: 's9', text: 'y' }, { section: '0', text: 'z' }, { section: '1', text: ' \n\t' }] });
  t.same(heldOf(e).reasons.map((r) => [r.code, r.block]), [['UNKNOWN_SECTION', 0], ['UNKNOWN_SECTION', 1], ['UNKNOWN_SECTION', 2], ['EMPTY', 3]]);
  t.same(codes(record(given, { blocks: [{ section: null, text: 'x'.repeat(COMMENT_MAX_LENGTH + 1) }] })), ['TOO_LONG']);
  t.same(record(given, { blocks: [{ section: null, text: 'x'.repeat(COMMENT_MAX_LENGTH) }] }), [comment(0, null, 'x'.repeat(COMMENT_MAX_LENGTH))]);
  t.same(codes(record(given, { blocks: [] })), ['EMPTY'], 'nothing new above the quote and no attachment');
});

t.test('a very long held reply is stored cut, marked truncated', async (t) => {
  const e = record(given, { blocks: [{ section: null, text: 'y'.repeat(300_000) }, { section: null, text: 'ok' }] });
  const held = heldOf(e);
  t.equal(held.blocks[0]!.text.length, 20_000);
  t.equal(held.blocks[0]!.truncated, true);
  t.same(held.blocks[1], { section: null, text: 'ok' });
  t.ok(JSON.stringify(held).length < 200_000);
});

t.test('a closed consultation, a removed or declined stakeholder, a former contact: held, with every reason at once', async (t) => {
  t.same(codes(record([...given, closedWithdrawn])), ['CONSULTATION_CLOSED']);
  t.same(codes(record([...given, removed(CSO)])), ['STAKEHOLDER_INACTIVE']);
  t.same(codes(record([...given, declined(CSO)])), ['STAKEHOLDER_INACTIVE']);
  const newContacts = event('StakeholderContactsChanged', {
    stakeholderId: CSO, contacts: [{ contactId: fixtureContactId(CSO, 'new@wpn.example'), name: 'New', email: 'new@wpn.example' }],
  });
  t.same(codes(record([...given, newContacts])), ['CONTACT_UNKNOWN', 'SENDER_NOT_ALLOWED']);
  t.same(codes(record([...given, closedWithdrawn, removed(CSO)], { from: 'x@evil.example', receivedAt: '2027-04-02T09:00:00Z', blocks: [{ section: 'zz', text: '' }] })),
    ['CONSULTATION_CLOSED', 'STAKEHOLDER_INACTIVE', 'SENDER_NOT_ALLOWED', 'AFTER_DEADLINE', 'UNKNOWN_SECTION', 'EMPTY']);
  t.same(codes(record([opened, cso])), ['NO_DRAFT']);
});

t.test('refused only for an unknown consultation or stakeholder, a wrong actor, a bad shape', async (t) => {
  t.throws(() => record([]), { code: 'CONSULTATION_NOT_FOUND' });
  t.throws(() => record(given, { stakeholderId: '5c0f3a2e-0006-4000-8000-000000000001' }), { code: 'STAKEHOLDER_NOT_FOUND' });
  t.throws(() => when(recordEmailReply, given, reply), { code: 'ACTOR_NOT_ALLOWED' }, 'not the coordinator');
  t.throws(() => when(recordEmailReply, given, reply, { actor: asStakeholder(CSO) }), { code: 'ACTOR_NOT_ALLOWED' });
  t.throws(() => record(given, { receivedAt: '2027-03-10 08:30' }));
  t.throws(() => record(given, { attachments: [{ ...attachment, sha256: 'A'.repeat(64) }] }));
  t.throws(() => record(given, { extra: true }));
});

t.test('emailReplyCommandId: a UUID of the Message-ID, the same whatever its brackets and case', async (t) => {
  const id = emailReplyCommandId('<CAF=abc123@mail.gmail.com>');
  t.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.equal(emailReplyCommandId('caf=abc123@mail.gmail.com'), id);
  t.equal(emailReplyCommandId(' <CAF=abc123@mail.gmail.com> '), id);
  t.not(emailReplyCommandId('<other@mail.gmail.com>'), id);
});
