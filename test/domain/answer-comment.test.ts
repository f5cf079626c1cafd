import t from 'tap';
import { answerComment } from '../../src/commands/answer-comment.ts';
import { event } from '../../src/domain/events.ts';
import { closedWithdrawn, commented, cso, draft, opened, when } from '../helpers/domain-spec.ts';

const given = [opened, draft(1), cso, commented('c0ffee00-0c01-4000-8000-000000000001')];
const input = { commentId: 'c0ffee00-0c01-4000-8000-000000000001', disposition: 'partially-accepted' as const, response: 'A budget line is added; the 2% figure is not.' };
const answered = event('CommentAnswered', input);

t.test('given nothing, when AnswerComment, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(answerComment, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when AnswerComment, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(answerComment, [...given, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given a comment, when AnswerComment, then CommentAnswered', async (t) => {
  t.same(when(answerComment, given, input), [answered]);
});

t.test('given no such comment, when AnswerComment, then COMMENT_NOT_FOUND', async (t) => {
  t.throws(() => when(answerComment, given, { ...input, commentId: 'c0ffee00-0404-4000-8000-000000000404' }), { code: 'COMMENT_NOT_FOUND' });
});

t.test('given a retracted comment, when AnswerComment, then COMMENT_RETRACTED naming it by id and reference', async (t) => {
  t.throws(() => when(answerComment, [...given, event('CommentRetracted', { commentId: 'c0ffee00-0c01-4000-8000-000000000001', reason: 'duplicate' })], input), {
    code: 'COMMENT_RETRACTED', details: { commentId: 'c0ffee00-0c01-4000-8000-000000000001', ref: 'C-1' },
  });
  const second = 'c0ffee00-0c02-4000-8000-000000000002';
  t.throws(() => when(answerComment, [...given, commented(second), event('CommentRetracted', { commentId: second, reason: 'duplicate' })], { ...input, commentId: second }), {
    code: 'COMMENT_RETRACTED', details: { commentId: second, ref: 'C-2' }, message: 'comment C-2 was retracted',
  });
});

t.test('given an answer, when the identical answer again, then nothing', async (t) => {
  t.same(when(answerComment, [...given, answered], input), []);
});

t.test('given an answer, when another disposition or response, then a new CommentAnswered (a revision)', async (t) => {
  const accepted = { ...input, disposition: 'accepted' as const };
  t.same(when(answerComment, [...given, answered], accepted), [event('CommentAnswered', accepted)]);
  const reworded = { ...input, response: 'A budget line is added in section 4.' };
  t.same(when(answerComment, [...given, answered], reworded), [event('CommentAnswered', reworded)]);
  // and answering with the first answer again after a revision is a revision too
  t.same(when(answerComment, [...given, answered, event('CommentAnswered', accepted)], input), [answered]);
});

t.test('the schema refuses an unknown disposition and an empty response', async (t) => {
  t.throws(() => when(answerComment, given, { ...input, disposition: 'ignored' as 'noted' }), { name: 'ZodError' });
  t.throws(() => when(answerComment, given, { ...input, response: '  ' }), { name: 'ZodError' });
});
