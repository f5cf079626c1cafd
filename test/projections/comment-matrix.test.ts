// The comment-resolution matrix: given these events, then these rows, counts and filters; and its
// documents: the same whatever the redeliveries and batches, and a cost per event that does not
// grow with the number of comments.
import t from 'tap';
import { event } from '../../src/domain/events.ts';
import {
  commentMatrix, countComments, filterMatrix, readComment, readMatrixPage, type CommentMatrixView, type CommentRow,
} from '../../src/projections/comment-matrix.ts';
import { DocBatch, docReader, projectionBase } from '../../src/projections/doc-batch.ts';
import type { Page } from '../../src/projections/paging.ts';
import { docKey, type DocPlace, type ProjectionEvent } from '../../src/projections/projection.ts';
import { CONSULTATION_ID, CSO, MFA, NOW, commented, cso, draft, invited, mfa, opened } from '../helpers/domain-spec.ts';
import { CountingViewStore, assertPlainJson, at, recorded, replay, Replayed, sameFields, unknownEvent, viewAfter, type Command } from './fixtures/recorded.ts';

function matrixAfter(commands: Command[]): Promise<CommentMatrixView> {
  return viewAfter(commentMatrix, recorded(commands));
}
async function rowAfter(commands: Command[], commentId: string): Promise<CommentRow> {
  const row = (await matrixAfter(commands)).comments.find((c) => c.commentId === commentId);
  if (!row) throw new Error(`no comment ${commentId}`);
  return row;
}
const answered = (commentId: string, disposition: 'accepted' | 'partially-accepted' | 'rejected' | 'noted', response: string) =>
  event('CommentAnswered', { commentId, disposition, response });
const retracted = (commentId: string, reason = 'entered on the wrong stakeholder') => event('CommentRetracted', { commentId, reason });
const CSO_ORG = "Women's Peace Network";
const base = [opened, draft(1), cso, mfa]; // revisions 0-3

t.test('given CommentSubmitted, then a row awaiting an answer, with its section heading from that draft version and the organisation', async (t) => {
  const view = await matrixAfter([...base, commented('k-1', CSO, 1, 's1')]);
  t.strictSame(view.comments, [{
    commentId: 'k-1',
    ref: 'C-1',
    draftVersion: 1,
    sectionKey: 's1',
    sectionHeading: 'Heading s1',
    stakeholderId: CSO,
    contactId: null,
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
    answeredBy: null,
    earlierAnswers: [],
    retraction: null,
    attachments: [],
    heldReplyId: null,
    heldReason: null,
  }]);
  t.strictSame(view.counts, { total: 1, answered: 0, awaitingAnswer: 1, retracted: 0 });
  t.equal(view.consultationId, CONSULTATION_ID);
});

t.test('a comment on the whole draft has no section key and no heading', async (t) => {
  sameFields(t, await rowAfter([...base, commented('k-1', CSO, 1, null)], 'k-1'), { sectionKey: null, sectionHeading: null });
});

t.test('proposed wording, channel and the time a recorded comment was made are kept', async (t) => {
  const fromMeeting = event('CommentSubmitted', {
    commentId: 'k-1', stakeholderId: MFA, draftVersion: 1, sectionKey: 's2', text: 'Add indicators.', proposedText: 'Indicator 2.1: share of women in delegations.',
    channel: 'meeting', madeAt: '2027-02-27T10:00:00Z',
  });
  sameFields(t, await rowAfter([...base, fromMeeting], 'k-1'), {
    organisation: 'Ministry of Foreign Affairs', proposedText: 'Indicator 2.1: share of women in delegations.', channel: 'meeting', madeAt: '2027-02-27T10:00:00Z', submittedAt: at(4),
  });
});

t.test('the heading is the one of the comment’s own draft version', async (t) => {
  const v2 = event('DraftPublished', {
    version: 2, commentDeadline: '2027-06-01T14:00:00Z',
    sections: [{ key: 's1', heading: 'Participation (revised)', text: '…' }, { key: 's9', heading: 'Monitoring', text: '…' }],
  });
  const view = await matrixAfter([...base, commented('k-1', CSO, 1, 's1'), v2, commented('k-2', CSO, 2, 's1'), commented('k-3', CSO, 2, 's9')]);
  t.strictSame(view.comments.map((c) => [c.commentId, c.draftVersion, c.sectionKey, c.sectionHeading]), [
    ['k-1', 1, 's1', 'Heading s1'],
    ['k-2', 2, 's1', 'Participation (revised)'],
    ['k-3', 2, 's9', 'Monitoring'],
  ]);
});

t.test('given CommentAnswered, then answered with the disposition, response, time and who answered (the actor)', async (t) => {
  const row = await rowAfter([...base, commented('k-1'), answered('k-1', 'accepted', 'Added to section 1.')], 'k-1');
  sameFields(t, row, {
    status: 'answered', disposition: 'accepted', response: 'Added to section 1.', answeredAt: at(5), answeredBy: { role: 'coordinator', id: 'gender-office' }, earlierAnswers: [],
  });
});

t.test('each comment has a reference in submission order: C-1, C-2, …, across versions; a retracted one keeps its reference', async (t) => {
  const view = await matrixAfter([...base, commented('k-1'), commented('k-2', MFA), draft(2), retracted('k-1'), commented('k-3', CSO, 2)]);
  t.strictSame(view.comments.map((c) => [c.commentId, c.ref]), [['k-1', 'C-1'], ['k-2', 'C-2'], ['k-3', 'C-3']]);
  const again = await matrixAfter([...base, commented('k-1'), commented('k-1'), commented('k-2')]);
  t.strictSame(again.comments.map((c) => [c.commentId, c.ref]), [['k-1', 'C-1'], ['k-2', 'C-2']], 'a duplicate CommentSubmitted takes no number');
});

t.test('given a revised answer, then the latest shows, with the earlier ones oldest first', async (t) => {
  const deputy = { role: 'coordinator', id: 'deputy-coordinator' } as const;
  const row = await rowAfter([
    ...base, commented('k-1'),
    answered('k-1', 'noted', 'Will be considered.'),
    { events: [answered('k-1', 'partially-accepted', 'Partly added.')], actor: deputy },
    answered('k-1', 'accepted', 'Added to section 1.'),
  ], 'k-1');
  sameFields(t, row, {
    status: 'answered', disposition: 'accepted', response: 'Added to section 1.', answeredAt: at(7), answeredBy: { role: 'coordinator', id: 'gender-office' },
    earlierAnswers: [
      { disposition: 'noted', response: 'Will be considered.', answeredAt: at(5), answeredBy: { role: 'coordinator', id: 'gender-office' } },
      { disposition: 'partially-accepted', response: 'Partly added.', answeredAt: at(6), answeredBy: deputy },
    ],
  });
  t.strictSame((await matrixAfter([...base, commented('k-1'), answered('k-1', 'noted', 'a'), answered('k-1', 'accepted', 'b')])).counts,
    { total: 1, answered: 1, awaitingAnswer: 0, retracted: 0 }, 'a revised answer counts once');
});

t.test('given CommentRetracted, then retracted with its reason, and not counted', async (t) => {
  const view = await matrixAfter([...base, commented('k-1'), commented('k-2'), retracted('k-1')]);
  sameFields(t, view.comments[0]!, { status: 'retracted', retraction: { reason: 'entered on the wrong stakeholder', retractedAt: at(6) } });
  t.strictSame(view.counts, { total: 1, answered: 0, awaitingAnswer: 1, retracted: 1 });
});

t.test('given an answered comment retracted, then it shows as retracted with its answer, and counts neither as answered nor at all', async (t) => {
  const view = await matrixAfter([...base, commented('k-1'), answered('k-1', 'rejected', 'Out of scope.'), retracted('k-1'), retracted('k-1', 'again')]);
  sameFields(t, view.comments[0]!, {
    status: 'retracted', disposition: 'rejected', response: 'Out of scope.', retraction: { reason: 'entered on the wrong stakeholder', retractedAt: at(6) },
  }, 'the first retraction stands');
  t.strictSame(view.counts, { total: 0, answered: 0, awaitingAnswer: 0, retracted: 1 });
});

t.test('given answers or retractions of unknown comments, or non-comment events, then no document changes but the head\'s revision', async (t) => {
  const events = recorded([...base, commented('k-1')]);
  const replayed = await replay(commentMatrix, events);
  const before = withoutRevisions(await replayed.documents());
  await replayed.apply(recorded([
    answered('k-unknown', 'noted', 'x'), retracted('k-unknown'), event('InvitationAccepted', { stakeholderId: CSO }),
    event('ReviewCompleted', { stakeholderId: CSO, draftVersion: 1 }), draft(1), cso, commented('k-1'),
  ], { firstRevision: events.length }));
  t.strictSame(withoutRevisions(await replayed.documents()), before);
});

/** The documents with the heads' lastRevision left out. */
function withoutRevisions(docs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(docs).map(([key, value]) => {
    const { order, doc } = value as { order: number; doc: Record<string, unknown> };
    const { lastRevision: _, ...rest } = doc;
    return [key, { order, doc: rest }];
  }));
}

t.test('a comment of a stakeholder this view does not know shows without organisation', async (t) => {
  sameFields(t, await rowAfter([opened, draft(1), commented('k-1', 'sh-ghost')], 'k-1'), { stakeholderId: 'sh-ghost', organisation: null });
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
  const view = await matrixAfter(filterHistory);
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
  const view = await matrixAfter(filterHistory);
  t.strictSame(view.counts, { total: 4, answered: 2, awaitingAnswer: 2, retracted: 1 });
  t.strictSame(filterMatrix(view, {}).counts, view.counts, 'no criterion: the view\'s own counts');
  t.strictSame(countComments(view.comments), view.counts, 'the incremental counts agree with counting afresh');
  t.strictSame(filterMatrix(view, { version: 1 }).counts, { total: 2, answered: 1, awaitingAnswer: 1, retracted: 1 });
  t.strictSame(filterMatrix(view, { stakeholderId: MFA }).counts, { total: 1, answered: 0, awaitingAnswer: 1, retracted: 1 });
  t.strictSame(countComments([]), { total: 0, answered: 0, awaitingAnswer: 0, retracted: 0 });
});

t.test('the served view holds the consultation id, the rows and the counts; the labels\' sources stay in the head', async (t) => {
  const view = await matrixAfter(filterHistory);
  t.strictSame(Object.keys(view).sort(), ['comments', 'consultationId', 'counts']);
  const replayed = await replay(commentMatrix, recorded(filterHistory));
  assertPlainJson(t, await replayed.documents(), 'documents');
});

t.test('a comment submitted before its stakeholder was invited is labelled with the organisation once known', async (t) => {
  // (labels are derived when read; before documents they were copied at submission and stayed null)
  sameFields(t, await rowAfter([opened, draft(1), commented('k-1', 'sh-late'), invited('sh-late', 'Late Network', 'x@late.example')], 'k-1'),
    { organisation: 'Late Network', sectionHeading: 'Heading s1' });
});

t.test('ids that are Object.prototype members are ordinary ids', async (t) => {
  const view = await matrixAfter([
    opened, event('DraftPublished', { version: 1, commentDeadline: '2027-04-01T14:00:00Z', sections: [{ key: 'constructor', heading: 'A section named constructor', text: '' }] }),
    invited('__proto__', 'Proto Network', 'p@proto.example'),
    commented('__proto__', '__proto__', 1, 'constructor'), commented('hasOwnProperty', 'toString', 1, '__proto__'),
    answered('__proto__', 'noted', 'x'), retracted('hasOwnProperty'),
  ]);
  t.strictSame(view.comments.map((c) => [c.commentId, c.sectionHeading, c.organisation, c.status]), [
    ['__proto__', 'A section named constructor', 'Proto Network', 'answered'],
    ['hasOwnProperty', null, null, 'retracted'],
  ]);
  t.strictSame(view.counts, { total: 1, answered: 1, awaitingAnswer: 0, retracted: 1 });
});

t.test('each consultation lists only its own comments', async (t) => {
  const OTHER = '0d5e8f3a-1c2b-4a6d-9e7f-8a9b0c1d2e40';
  const otherOpened = event('ConsultationOpened', { ...opened.data, consultationId: OTHER });
  const replayed = await replay(commentMatrix, [
    ...recorded([...base, commented('k-1'), commented('k-2')]),
    ...recorded([otherOpened, draft(1), cso, commented('k-1'), commented('k-9'), answered('k-1', 'accepted', 'Yes.')], { consultationId: OTHER }),
  ]);
  const mine = (await commentMatrix.read(replayed.reader, CONSULTATION_ID))!.view;
  const theirs = (await commentMatrix.read(replayed.reader, OTHER))!.view;
  t.strictSame(mine.comments.map((c) => [c.commentId, c.status]), [['k-1', 'awaiting-answer'], ['k-2', 'awaiting-answer']]);
  t.strictSame(theirs.comments.map((c) => [c.commentId, c.status]), [['k-1', 'answered'], ['k-9', 'awaiting-answer']]);
  t.equal(theirs.consultationId, OTHER);
  t.strictSame(mine.counts, { total: 2, answered: 0, awaitingAnswer: 2, retracted: 0 });
});

t.test('readComment reads one comment\'s row, as the matrix shows it, with the consultation\'s revision', async (t) => {
  const events = recorded(filterHistory);
  const replayed = await replay(commentMatrix, events);
  const slot = (await commentMatrix.read(replayed.reader, CONSULTATION_ID))!;
  for (const row of slot.view.comments) {
    t.strictSame(await readComment(replayed.reader, CONSULTATION_ID, row.commentId), { comment: row, lastRevision: events.length - 1, stale: false }, row.commentId);
  }
  t.strictSame(await readComment(replayed.reader, CONSULTATION_ID, 'k-unknown'), { comment: null, lastRevision: events.length - 1, stale: false }, 'no such comment');
  t.equal(await readComment(replayed.reader, '0d5e8f3a-1c2b-4a6d-9e7f-000000000000', 'a'), null, 'no such consultation');
});

// Documents: redeliveries and batches
const documentHistory: Command[] = [
  ...filterHistory,
  answered('a', 'partially-accepted', 'Partly.'),
  answered('b', 'rejected', 'No.'),
  retracted('b'),
  answered('b', 'noted', 'After the retraction.'),
  retracted('a', 'again'),
  commented('a'), // a duplicate id
  answered('k-unknown', 'noted', 'x'),
];

/** Every event, each followed by redeliveries of earlier ones (the previous one, and one from the first half). */
function withRedeliveries(events: readonly ProjectionEvent[]): ProjectionEvent[] {
  return events.flatMap((e, i) => (i === 0 ? [e] : [e, events[i - 1]!, events[Math.floor(i / 2)]!]));
}

t.test('replaying the same events twice, or with redeliveries in between, yields the same documents', async (t) => {
  const events = [...recorded(documentHistory), unknownEvent(documentHistory.length)];
  const once = await (await replay(commentMatrix, events)).documents();
  t.strictSame(await (await (await replay(commentMatrix, events)).apply(events)).documents(), once, 'all redelivered');
  t.strictSame(await (await replay(commentMatrix, withRedeliveries(events))).documents(), once, 'redeliveries in between');
  t.strictSame(await (await replay(commentMatrix, withRedeliveries(events), 7)).documents(), once, 'redeliveries within batches');
});

t.test('one event per batch or all in one batch: the same documents', async (t) => {
  const events = recorded(documentHistory);
  const one = await (await replay(commentMatrix, events, 1)).documents();
  t.strictSame(await (await replay(commentMatrix, events, 1000)).documents(), one);
  t.strictSame(await (await replay(commentMatrix, events, 3)).documents(), one);
});

// Cost: what one event reads and writes, with few comments and with many

const id = (n: number) => `k-${String(n).padStart(6, '0')}`;

/** A consultation with `n` comments (every third answered, every seventh retracted), committed as the runner would. */
async function consultationWith(n: number): Promise<{ replayed: Replayed; store: CountingViewStore; next: number }> {
  const commands: Command[] = [...base];
  for (let i = 1; i <= n; i++) commands.push(commented(id(i), i % 2 ? CSO : MFA, 1, i % 5 ? 's1' : null));
  for (let i = 3; i <= n; i += 3) commands.push(answered(id(i), 'noted', 'Noted.'));
  for (let i = 7; i <= n; i += 7) commands.push(retracted(id(i)));
  const store = new CountingViewStore();
  const replayed = await new Replayed(commentMatrix, store).apply(recorded(commands), 5000);
  return { replayed, store, next: commands.length };
}

/** What applying one more event reads from the store and would write ("head", or the comment's id). */
async function costOf(c: { store: CountingViewStore; next: number }, command: Command) {
  const [e] = recorded([command], { firstRevision: c.next });
  const base = projectionBase(commentMatrix);
  const docs = new DocBatch(c.store, base);
  c.store.gets = 0;
  c.store.lists = 0;
  await commentMatrix.apply(docs, e!);
  const changes = docs.changes();
  return {
    reads: c.store.gets,
    lists: c.store.lists,
    writes: changes.map((ch) => (ch.collection === base ? 'head' : `${ch.collection.slice(`${base}/`.length)} ${ch.key.slice(CONSULTATION_ID.length + 1)}`)),
    bytes: JSON.stringify(changes).length,
  };
}

t.test('an event reads and writes the same documents, and about the same bytes, with 2 comments as with 5,000', async (t) => {
  const small = await consultationWith(2);
  const large = await consultationWith(5_000);
  const cases: Array<[string, (n: number) => Command, (n: number) => string[]]> = [
    ['submitting the next comment', (n) => commented(id(n + 1)), (n) => ['head', `comments ${id(n + 1)}`]],
    ['answering the first comment', () => answered(id(1), 'accepted', 'Added.'), () => ['head', `comments ${id(1)}`]],
    ['retracting the first comment', () => retracted(id(1)), () => ['head', `comments ${id(1)}`]],
    ['an event about no comment', () => event('InvitationAccepted', { stakeholderId: CSO }), () => ['head']],
  ];
  for (const [what, command, writes] of cases) {
    const few = await costOf(small, command(2));
    const many = await costOf(large, command(5_000));
    // (in any order: a batch's changes are one transaction)
    t.strictSame([...few.writes].sort(), writes(2).sort(), `${what}: writes ${writes(2).join(', ')}`);
    t.strictSame([...many.writes].sort(), writes(5_000).sort(), `${what}, with 5,000 comments: the same documents`);
    t.equal(many.reads, few.reads, `${what}: as many document reads (${few.reads})`);
    t.strictSame([few.lists, many.lists], [0, 0], `${what}: no listing`);
    // only numbers differ: the counts and the sequence number have more digits
    t.ok(Math.abs(many.bytes - few.bytes) <= 32, `${what}: the same bytes within 32 (${few.bytes} vs ${many.bytes})`);
  }
});

// Paging: readMatrixPage
t.test('readMatrixPage: pages in submission order that concatenate to the matrix; the counts are the whole matrix\'s on every page', async (t) => {
  const events = recorded(filterHistory);
  const replayed = await replay(commentMatrix, events);
  const whole = (await commentMatrix.read(replayed.reader, CONSULTATION_ID))!.view;
  const pages: string[][] = [];
  let after: DocPlace | null = null;
  do {
    const page: Page<CommentRow> & { counts: unknown; lastRevision: number } = (await readMatrixPage(replayed.reader, CONSULTATION_ID, {}, { after, limit: 2 }))!;
    pages.push(ids(page.rows));
    t.strictSame(page.counts, whole.counts);
    t.equal(page.lastRevision, events.length - 1);
    t.strictSame(page.rows, whole.comments.filter((c) => ids(page.rows).includes(c.commentId)), 'rows as the matrix shows them');
    after = page.next;
  } while (after !== null);
  t.strictSame(pages, [['a', 'b'], ['c', 'd'], ['e']]);
  t.strictSame((await readMatrixPage(replayed.reader, CONSULTATION_ID, {}, { after: null, limit: 5 }))!.next, null, 'exactly one full page: no next');
  t.equal(await readMatrixPage(replayed.reader, '0d5e8f3a-1c2b-4a6d-9e7f-000000000000', {}, { after: null, limit: 5 }), null, 'no such consultation');
});

t.test('readMatrixPage with filters: pages of the matching comments only, next null exactly when no match follows, counts of all matches', async (t) => {
  const replayed = await replay(commentMatrix, recorded(filterHistory));
  const page1 = (await readMatrixPage(replayed.reader, CONSULTATION_ID, { sectionKey: 's1' }, { after: null, limit: 2 }))!;
  t.strictSame(ids(page1.rows), ['a', 'c']);
  t.strictSame(page1.counts, { total: 2, answered: 2, awaitingAnswer: 0, retracted: 1 }, 'a, c (retracted), d: all pages');
  const page2 = (await readMatrixPage(replayed.reader, CONSULTATION_ID, { sectionKey: 's1' }, { after: page1.next, limit: 2 }))!;
  t.strictSame([ids(page2.rows), page2.next], [['d'], null]);
  const answered1 = (await readMatrixPage(replayed.reader, CONSULTATION_ID, { status: 'answered' }, { after: null, limit: 1 }))!;
  t.strictSame(ids(answered1.rows), ['a']);
  const answered2 = (await readMatrixPage(replayed.reader, CONSULTATION_ID, { status: 'answered' }, { after: answered1.next, limit: 1 }))!;
  t.strictSame([ids(answered2.rows), answered2.next], [['d'], null], 'd is the last answered one: no next though e follows');
  const none = (await readMatrixPage(replayed.reader, CONSULTATION_ID, { stakeholderId: 'nobody' }, { after: null, limit: 10 }))!;
  t.strictSame([none.rows, none.next, none.counts], [[], null, { total: 0, answered: 0, awaitingAnswer: 0, retracted: 0 }]);
});

t.test('readMatrixPage without filters reads the page\'s documents only, however many comments there are', async (t) => {
  const { replayed, store } = await consultationWith(2_000);
  store.lists = 0;
  store.gets = 0;
  const page = (await readMatrixPage(replayed.reader, CONSULTATION_ID, {}, { after: { order: 1000, key: docKey(CONSULTATION_ID, id(1000)) }, limit: 3 }))!;
  t.strictSame(page.rows.map((c) => [c.commentId, c.ref]), [[id(1001), 'C-1001'], [id(1002), 'C-1002'], [id(1003), 'C-1003']]);
  t.strictSame(page.next, { order: 1003, key: docKey(CONSULTATION_ID, id(1003)) });
  t.strictSame([store.gets, store.lists], [1, 2], 'the head, then one listing of limit + 1 documents and one of the organisations (one per stakeholder)');
});

t.test('readMatrixPage over an older version\'s documents it cannot read: VIEWS_REBUILDING, not a row without its fields', async (t) => {
  const replayed = await replay(commentMatrix, recorded([...base, commented('k-1')]));
  const stale = docReader(replayed.store, projectionBase(commentMatrix), true);
  t.equal((await readMatrixPage(stale, CONSULTATION_ID, {}, { after: null, limit: 5 }))?.stale, true, 'documents it can read are served, marked stale');
  await replayed.store.commit('older', null, '1', [{
    collection: `${projectionBase(commentMatrix)}/comments`, key: docKey(CONSULTATION_ID, 'k-1'), order: 1, doc: { commentId: 'k-1', text: 'as version 2 kept it' },
  }]);
  await t.rejects(readMatrixPage(stale, CONSULTATION_ID, {}, { after: null, limit: 5 }), { code: 'VIEWS_REBUILDING' });
  await t.rejects(readMatrixPage(stale, CONSULTATION_ID, { version: 1 }, { after: null, limit: 5 }), { code: 'VIEWS_REBUILDING' });
  await t.rejects(commentMatrix.read(stale, CONSULTATION_ID), { code: 'VIEWS_REBUILDING' }, 'nor the whole matrix (the CSV)');
});

t.test('given StakeholderDetailsChanged with a new organisation, then its comments show the new name; other details change nothing', async (t) => {
  const history = [...base, commented('k-1', CSO, 1, 's1'), event('StakeholderDetailsChanged', { stakeholderId: CSO, organisation: "Women's Peace Network Romania" })];
  t.equal((await rowAfter(history, 'k-1')).organisation, "Women's Peace Network Romania");
  t.equal((await rowAfter([...history, commented('k-2', CSO, 1, 's2')], 'k-2')).organisation, "Women's Peace Network Romania", 'and its later comments');
  const kindOnly = [...base, commented('k-1', CSO, 1, 's1'), event('StakeholderDetailsChanged', { stakeholderId: CSO, kind: 'academia', endorser: true })];
  t.equal((await rowAfter(kindOnly, 'k-1')).organisation, CSO_ORG);
});
