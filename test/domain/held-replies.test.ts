// AcceptHeldReply and DiscardHeldReply: the coordinator decides what a held reply by e-mail becomes.
import t from 'tap';
import { acceptHeldReply } from '../../src/commands/accept-held-reply.ts';
import { discardHeldReply } from '../../src/commands/discard-held-reply.ts';
import { fixtureContactId } from '../helpers/contact-ids.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import { idFor } from '../../src/domain/ids.ts';
import { pendingHeldReplies } from '../../src/domain/replies.ts';
import { COMMENT_MAX_LENGTH } from '../../src/domain/schemas.ts';
import {
  CSO, asStakeholder, closedWithdrawn, cso, draft, heldReply, opened, stateFrom, when,
} from '../helpers/domain-spec.ts';

const H = 'ae1d0000-0001-4000-8000-000000000001';
const CONTACT = fixtureContactId(CSO, 'focal@wpn.example');
const RECEIVED = '2027-03-10T08:30:00Z';
const LATE = '2027-04-20T09:00:00Z';
const attachment = { sha256: 'b'.repeat(64), filename: 'letter.pdf', contentType: 'application/pdf', size: 999 };
const given: DomainEvent[] = [opened, draft(1, undefined, ['s1', 's2', 'budget']), cso];
const REASONS = [{ code: 'SENDER_NOT_ALLOWED', message: 'x' }, { code: 'AFTER_DEADLINE', message: 'y' }];
const held = (over = {}) => [...given, heldReply(H, { reasons: REASONS, ...over })];
const comment = (i: number, sectionKey: string | null, text: string, over: Record<string, unknown> = {}) => event('CommentSubmitted', {
  commentId: idFor('cmd-under-test', `comment-${i}`), stakeholderId: CSO, contactId: CONTACT, draftVersion: 1, sectionKey, text,
  channel: 'email', madeAt: RECEIVED, heldReplyId: H, heldReason: ['SENDER_NOT_ALLOWED', 'AFTER_DEADLINE'], ...over,
});
const acceptedEvent = (commentIds: string[], sectionKey?: string | null) =>
  event('InboundReplyAccepted', { heldId: H, ...(sectionKey !== undefined ? { sectionKey } : {}), commentIds });
const ids = (n: number) => Array.from({ length: n }, (_, i) => idFor('cmd-under-test', `comment-${i}`));

t.test('given a held reply, when the coordinator accepts it, then InboundReplyAccepted and its comment: channel email, madeAt when received, the reasons it was held', async (t) => {
  t.same(when(acceptHeldReply, held(), { heldId: H }, { now: LATE }), [acceptedEvent(ids(1)), comment(0, null, 'We welcome the plan.')],
    'past the deadline too: the coordinator decided it');
});

t.test('accepting: each block on the section it names (else the whole draft), or all of it on the section the coordinator names', async (t) => {
  const blocks = [{ section: null, text: 'Overall.' }, { section: '2', text: 'On two.' }, { section: 'nope', text: 'Unknown.' }, { section: '1', text: '' }];
  const history = held({ blocks, attachments: [attachment] });
  t.same(when(acceptHeldReply, history, { heldId: H }), [
    acceptedEvent(ids(3)),
    comment(0, null, 'Overall.', { attachments: [attachment] }), comment(1, 's2', 'On two.', { attachments: [attachment] }),
    comment(2, null, 'Unknown.', { attachments: [attachment] }),
  ]);
  t.same(when(acceptHeldReply, history, { heldId: H, sectionKey: 'budget' }), [
    acceptedEvent(ids(1), 'budget'), comment(0, 'budget', 'Overall.\n\nOn two.\n\nUnknown.', { attachments: [attachment] }),
  ]);
  t.same(when(acceptHeldReply, history, { heldId: H, sectionKey: null }), [
    acceptedEvent(ids(1), null), comment(0, null, 'Overall.\n\nOn two.\n\nUnknown.', { attachments: [attachment] }),
  ]);
  t.throws(() => when(acceptHeldReply, history, { heldId: H, sectionKey: 's9' }), { code: 'SECTION_NOT_FOUND' });
  // attachments only
  t.same(when(acceptHeldReply, held({ blocks: [], attachments: [attachment] }), { heldId: H }), [
    acceptedEvent(ids(1)), comment(0, null, '', { attachments: [attachment] }),
  ]);
});

t.test('accepted on the current draft; the contact only while it is one of the stakeholder\'s', async (t) => {
  const v2 = [...held(), draft(2, '2027-05-01T17:00:00+03:00')];
  t.same(when(acceptHeldReply, v2, { heldId: H }), [acceptedEvent(ids(1)), comment(0, null, 'We welcome the plan.', { draftVersion: 2 })]);
  const moved = [...held(), event('StakeholderContactsChanged', {
    stakeholderId: CSO, contacts: [{ contactId: fixtureContactId(CSO, 'new@wpn.example'), name: 'New', email: 'new@wpn.example' }],
  })];
  const [, c] = when(acceptHeldReply, moved, { heldId: H });
  t.equal(c?.type === 'CommentSubmitted' && c.data.contactId, undefined);
});

t.test('text that cannot be a comment: HELD_REPLY_TEXT_INVALID (empty, too long, cut when held)', async (t) => {
  t.throws(() => when(acceptHeldReply, held({ blocks: [{ section: null, text: '' }] }), { heldId: H }), { code: 'HELD_REPLY_TEXT_INVALID', status: 422 });
  t.throws(() => when(acceptHeldReply, held({ blocks: [] }), { heldId: H }), { code: 'HELD_REPLY_TEXT_INVALID' });
  t.throws(() => when(acceptHeldReply, held({ blocks: [{ section: null, text: 'x'.repeat(COMMENT_MAX_LENGTH + 1) }] }), { heldId: H }), { code: 'HELD_REPLY_TEXT_INVALID' });
  const half = 'x'.repeat(COMMENT_MAX_LENGTH / 2 + 1);
  t.throws(() => when(acceptHeldReply, held({ blocks: [{ section: null, text: half }, { section: null, text: half }] }), { heldId: H, sectionKey: null }),
    { code: 'HELD_REPLY_TEXT_INVALID' }, 'joined, too long');
  t.throws(() => when(acceptHeldReply, held({ blocks: [{ section: null, text: 'x', truncated: true }] }), { heldId: H }), { code: 'HELD_REPLY_TEXT_INVALID' });
});

t.test('given a held reply, when discarded with a reason, then InboundReplyDiscarded', async (t) => {
  t.same(when(discardHeldReply, held(), { heldId: H, reason: 'Spam, not from the organisation.' }), [
    event('InboundReplyDiscarded', { heldId: H, reason: 'Spam, not from the organisation.' }),
  ]);
  t.throws(() => when(discardHeldReply, held(), { heldId: H, reason: ' ' }), 'a reason is required');
  t.throws(() => when(discardHeldReply, held(), { heldId: H } as never));
});

t.test('decided once: the same decision again is a no-op; another one is HELD_REPLY_DECIDED (409)', async (t) => {
  const accepted = [...held(), acceptedEvent(['c'])];
  const acceptedOnBudget = [...held(), acceptedEvent(['c'], 'budget')];
  const discarded = [...held(), event('InboundReplyDiscarded', { heldId: H, reason: 'spam' })];
  t.same(when(acceptHeldReply, accepted, { heldId: H }), []);
  t.same(when(acceptHeldReply, acceptedOnBudget, { heldId: H, sectionKey: 'budget' }), []);
  t.same(when(discardHeldReply, discarded, { heldId: H, reason: 'another reason' }), [], 'the first reason stands');
  t.throws(() => when(acceptHeldReply, accepted, { heldId: H, sectionKey: 'budget' }), { code: 'HELD_REPLY_DECIDED', status: 409 });
  t.throws(() => when(acceptHeldReply, acceptedOnBudget, { heldId: H }), { code: 'HELD_REPLY_DECIDED' });
  t.throws(() => when(acceptHeldReply, discarded, { heldId: H }), { code: 'HELD_REPLY_DECIDED' });
  t.throws(() => when(discardHeldReply, accepted, { heldId: H, reason: 'spam' }), { code: 'HELD_REPLY_DECIDED' });
});

t.test('refused: an unknown held reply (404), not the coordinator, a closed consultation', async (t) => {
  const other = 'ae1d0000-0009-4000-8000-000000000009';
  t.throws(() => when(acceptHeldReply, held(), { heldId: other }), { code: 'HELD_REPLY_NOT_FOUND', status: 404 });
  t.throws(() => when(discardHeldReply, held(), { heldId: other, reason: 'x' }), { code: 'HELD_REPLY_NOT_FOUND' });
  for (const actor of [asStakeholder(CSO), { role: 'system', id: 'inbound' } as const, { role: 'auditor', id: 'a' } as const]) {
    t.throws(() => when(acceptHeldReply, held(), { heldId: H }, { actor }), { code: 'ACTOR_NOT_ALLOWED' });
    t.throws(() => when(discardHeldReply, held(), { heldId: H, reason: 'x' }, { actor }), { code: 'ACTOR_NOT_ALLOWED' });
  }
  t.throws(() => when(acceptHeldReply, [...held(), closedWithdrawn], { heldId: H }), { code: 'CONSULTATION_CLOSED' });
  t.throws(() => when(discardHeldReply, [...held(), closedWithdrawn], { heldId: H, reason: 'x' }), { code: 'CONSULTATION_CLOSED' });
});

t.test('the state: held replies pending until accepted or discarded, in the order held', async (t) => {
  const H2 = 'ae1d0000-0002-4000-8000-000000000002';
  const H3 = 'ae1d0000-0003-4000-8000-000000000003';
  const s = stateFrom([...given, heldReply(H), heldReply(H2), heldReply(H3), acceptedEvent(['c']), event('InboundReplyDiscarded', { heldId: H3, reason: 'x' })]);
  t.same(pendingHeldReplies(s), [H2]);
  t.same([...s.heldReplies.values()].map((h) => h.status), ['accepted', 'pending', 'discarded']);
});
