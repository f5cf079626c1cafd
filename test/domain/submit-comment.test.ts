import t from 'tap';
import { submitComment } from '../../src/commands/submit-comment.ts';
import { event } from '../../src/domain/events.ts';
import { idFor } from '../../src/domain/ids.ts';
import { fixtureContactId } from '../helpers/contact-ids.ts';
import {
  COMMENT_DEADLINE, CSO, GIVEN_AT, MFA, NOW, accepted, asStakeholder, closedWithdrawn, cso, declined, draft, extended, invited, mfa, opened,
  recordedAt, reinstated, removed, when,
} from '../helpers/domain-spec.ts';

const OTHER = '5c0f3a2e-0005-4000-8000-000000000e01';
const other = invited(OTHER, 'Institute for Security Studies', 'desk@iss.example');
const given = [opened, draft(1), cso, other];
const input = { stakeholderId: CSO, draftVersion: 1, sectionKey: 's1', text: 'Name the budget line for shelters.' };
const commentId = idFor('cmd-under-test', 'comment');
const submitted = (over: Partial<{ sectionKey: string | null; madeAt: string; contactId: string; channel: 'api' | 'link' | 'email' | 'meeting' | 'letter' }> = {}) =>
  event('CommentSubmitted', {
    commentId, stakeholderId: CSO, draftVersion: 1, sectionKey: 's1', text: input.text, channel: 'api', madeAt: NOW, ...over,
  });

const AFTER_DEADLINE = '2027-04-02T09:00:00Z';
const EXTENDED = '2027-04-15T14:00:00Z';

t.test('given nothing, when SubmitComment, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(submitComment, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when SubmitComment, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(submitComment, [...given, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given an invited stakeholder and draft 1, when SubmitComment on a section, then CommentSubmitted at "now"', async (t) => {
  t.same(when(submitComment, given, input), [submitted()]);
  // an accepted invitation changes nothing; a pending one is enough
  t.same(when(submitComment, [...given, accepted(CSO)], input), [submitted()]);
});

t.test('with a proposed wording and a channel', async (t) => {
  t.same(when(submitComment, given, { ...input, proposedText: 'Allocate 2% of the budget to shelters.', channel: 'link' }), [
    event('CommentSubmitted', {
      commentId, stakeholderId: CSO, draftVersion: 1, sectionKey: 's1', text: input.text,
      proposedText: 'Allocate 2% of the budget to shelters.', channel: 'link', madeAt: NOW,
    }),
  ]);
});

t.test('sectionKey omitted or null: a comment on the whole draft (null)', async (t) => {
  const { sectionKey: _, ...wholeDraft } = input;
  t.same(when(submitComment, given, wholeDraft), [submitted({ sectionKey: null })]);
  t.same(when(submitComment, given, { ...input, sectionKey: null }), [submitted({ sectionKey: null })]);
});

t.test('the commentId is derived from the command id: same command id, same comment id', async (t) => {
  const a = when(submitComment, given, input, { commandId: 'c0ffee00-0042-4000-8000-000000000042' });
  const b = when(submitComment, given, input, { commandId: 'c0ffee00-0042-4000-8000-000000000042' });
  const c = when(submitComment, given, input, { commandId: 'c0ffee00-0043-4000-8000-000000000043' });
  t.same(a, b);
  t.same(a, [event('CommentSubmitted', { ...submitted().data, commentId: idFor('c0ffee00-0042-4000-8000-000000000042', 'comment') })]);
  t.same(c, [event('CommentSubmitted', { ...submitted().data, commentId: idFor('c0ffee00-0043-4000-8000-000000000043', 'comment') })]);
  t.not(idFor('c0ffee00-0042-4000-8000-000000000042', 'comment'), idFor('c0ffee00-0043-4000-8000-000000000043', 'comment'));
});

t.test('only invited stakeholders: STAKEHOLDER_NOT_FOUND', async (t) => {
  t.throws(() => when(submitComment, given, { ...input, stakeholderId: '5c0f3a2e-0006-4000-8000-000000000001' }), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('not from a stakeholder that declined (STAKEHOLDER_DECLINED) or was removed (STAKEHOLDER_REMOVED); again after reinstatement', async (t) => {
  t.throws(() => when(submitComment, [...given, declined(CSO)], input), { code: 'STAKEHOLDER_DECLINED' });
  t.throws(() => when(submitComment, [...given, accepted(CSO), declined(CSO)], input), { code: 'STAKEHOLDER_DECLINED' });
  t.throws(() => when(submitComment, [...given, removed(CSO)], input), { code: 'STAKEHOLDER_REMOVED' });
  t.same(when(submitComment, [...given, removed(CSO), reinstated(CSO)], input), [submitted()]);
  t.same(when(submitComment, [...given, declined(CSO), reinstated(CSO)], input), [submitted()]);
});

t.test('no draft yet: NO_DRAFT', async (t) => {
  t.throws(() => when(submitComment, [opened, cso], input), { code: 'NO_DRAFT' });
});

t.test('only on the latest draft version: DRAFT_NOT_LATEST, DRAFT_NOT_FOUND', async (t) => {
  const twoDrafts = [...given, draft(2, '2027-05-01T17:00:00+03:00')];
  t.throws(() => when(submitComment, twoDrafts, input), { code: 'DRAFT_NOT_LATEST', details: { latestVersion: 2 } });
  t.throws(() => when(submitComment, twoDrafts, { ...input, draftVersion: 3 }), { code: 'DRAFT_NOT_FOUND' });
  t.same(when(submitComment, twoDrafts, { ...input, draftVersion: 2 }), [
    event('CommentSubmitted', { ...submitted().data, draftVersion: 2 }),
  ]);
});

t.test('only on a section key the version has: SECTION_NOT_FOUND', async (t) => {
  t.throws(() => when(submitComment, given, { ...input, sectionKey: 's9' }), { code: 'SECTION_NOT_FOUND' });
  // a section of version 1 that version 2 no longer has
  const v2 = [...given, draft(2, '2027-05-01T17:00:00+03:00', ['s2', 's3'])];
  t.throws(() => when(submitComment, v2, { ...input, draftVersion: 2, sectionKey: 's1' }), { code: 'SECTION_NOT_FOUND' });
});

t.test('empty, whitespace-only or over-long text is refused by the schema; 10,000 characters are accepted', async (t) => {
  t.throws(() => when(submitComment, given, { ...input, text: '' }), { name: 'ZodError' });
  t.throws(() => when(submitComment, given, { ...input, text: ' \n\t ' }), { name: 'ZodError' });
  t.throws(() => when(submitComment, given, { ...input, text: 'x'.repeat(10_001) }), { name: 'ZodError' });
  t.equal(when(submitComment, given, { ...input, text: 'x'.repeat(10_000) }).length, 1);
});

t.test("a stakeholder's own comment (api, link, e-mail) is refused after the comment deadline", async (t) => {
  for (const channel of ['api', 'link', 'email'] as const) {
    t.throws(() => when(submitComment, given, { ...input, channel }, { now: AFTER_DEADLINE }), {
      code: 'COMMENT_DEADLINE_PASSED', details: { deadline: '2027-04-01T17:00:00+03:00' },
    });
  }
});

t.test("a stakeholder's own comment at the deadline (the same instant, another offset) is accepted", async (t) => {
  t.same(when(submitComment, given, { ...input, channel: 'email' }, { now: COMMENT_DEADLINE }), [
    submitted({ channel: 'email', madeAt: COMMENT_DEADLINE }),
  ]);
});

t.test("a stakeholder's own comment counts when it is handled: madeAt on channel api, link or email is refused, not ignored", async (t) => {
  for (const channel of ['api', 'link', 'email'] as const) {
    t.throws(() => when(submitComment, given, { ...input, channel, madeAt: '2027-03-15T10:00:00Z' }), {
      name: 'ZodError', issues: [{ path: ['madeAt'] }],
    }, channel);
  }
});

t.test('its own extended deadline lets one stakeholder comment later while the others are refused', async (t) => {
  const history = [...given, extended('comments', 1, '2027-04-01T17:00:00+03:00', EXTENDED, CSO)];
  t.same(when(submitComment, history, input, { now: AFTER_DEADLINE }), [submitted({ madeAt: AFTER_DEADLINE })]);
  t.same(when(submitComment, history, input, { now: EXTENDED }), [submitted({ madeAt: EXTENDED })]);
  t.throws(() => when(submitComment, history, input, { now: '2027-04-15T14:00:01Z' }), { code: 'COMMENT_DEADLINE_PASSED' });
  t.throws(() => when(submitComment, history, { ...input, stakeholderId: OTHER }, { now: AFTER_DEADLINE }), { code: 'COMMENT_DEADLINE_PASSED' });
});

t.test('a global extension lets everyone comment later', async (t) => {
  const history = [...given, extended('comments', 1, '2027-04-01T17:00:00+03:00', EXTENDED)];
  t.equal(when(submitComment, history, { ...input, stakeholderId: OTHER }, { now: AFTER_DEADLINE }).length, 1);
});

t.test('a later global extension overtakes an earlier own extension (an extension never shortens a deadline)', async (t) => {
  const history = [
    ...given,
    extended('comments', 1, '2027-04-01T17:00:00+03:00', '2027-04-05T14:00:00Z', CSO),
    extended('comments', 1, '2027-04-01T17:00:00+03:00', EXTENDED),
  ];
  t.equal(when(submitComment, history, input, { now: '2027-04-10T09:00:00Z' }).length, 1);
});

t.test('an own extension on an older version does not carry over to a new draft', async (t) => {
  const history = [
    ...given,
    extended('comments', 1, '2027-04-01T17:00:00+03:00', '2027-06-01T00:00:00Z', CSO),
    draft(2, '2027-05-01T00:00:00Z'),
  ];
  t.throws(() => when(submitComment, history, { ...input, draftVersion: 2 }, { now: '2027-05-10T00:00:00Z' }), { code: 'COMMENT_DEADLINE_PASSED' });
});

t.test('a comment recorded from a meeting or a letter needs madeAt: MADE_AT_REQUIRED', async (t) => {
  t.throws(() => when(submitComment, given, { ...input, channel: 'meeting' }), { code: 'MADE_AT_REQUIRED' });
  t.throws(() => when(submitComment, given, { ...input, channel: 'letter' }), { code: 'MADE_AT_REQUIRED' });
});

t.test('madeAt in the future: MADE_AT_IN_FUTURE', async (t) => {
  t.throws(() => when(submitComment, given, { ...input, channel: 'meeting', madeAt: '2027-03-01T09:00:01Z' }), { code: 'MADE_AT_IN_FUTURE' });
});

t.test('madeAt before the deadline is accepted even when "now" is after it; madeAt is recorded', async (t) => {
  const madeAt = '2027-03-28T11:30:00+03:00';
  t.same(when(submitComment, given, { ...input, channel: 'meeting', madeAt }, { now: AFTER_DEADLINE }), [submitted({ channel: 'meeting', madeAt })]);
  t.same(when(submitComment, given, { ...input, channel: 'letter', madeAt: COMMENT_DEADLINE }, { now: AFTER_DEADLINE }), [
    submitted({ channel: 'letter', madeAt: COMMENT_DEADLINE }),
  ]);
});

t.test('madeAt after the deadline: COMMENT_DEADLINE_PASSED (its own extension counts)', async (t) => {
  t.throws(() => when(submitComment, given, { ...input, channel: 'letter', madeAt: '2027-04-01T14:00:01Z' }, { now: '2027-04-20T00:00:00Z' }), {
    code: 'COMMENT_DEADLINE_PASSED',
  });
  const history = [...given, extended('comments', 1, '2027-04-01T17:00:00+03:00', EXTENDED, CSO)];
  t.equal(when(submitComment, history, { ...input, channel: 'letter', madeAt: '2027-04-10T00:00:00Z' }, { now: '2027-04-20T00:00:00Z' }).length, 1);
});

t.test('a time without an offset is refused by the schema', async (t) => {
  t.throws(() => when(submitComment, given, { ...input, channel: 'meeting', madeAt: '2027-03-28T11:30:00' }), { name: 'ZodError' });
});

t.test('a stakeholder comments only for itself: ACTOR_NOT_STAKEHOLDER', async (t) => {
  t.throws(() => when(submitComment, [...given, mfa], input, { actor: asStakeholder(MFA) }), { code: 'ACTOR_NOT_STAKEHOLDER' });
  t.same(when(submitComment, given, { ...input, channel: 'link' }, { actor: asStakeholder(CSO) }), [submitted({ channel: 'link' })]);
});

t.test('a stakeholder cannot record its own comment as made in a meeting or letter: RECORDED_CHANNEL_COORDINATOR_ONLY', async (t) => {
  t.throws(() => when(submitComment, given, { ...input, channel: 'meeting', madeAt: '2027-03-15T10:00:00Z' }, {
    actor: asStakeholder(CSO), now: AFTER_DEADLINE,
  }), { code: 'RECORDED_CHANNEL_COORDINATOR_ONLY' });
});

// ---- late letters: judged by when they were made, on the version they were made on ----

/** v1 published 1 February (deadline 1 April, 14:00 UTC); v2 published 1 March 2027 at 08:00 (deadline 1 May). */
const V2_PUBLISHED = '2027-03-01T08:00:00Z';
const V2_DEADLINE = '2027-05-01T14:00:00Z';
const twoVersions = [...given, recordedAt(V2_PUBLISHED, draft(2, V2_DEADLINE, ['s2', 's3']))];
const letter = (over: Record<string, unknown>) => ({ ...input, channel: 'letter' as const, ...over });
const LATER = '2027-04-20T09:00:00Z'; // when the coordinator records the letters below

t.test('given v2 published, when a letter made on v1 before v2 was published is recorded, then CommentSubmitted on v1 (no DRAFT_NOT_LATEST)', async (t) => {
  const madeAt = '2027-02-20T10:00:00+01:00';
  t.same(when(submitComment, twoVersions, letter({ draftVersion: 1, madeAt }), { now: LATER }), [submitted({ channel: 'letter', madeAt })]);
  // made in a meeting on v1 after v2 was published, still inside v1's period: the version it names decides
  t.same(when(submitComment, twoVersions, { ...input, channel: 'meeting', madeAt: '2027-03-20T10:00:00Z' }, { now: LATER }), [
    submitted({ channel: 'meeting', madeAt: '2027-03-20T10:00:00Z' }),
  ]);
});

t.test('a late letter may name a section its own version has and the latest lacks; the section is checked against its version', async (t) => {
  // s1 is in v1 only
  t.equal(when(submitComment, twoVersions, letter({ draftVersion: 1, sectionKey: 's1', madeAt: '2027-02-20T10:00:00Z' }), { now: LATER }).length, 1);
  t.throws(() => when(submitComment, twoVersions, letter({ draftVersion: 2, sectionKey: 's1', madeAt: '2027-03-20T10:00:00Z' }), { now: LATER }), {
    code: 'SECTION_NOT_FOUND',
  });
});

t.test('a letter made before the version it names was published: MADE_AT_BEFORE_DRAFT, naming the version and its publication', async (t) => {
  // before the consultation's first draft
  t.throws(() => when(submitComment, twoVersions, letter({ draftVersion: 1, madeAt: '2027-01-15T10:00:00Z' }), { now: LATER }), {
    code: 'MADE_AT_BEFORE_DRAFT',
    details: { draftVersion: 1, madeAt: '2027-01-15T10:00:00Z', publishedAt: GIVEN_AT, deadline: '2027-04-01T17:00:00+03:00' },
  });
  // on v2, but written while only v1 was out
  t.throws(() => when(submitComment, twoVersions, letter({ draftVersion: 2, sectionKey: 's2', madeAt: '2027-02-20T10:00:00Z' }), { now: LATER }), {
    code: 'MADE_AT_BEFORE_DRAFT', details: { draftVersion: 2, publishedAt: V2_PUBLISHED },
  });
});

t.test('the period includes its ends: made at the publication instant or at the deadline (another offset) is accepted', async (t) => {
  t.equal(when(submitComment, twoVersions, letter({ draftVersion: 2, sectionKey: 's2', madeAt: '2027-03-01T09:00:00+01:00' }), { now: LATER }).length, 1);
  t.equal(when(submitComment, twoVersions, letter({ draftVersion: 1, madeAt: '2027-04-01T17:00:00+03:00' }), { now: LATER }).length, 1);
  t.throws(() => when(submitComment, twoVersions, letter({ draftVersion: 2, sectionKey: 's2', madeAt: '2027-03-01T07:59:59Z' }), { now: LATER }), {
    code: 'MADE_AT_BEFORE_DRAFT',
  });
});

t.test("a letter on v1 made after v1's deadline: COMMENT_DEADLINE_PASSED with v1's deadline, though v2's period is open", async (t) => {
  t.throws(() => when(submitComment, twoVersions, letter({ draftVersion: 1, madeAt: '2027-04-02T10:00:00Z' }), { now: LATER }), {
    code: 'COMMENT_DEADLINE_PASSED', details: { draftVersion: 1, madeAt: '2027-04-02T10:00:00Z', deadline: '2027-04-01T17:00:00+03:00' },
  });
  t.equal(when(submitComment, twoVersions, letter({ draftVersion: 2, sectionKey: 's2', madeAt: '2027-04-02T10:00:00Z' }), { now: LATER }).length, 1);
});

t.test('its own extension granted on v1 counts for a letter on v1, even after v2 and an own extension on v2', async (t) => {
  const history = [
    ...given,
    extended('comments', 1, '2027-04-01T17:00:00+03:00', EXTENDED, CSO), // v1, CSO: 15 April
    recordedAt(V2_PUBLISHED, draft(2, V2_DEADLINE, ['s1', 's2'])),
    extended('comments', 2, V2_DEADLINE, '2027-05-15T14:00:00Z', CSO),
  ];
  const madeAt = '2027-04-10T10:00:00Z'; // after v1's deadline for everyone, before CSO's own
  t.equal(when(submitComment, history, letter({ draftVersion: 1, madeAt }), { now: LATER }).length, 1);
  t.throws(() => when(submitComment, history, letter({ draftVersion: 1, madeAt: '2027-04-15T14:00:01Z' }), { now: LATER }), {
    code: 'COMMENT_DEADLINE_PASSED', details: { deadline: EXTENDED },
  });
  // another stakeholder has no such extension
  t.throws(() => when(submitComment, history, letter({ stakeholderId: OTHER, draftVersion: 1, madeAt }), { now: LATER }), { code: 'COMMENT_DEADLINE_PASSED' });
});

t.test('a global extension of v1 made before v2 moves v1\'s period for letters', async (t) => {
  const history = [...given, extended('comments', 1, '2027-04-01T17:00:00+03:00', EXTENDED), recordedAt(V2_PUBLISHED, draft(2, V2_DEADLINE))];
  t.equal(when(submitComment, history, letter({ draftVersion: 1, madeAt: '2027-04-10T10:00:00Z' }), { now: LATER }).length, 1);
});

t.test('online comments keep their rules: only on the latest version (DRAFT_NOT_LATEST), counted when handled', async (t) => {
  for (const channel of ['api', 'link', 'email'] as const) {
    t.throws(() => when(submitComment, twoVersions, { ...input, channel }, { now: '2027-03-02T09:00:00Z' }), {
      code: 'DRAFT_NOT_LATEST', details: { latestVersion: 2 },
    }, channel);
  }
});

t.test('a recorded comment naming a version that does not exist: DRAFT_NOT_FOUND; before any draft: NO_DRAFT', async (t) => {
  t.throws(() => when(submitComment, twoVersions, letter({ draftVersion: 3, madeAt: '2027-03-20T10:00:00Z' }), { now: LATER }), { code: 'DRAFT_NOT_FOUND' });
  t.throws(() => when(submitComment, [opened, cso], letter({ madeAt: '2027-03-20T10:00:00Z' }), { now: LATER }), { code: 'NO_DRAFT' });
});

t.test('a comment written by one contact person is attributed to that contact; a contact the stakeholder does not have is CONTACT_NOT_FOUND', async (t) => {
  const contactId = fixtureContactId(CSO, 'focal@wpn.example');
  t.same(when(submitComment, given, { ...input, contactId, channel: 'link' }), [submitted({ channel: 'link', contactId })]);
  t.throws(() => when(submitComment, given, { ...input, contactId: fixtureContactId(CSO, 'someone@else.example') }), { code: 'CONTACT_NOT_FOUND' });
  // another stakeholder's contact is not this one's
  t.throws(() => when(submitComment, given, { ...input, contactId: fixtureContactId(OTHER, 'desk@iss.example') }), { code: 'CONTACT_NOT_FOUND' });
});
