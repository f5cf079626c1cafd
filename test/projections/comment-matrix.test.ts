// The comment-resolution matrix: given these events, then these rows, counts and filters.
import t from 'tap';
import { event } from '../../src/domain/events.ts';
import { commentMatrix, countComments, filterMatrix, type CommentMatrixView, type CommentRow } from '../../src/projections/comment-matrix.ts';
import { CONSULTATION_ID, CSO, MFA, NOW, commented, cso, draft, mfa, opened } from '../helpers/domain-spec.ts';
import { at, recorded, replay, sameFields, viewAfter, type Command } from './fixtures/recorded.ts';

function matrixAfter(commands: Command[]): CommentMatrixView {
  return viewAfter(commentMatrix, recorded(commands));
}
function rowAfter(commands: Command[], commentId: string): CommentRow {
  const row = matrixAfter(commands).comments.find((c) => c.commentId === commentId);
  if (!row) throw new Error(`no comment ${commentId}`);
  return row;
}
const answered = (commentId: string, disposition: 'accepted' | 'partially-accepted' | 'rejected' | 'noted', response: string) =>
  event('CommentAnswered', { commentId, disposition, response });
const retracted = (commentId: string, reason = 'entered on the wrong stakeholder') => event('CommentRetracted', { commentId, reason });
const CSO_ORG = "Women's Peace Network";
const base = [opened, draft(1), cso, mfa]; // revisions 0-3

t.test('given CommentSubmitted, then a row awaiting an answer, with its section heading from that draft version and the organisation', async (t) => {
  const view = matrixAfter([...base, commented('k-1', CSO, 1, 's1')]);
  t.strictSame(view.comments, [{
    commentId: 'k-1',
    draftVersion: 1,
    sectionKey: 's1',
    sectionHeading: 'Heading s1',
    stakeholderId: CSO,
    organisation: CSO_ORG,
    text: 'Name the budget line for shelters.',
    proposedText: null,
    channel: 'api',
    madeAt: NOW,
    submittedAt: at(4),
    status: 'awaiting-answer',
    disposition: null,
    response: null,
    answeredAt: null,
    earlierAnswers: [],
    retraction: null,
  }]);
  t.strictSame(view.counts, { total: 1, answered: 0, awaitingAnswer: 1, retracted: 0 });
  t.equal(view.consultationId, CONSULTATION_ID);
});

t.test('a comment on the whole draft has no section key and no heading', async (t) => {
  sameFields(t, rowAfter([...base, commented('k-1', CSO, 1, null)], 'k-1'), { sectionKey: null, sectionHeading: null });
});

t.test('proposed wording, channel and the time a recorded comment was made are kept', async (t) => {
  const fromMeeting = event('CommentSubmitted', {
    commentId: 'k-1', stakeholderId: MFA, draftVersion: 1, sectionKey: 's2', text: 'Add indicators.', proposedText: 'Indicator 2.1: share of women in delegations.',
    channel: 'meeting', madeAt: '2027-02-27T10:00:00Z',
  });
  sameFields(t, rowAfter([...base, fromMeeting], 'k-1'), {
    organisation: 'Ministry of Foreign Affairs', proposedText: 'Indicator 2.1: share of women in delegations.', channel: 'meeting', madeAt: '2027-02-27T10:00:00Z', submittedAt: at(4),
  });
});

t.test('the heading is the one of the comment’s own draft version', async (t) => {
  const v2 = event('DraftPublished', {
    version: 2, commentDeadline: '2027-06-01T14:00:00Z',
    sections: [{ key: 's1', heading: 'Participation (revised)', text: '…' }, { key: 's9', heading: 'Monitoring', text: '…' }],
  });
  const view = matrixAfter([...base, commented('k-1', CSO, 1, 's1'), v2, commented('k-2', CSO, 2, 's1'), commented('k-3', CSO, 2, 's9')]);
  t.strictSame(view.comments.map((c) => [c.commentId, c.draftVersion, c.sectionKey, c.sectionHeading]), [
    ['k-1', 1, 's1', 'Heading s1'],
    ['k-2', 2, 's1', 'Participation (revised)'],
    ['k-3', 2, 's9', 'Monitoring'],
  ]);
});

t.test('given CommentAnswered, then answered with the disposition, response and time', async (t) => {
  const row = rowAfter([...base, commented('k-1'), answered('k-1', 'accepted', 'Added to section 1.')], 'k-1');
  sameFields(t, row, { status: 'answered', disposition: 'accepted', response: 'Added to section 1.', answeredAt: at(5), earlierAnswers: [] });
});

t.test('given a revised answer, then the latest shows, with the earlier ones oldest first', async (t) => {
  const row = rowAfter([
    ...base, commented('k-1'),
    answered('k-1', 'noted', 'Will be considered.'),
    answered('k-1', 'partially-accepted', 'Partly added.'),
    answered('k-1', 'accepted', 'Added to section 1.'),
  ], 'k-1');
  sameFields(t, row, {
    status: 'answered', disposition: 'accepted', response: 'Added to section 1.', answeredAt: at(7),
    earlierAnswers: [
      { disposition: 'noted', response: 'Will be considered.', answeredAt: at(5) },
      { disposition: 'partially-accepted', response: 'Partly added.', answeredAt: at(6) },
    ],
  });
  t.strictSame(matrixAfter([...base, commented('k-1'), answered('k-1', 'noted', 'a'), answered('k-1', 'accepted', 'b')]).counts,
    { total: 1, answered: 1, awaitingAnswer: 0, retracted: 0 }, 'a revised answer counts once');
});

t.test('given CommentRetracted, then retracted with its reason, and not counted', async (t) => {
  const view = matrixAfter([...base, commented('k-1'), commented('k-2'), retracted('k-1')]);
  sameFields(t, view.comments[0]!, { status: 'retracted', retraction: { reason: 'entered on the wrong stakeholder', retractedAt: at(6) } });
  t.strictSame(view.counts, { total: 1, answered: 0, awaitingAnswer: 1, retracted: 1 });
});

t.test('given an answered comment retracted, then it shows as retracted with its answer, and counts neither as answered nor at all', async (t) => {
  const view = matrixAfter([...base, commented('k-1'), answered('k-1', 'rejected', 'Out of scope.'), retracted('k-1'), retracted('k-1', 'again')]);
  sameFields(t, view.comments[0]!, {
    status: 'retracted', disposition: 'rejected', response: 'Out of scope.', retraction: { reason: 'entered on the wrong stakeholder', retractedAt: at(6) },
  }, 'the first retraction stands');
  t.strictSame(view.counts, { total: 0, answered: 0, awaitingAnswer: 0, retracted: 1 });
});

t.test('given answers or retractions of unknown comments, or non-comment events, then the view is the same object', async (t) => {
  const events = recorded([...base, commented('k-1')]);
  const before = replay(commentMatrix, events);
  const after = replay(commentMatrix, recorded([
    answered('k-unknown', 'noted', 'x'), retracted('k-unknown'), event('InvitationAccepted', { stakeholderId: CSO }),
    event('ReviewCompleted', { stakeholderId: CSO, draftVersion: 1 }), draft(1), cso, commented('k-1'),
  ], { firstRevision: events.length }), before);
  t.equal(after.consultations[0]?.view, before.consultations[0]?.view);
});

t.test('a comment of a stakeholder this view does not know shows without organisation', async (t) => {
  sameFields(t, rowAfter([opened, draft(1), commented('k-1', 'sh-ghost')], 'k-1'), { stakeholderId: 'sh-ghost', organisation: null });
});

// Filtering
const v2 = draft(2, '2027-06-01T17:00:00+03:00', ['s1', 's2']);
const filterHistory = [
  ...base,
  commented('a', CSO, 1, 's1'),
  commented('b', CSO, 1, null),
  commented('c', MFA, 1, 's1'),
  v2,
  commented('d', CSO, 2, 's1'),
  commented('e', MFA, 2, 's2'),
  answered('a', 'accepted', 'Done.'),
  answered('d', 'noted', 'Noted.'),
  retracted('c'),
];
const ids = (rows: CommentRow[]) => rows.map((c) => c.commentId);

t.test('filterMatrix: by version, section (null for the whole draft), stakeholder and status, alone or together', async (t) => {
  const view = matrixAfter(filterHistory);
  t.strictSame(ids(filterMatrix(view, {}).comments), ['a', 'b', 'c', 'd', 'e'], 'no criterion: everything, retracted included');
  t.strictSame(ids(filterMatrix(view, { version: 1 }).comments), ['a', 'b', 'c']);
  t.strictSame(ids(filterMatrix(view, { sectionKey: 's1' }).comments), ['a', 'c', 'd']);
  t.strictSame(ids(filterMatrix(view, { sectionKey: null }).comments), ['b']);
  t.strictSame(ids(filterMatrix(view, { stakeholderId: MFA }).comments), ['c', 'e']);
  t.strictSame(ids(filterMatrix(view, { status: 'awaiting-answer' }).comments), ['b', 'e']);
  t.strictSame(ids(filterMatrix(view, { status: 'answered' }).comments), ['a', 'd']);
  t.strictSame(ids(filterMatrix(view, { status: 'retracted' }).comments), ['c']);
  t.strictSame(ids(filterMatrix(view, { version: 2, sectionKey: 's1', stakeholderId: CSO, status: 'answered' }).comments), ['d']);
  t.strictSame(ids(filterMatrix(view, { version: 3 }).comments), []);
});

t.test('filterMatrix counts the filtered comments, retracted ones apart', async (t) => {
  const view = matrixAfter(filterHistory);
  t.strictSame(view.counts, { total: 4, answered: 2, awaitingAnswer: 2, retracted: 1 });
  t.strictSame(filterMatrix(view, {}).counts, view.counts, 'the incremental counts agree with counting afresh');
  t.strictSame(filterMatrix(view, { version: 1 }).counts, { total: 2, answered: 1, awaitingAnswer: 1, retracted: 1 });
  t.strictSame(filterMatrix(view, { stakeholderId: MFA }).counts, { total: 1, answered: 0, awaitingAnswer: 1, retracted: 1 });
  t.strictSame(countComments([]), { total: 0, answered: 0, awaitingAnswer: 0, retracted: 0 });
});
