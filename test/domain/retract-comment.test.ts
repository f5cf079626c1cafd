import t from 'tap';
import { retractComment } from '../../src/commands/retract-comment.ts';
import { event } from '../../src/domain/events.ts';
import { closedWithdrawn, commented, cso, draft, opened, when } from '../helpers/domain-spec.ts';

const given = [opened, draft(1), cso, commented('c0ffee00-0c01-4000-8000-000000000001')];
const input = { commentId: 'c0ffee00-0c01-4000-8000-000000000001', reason: 'entered on the wrong stakeholder' };
const retracted = event('CommentRetracted', input);

t.test('given nothing, when RetractComment, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(retractComment, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when RetractComment, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(retractComment, [...given, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given a comment, when RetractComment, then CommentRetracted with the reason', async (t) => {
  t.same(when(retractComment, given, input), [retracted]);
});

t.test('a comment on an older version may be retracted too', async (t) => {
  t.same(when(retractComment, [...given, draft(2, '2027-05-01T00:00:00Z')], input), [retracted]);
});

t.test('given no such comment, when RetractComment, then COMMENT_NOT_FOUND', async (t) => {
  t.throws(() => when(retractComment, given, { ...input, commentId: 'c0ffee00-0404-4000-8000-000000000404' }), { code: 'COMMENT_NOT_FOUND' });
});

t.test('given a retracted comment, when RetractComment again, then COMMENT_RETRACTED', async (t) => {
  t.throws(() => when(retractComment, [...given, retracted], input), { code: 'COMMENT_RETRACTED' });
});

t.test('the schema refuses an empty reason', async (t) => {
  t.throws(() => when(retractComment, given, { ...input, reason: ' ' }), { name: 'ZodError' });
});
