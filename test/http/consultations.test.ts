// Consultation routes through app.inject(): open, list, summary, drafts, deadlines, close, events.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { DRAFT_BODY, OPEN_BODY, eventCount, inviteThroughApi, openConsultation, startApi, withoutLocalTimes } from '../helpers/http.ts';

t.test('POST /consultations opens one: 201 with id, revision and Location; GET shows it', async (t) => {
  const api = await startApi(t);
  const res = await api.call({ url: '/consultations', body: OPEN_BODY });
  t.equal(res.statusCode, 201);
  const { id, revision } = res.json() as { id: string; revision: number };
  t.equal(revision, 0);
  t.equal(res.headers.location, `/consultations/${id}`);
  t.equal(res.headers.etag, '"0"');
  const one = await api.call({ url: `/consultations/${id}` });
  t.equal(one.statusCode, 200, 'the view reflects the command when its response is sent');
  t.match(one.json(), { id, title: OPEN_BODY.title, status: 'open', currentDraftVersion: null });
  const list = await api.call({ url: '/consultations' });
  t.same((list.json() as { consultations: { id: string }[] }).consultations.map((c) => c.id), [id]);
});

t.test('drafts: publish numbered versions, read one, 404 for a version that does not exist', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const v2 = await api.call({ url: `/consultations/${id}/drafts`, body: { ...DRAFT_BODY, note: 'after the first round' } });
  t.equal(v2.statusCode, 201);
  t.match(v2.json(), { version: 2, revision: 2 });
  const read = await api.call({ url: `/consultations/${id}/drafts/1` });
  t.equal(read.statusCode, 200);
  t.match(read.json(), { version: 1, sections: DRAFT_BODY.sections, note: null });
  t.equal((await api.call({ url: `/consultations/${id}/drafts` })).json().drafts.length, 2);
  const missing = await api.call({ url: `/consultations/${id}/drafts/9` });
  t.equal(missing.statusCode, 404);
  t.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(missing.json(), { status: 404, code: 'DRAFT_NOT_FOUND' });
});

t.test('POST /deadlines: extends for everyone or one stakeholder; later only; errors as problems', async (t) => {
  const api = await startApi(t);
  const id = await openConsultation(api);
  const sid = await inviteThroughApi(api, id, { organisation: 'Peace Institute', kind: 'academia', contact: { name: 'A', email: 'a@pi.example' }, language: 'en' });
  const all = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-07-31T17:00:00+03:00', reason: 'Summer holidays' } });
  t.equal(all.statusCode, 200);
  t.strictSame(all.json(), { revision: 3 });
  t.equal((await api.call({ url: `/consultations/${id}` })).json().commentDeadline, '2099-07-31T17:00:00+03:00');
  const own = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-08-31T17:00:00Z', reason: 'Late board meeting', stakeholderId: sid } });
  t.equal(own.statusCode, 200);
  t.equal((await api.call({ url: `/consultations/${id}` })).json().commentDeadline, '2099-07-31T17:00:00+03:00', 'one stakeholder\'s extension leaves everyone else\'s');
  const earlier = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-07-01T00:00:00Z', reason: 'x' } });
  t.equal(earlier.statusCode, 422);
  t.equal(earlier.json().code, 'DEADLINE_NOT_LATER');
  const noRequest = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'endorsement', deadline: '2099-09-01T00:00:00Z', reason: 'x' } });
  t.equal(noRequest.statusCode, 409);
  t.equal(noRequest.json().code, 'NO_ENDORSEMENT_REQUEST');
  const bad = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'review', deadline: 'tomorrow' } });
  t.equal(bad.statusCode, 400);
  t.strictSame(bad.json().errors.map((e: { path: string }) => e.path).sort(), ['body.deadline', 'body.phase', 'body.reason']);
  t.equal((await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' }, as: 'auditor' })).statusCode, 403);
  t.equal((await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' }, as: null })).statusCode, 401);
  t.equal((await api.call({ url: `/consultations/${randomUUID()}/deadlines`, body: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' } })).statusCode, 404);
  t.equal((await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2100-01-01T00:00:00Z', reason: 'x' }, headers: { 'if-match': '"1"' } })).statusCode, 412);
  t.equal(await eventCount(api, id), 5, 'nothing appended by the refused requests');
});

t.test('POST /close: withdrawn closes; adopted can be blocked; then nothing changes it; list filters by status', async (t) => {
  const api = await startApi(t);
  const a = await openConsultation(api);
  const b = await openConsultation(api);
  await inviteThroughApi(api, b, { organisation: 'Ministry of Justice', kind: 'ministry', contact: { name: 'J', email: 'j@justice.example' }, language: 'en', endorser: true });
  const blocked = await api.call({ url: `/consultations/${b}/close`, body: { outcome: 'adopted', finalDraftVersion: 1 } });
  t.equal(blocked.statusCode, 409);
  t.equal(blocked.json().code, 'ADOPTION_BLOCKED');
  t.strictSame(blocked.json().details.reasons.map((r: { code: string }) => r.code), ['ENDORSEMENTS_MISSING', 'COMMENT_PERIOD_OPEN']);
  const noVersion = await api.call({ url: `/consultations/${b}/close`, body: { outcome: 'adopted' } });
  t.equal(noVersion.statusCode, 400);
  t.strictSame(noVersion.json().errors.map((e: { path: string }) => e.path), ['body.finalDraftVersion']);
  t.equal((await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn' }, as: 'auditor' })).statusCode, 403);
  t.equal((await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn' }, as: null })).statusCode, 401);
  t.equal((await api.call({ url: `/consultations/${randomUUID()}/close`, body: { outcome: 'withdrawn' } })).statusCode, 404);
  t.equal((await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn' }, headers: { 'if-match': '"0"' } })).statusCode, 412);
  const headers = { 'idempotency-key': 'withdraw-a' };
  const closed = await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn', note: 'Merged into the national strategy' }, headers });
  t.equal(closed.statusCode, 200);
  t.strictSame((await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn', note: 'Merged into the national strategy' }, headers })).json(), closed.json(), 'a retry gets the first result');
  const again = await api.call({ url: `/consultations/${a}/close`, body: { outcome: 'withdrawn' } });
  t.equal(again.statusCode, 409);
  t.equal(again.json().code, 'CONSULTATION_CLOSED');
  const list = (status: string) => api.call({ url: `/consultations?status=${status}` }).then((r) => (r.json() as { consultations: { id: string }[] }).consultations.map((c) => c.id));
  t.strictSame(await list('closed'), [a]);
  t.strictSame(await list('open'), [b]);
  t.equal((await api.call({ url: '/consultations?status=archived' })).statusCode, 400);
});

t.test('GET /consultations lists them in the order they were opened (not by id), each with its counts', async (t) => {
  const api = await startApi(t);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push(await openConsultation(api));
  await inviteThroughApi(api, ids[3]!, { organisation: 'Peace Institute', kind: 'academia', contact: { name: 'A', email: 'a@pi.example' }, language: 'en', endorser: true });
  const list = (await api.call({ url: '/consultations' })).json() as { consultations: { id: string; currentDraftVersion: number; counts: { invited: number; endorsementsRequired: number } }[] };
  t.strictSame(list.consultations.map((c) => c.id), ids);
  t.strictSame(list.consultations.map((c) => [c.currentDraftVersion, c.counts.invited, c.counts.endorsementsRequired]), [[1, 0, 0], [1, 0, 0], [1, 0, 0], [1, 1, 1], [1, 0, 0]]);
  const one = (await api.call({ url: `/consultations/${ids[3]}` })).json();
  t.strictSame(one, list.consultations[3], 'the summary is the list\'s entry');
  t.equal((await api.call({ url: `/consultations/${randomUUID()}` })).statusCode, 404);
});

t.test('POST /close as adopted: one 409 ADOPTION_BLOCKED listing every reason; the list and the sign-off view say the same; answered, endorsed and past the deadline, adopted', async (t) => {
  let now = new Date('2027-02-01T09:00:00.000Z');
  const api = await startApi(t, { clock: () => now });
  const setTime = (iso: string) => { now = new Date(iso); };
  const id = await openConsultation(api); // DRAFT_BODY: comments until 2099-06-30T17:00:00+03:00
  const close = () => api.call({ url: `/consultations/${id}/close`, body: { outcome: 'adopted', finalDraftVersion: 1 } });
  const readiness = async () => {
    const summary = (await api.call({ url: `/consultations/${id}` })).json();
    const signOff = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json());
    return { summary: [summary.readyForAdoption, summary.adoptionBlockedBy], signOff: [signOff.readyForAdoption, signOff.adoptionBlockedBy] };
  };

  const alone = await close();
  t.equal(alone.statusCode, 409);
  t.strictSame(alone.json().details, { draftVersion: 1, reasons: [
    { code: 'COMMENT_PERIOD_OPEN', commentDeadline: DRAFT_BODY.commentDeadline, openFor: [], closesAt: DRAFT_BODY.commentDeadline },
    { code: 'NO_ENDORSERS' },
  ] }, 'no endorser at all');

  const mfa = await inviteThroughApi(api, id, { organisation: 'Ministry of Foreign Affairs', kind: 'ministry', contact: { name: 'I', email: 'i@mfa.example' }, language: 'en', endorser: true });
  const police = await inviteThroughApi(api, id, { organisation: 'National Police', kind: 'ministry', contact: { name: 'P', email: 'p@police.example' }, language: 'en', endorser: true });
  const cso = await inviteThroughApi(api, id, { organisation: 'Women Mediators Network', kind: 'civil-society', contact: { name: 'A', email: 'a@wmn.example' }, language: 'en' });
  const comment = async (text: string) => (await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: cso, draftVersion: 1, text } })).json().commentId as string;
  const c1 = await comment('Name a target for women in mediation teams.');
  const c2 = await comment('Add a monitoring framework.');
  const c3 = await comment('Entered twice.');
  t.equal((await api.call({ url: `/consultations/${id}/comments/${c3}/retract`, body: { reason: 'a duplicate' } })).statusCode, 200);
  t.equal((await api.call({ url: `/consultations/${id}/comments/${c2}/answer`, body: { disposition: 'accepted', response: 'Annex B.' } })).statusCode, 200);
  t.equal((await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2099-09-30T17:00:00Z' } })).statusCode, 201);
  t.equal((await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: police, draftVersion: 1, decision: 'withhold', reason: 'Budget not agreed.' } })).statusCode, 200);
  t.equal((await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'comments', deadline: '2099-07-15T17:00:00Z', reason: 'Board meets late', stakeholderId: cso } })).statusCode, 200);

  const before = await eventCount(api, id);
  const blocked = await close();
  t.equal(blocked.statusCode, 409);
  t.equal(blocked.headers['content-type'], 'application/problem+json; charset=utf-8');
  const reasons = [
    { code: 'COMMENTS_UNANSWERED', count: 1, comments: [{ commentId: c1, ref: 'C-1' }] },
    {
      code: 'ENDORSEMENTS_MISSING',
      pending: [{ stakeholderId: mfa, organisation: 'Ministry of Foreign Affairs', invitationDeclined: false }],
      withheld: [{ stakeholderId: police, organisation: 'National Police', reason: 'Budget not agreed.' }],
    },
    {
      code: 'COMMENT_PERIOD_OPEN', commentDeadline: DRAFT_BODY.commentDeadline,
      openFor: [{ stakeholderId: cso, organisation: 'Women Mediators Network', deadline: '2099-07-15T17:00:00Z' }], closesAt: '2099-07-15T17:00:00Z',
    },
  ];
  t.match(blocked.json(), { status: 409, code: 'ADOPTION_BLOCKED', title: /^draft version 1 cannot be adopted yet: 1 comment without an answer \(C-1\); not yet endorsed by Ministry of Foreign Affairs; endorsement withheld by National Police; the comment period is open until 2099-07-15T17:00:00Z$/ });
  t.strictSame(blocked.json().details, { draftVersion: 1, reasons }, 'every reason at once');
  t.equal(await eventCount(api, id), before, 'nothing appended');
  t.strictSame(await readiness(), {
    summary: [false, ['COMMENTS_UNANSWERED', 'ENDORSEMENTS_MISSING', 'COMMENT_PERIOD_OPEN']],
    signOff: [false, reasons],
  }, 'the list and the sign-off view say what closing says');

  t.equal((await api.call({ url: `/consultations/${id}/comments/${c1}/answer`, body: { disposition: 'partially-accepted', response: 'A target is added.' } })).statusCode, 200);
  for (const [stakeholderId, name] of [[mfa, 'Ioana Marin'], [police, 'Chief Commissioner']] as const) {
    t.equal((await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId, draftVersion: 1, decision: 'endorse', signatory: { name, title: 'Head' } } })).statusCode, 200);
  }
  t.strictSame((await close()).json().details.reasons.map((r: { code: string }) => r.code), ['COMMENT_PERIOD_OPEN'], 'stakeholders keep the time they were given');
  setTime('2099-07-01T00:00:00.000Z');
  t.strictSame((await close()).json().details.reasons, [{
    code: 'COMMENT_PERIOD_OPEN', commentDeadline: DRAFT_BODY.commentDeadline,
    openFor: [{ stakeholderId: cso, organisation: 'Women Mediators Network', deadline: '2099-07-15T17:00:00Z' }], closesAt: '2099-07-15T17:00:00Z',
  }], 'past everyone\'s deadline, within the CSO\'s own');
  setTime('2099-07-16T00:00:00.000Z');
  t.strictSame(await readiness(), { summary: [true, []], signOff: [true, []] });
  const adopted = await close();
  t.equal(adopted.statusCode, 200);
  t.match((await api.call({ url: `/consultations/${id}` })).json(), { status: 'closed', outcome: 'adopted', finalDraftVersion: 1 });
});
