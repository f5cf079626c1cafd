// Endorsement routes through app.inject(): request and cancel an endorsement, endorse or withhold
// on an endorser's behalf (a later decision replaces an earlier one), the sign-off view per
// version (older endorsements superseded by a new draft), and every error status they document.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { DRAFT_BODY, OPEN_BODY, openConsultation, startApi, eventCount, inviteThroughApi, withoutLocalTimes } from '../helpers/http.ts';

type Api = Awaited<ReturnType<typeof startApi>>;

const T0 = '2027-02-01T09:00:00.000Z';
const DEADLINE = '2027-03-31T17:00:00+03:00';

interface Invitee { organisation: string; kind: string; contacts: { name: string; email: string }[]; language: string; endorser: boolean }

const MFA: Invitee = { organisation: 'Ministry of Foreign Affairs', kind: 'ministry', contacts: [{ name: 'Ioana Marin', email: 'ioana.marin@mae.example' }], language: 'ro', endorser: true };
const JUSTICE: Invitee = { organisation: 'Ministry of Justice and Security', kind: 'ministry', contacts: [{ name: 'Pieter de Vries', email: 'p.devries@justice.example' }], language: 'en', endorser: true };
const WMN: Invitee = { organisation: 'Women Mediators Network', kind: 'civil-society', contacts: [{ name: 'Amina Yusuf', email: 'amina@wmn.example' }], language: 'en', endorser: false };

const MFA_SIGNATORY = { name: 'Ioana Marin', title: 'State Secretary' };
const JUSTICE_SIGNATORY = { name: 'Pieter de Vries', title: 'Director-General' };

const invite = (api: Api, id: string, body: Invitee) => inviteThroughApi(api, id, body);

/** Draft 1 published, two endorsing ministries and one CSO invited (revision 4); a clock the test moves. */
async function setUp(t: Parameters<typeof startApi>[0]) {
  let now = new Date(T0);
  const api = await startApi(t, { clock: () => now });
  const id = await openConsultation(api);
  const mfa = await invite(api, id, MFA);
  const justice = await invite(api, id, JUSTICE);
  const wmn = await invite(api, id, WMN);
  return { api, id, mfa, justice, wmn, setTime: (iso: string) => { now = new Date(iso); } };
}

async function ok(api: Api, call: Parameters<Api['call']>[0], status = 200) {
  const res = await api.call(call);
  if (res.statusCode !== status) throw new Error(`${call.method ?? 'POST'} ${call.url} → ${res.statusCode}: ${res.body}`);
  return res.json();
}

/** who the coordinator's token names: the actor of what it records */
const COORDINATOR = { role: 'coordinator', id: 'Gender Office coordinator' };
const invitedBy = (at = T0) => [{ endorser: true, changedAt: at, cause: 'invited', actor: COORDINATOR }];
const pending = (stakeholderId: string, organisation: string, deadline: string | null = DEADLINE) =>
  ({ stakeholderId, organisation, required: true, invitationDeclined: false, deadline, removal: null, history: [], endorserHistory: invitedBy(), status: 'pending' });
const missing = (...pendingOnes: [string, string][]) => ({
  code: 'ENDORSEMENTS_MISSING', pending: pendingOnes.map(([stakeholderId, organisation]) => ({ stakeholderId, organisation, invitationDeclined: false })), withheld: [],
});
/** DRAFT_BODY's comment deadline: the period is open at the tests' times */
const COMMENT_PERIOD_OPEN = { code: 'COMMENT_PERIOD_OPEN', commentDeadline: DRAFT_BODY.commentDeadline, openFor: [], closesAt: DRAFT_BODY.commentDeadline };

t.test('POST /endorsement-requests asks for version 1: 201 with revision and Location; the sign-off shows the open request', async (t) => {
  const { api, id, mfa, justice } = await setUp(t);
  const res = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } });
  t.equal(res.statusCode, 201);
  t.strictSame(res.json(), { revision: 5 });
  t.equal(res.headers.location, `/consultations/${id}/sign-off?version=1`);
  t.equal(res.headers.etag, '"5"');
  const same = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } });
  t.strictSame(same.json(), { revision: 5 }, 'the same request again is a no-op');

  const signOff = await api.call({ url: `/consultations/${id}/sign-off`, as: 'auditor' });
  t.equal(signOff.statusCode, 200);
  t.equal(signOff.headers.etag, 'W/"1-5"');
  t.strictSame(withoutLocalTimes(signOff.json()), {
    consultationId: id, status: 'open', outcome: null, finalDraftVersion: null, latestVersion: 1,
    draftVersion: 1, publishedAt: T0, isLatest: true, commentDeadline: DRAFT_BODY.commentDeadline,
    request: { status: 'open', requestedAt: T0, deadline: DEADLINE },
    endorsementDeadline: DEADLINE,
    endorsers: [pending(mfa, MFA.organisation), pending(justice, JUSTICE.organisation)],
    counts: { required: 2, endorsed: 0, withheld: 0, pending: 2 },
    readyForAdoption: false,
    adoptionBlockedBy: [missing([mfa, MFA.organisation], [justice, JUSTICE.organisation]), COMMENT_PERIOD_OPEN],
    adopted: false, superseded: [],
  });
  t.strictSame((await api.call({ url: `/consultations/${id}/sign-off?version=1` })).json(), signOff.json());
  const cached = await api.call({ url: `/consultations/${id}/sign-off`, headers: { 'if-none-match': 'W/"1-5"' } });
  t.equal(cached.statusCode, 304);
});

t.test('POST /endorsements: endorse and withhold on an endorser\'s behalf; withholding then endorsing replaces the decision', async (t) => {
  const { api, id, mfa, justice, setTime } = await setUp(t);
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  setTime('2027-02-10T10:00:00.000Z');
  const endorsed = await api.call({
    url: `/consultations/${id}/endorsements`,
    body: { stakeholderId: mfa, draftVersion: 1, decision: 'endorse', signatory: MFA_SIGNATORY, statement: 'Endorsed on behalf of the Ministry.', evidence: 'letter MAE-2027-7' },
  });
  t.equal(endorsed.statusCode, 200);
  t.strictSame(endorsed.json(), { revision: 6 });
  setTime('2027-02-11T10:00:00.000Z');
  const withheld = await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 1, decision: 'withhold', reason: 'Awaiting legal review of section 2.' } });
  t.strictSame(withheld.json(), { revision: 7 });
  const midway = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json());
  const withholding = { status: 'withheld', reason: 'Awaiting legal review of section 2.', withheldAt: '2027-02-11T10:00:00.000Z', actor: COORDINATOR, contactId: null };
  t.strictSame(midway.endorsers[1], {
    stakeholderId: justice, organisation: JUSTICE.organisation, required: true, invitationDeclined: false, deadline: DEADLINE, removal: null,
    history: [withholding], endorserHistory: invitedBy(), ...withholding,
  });
  t.strictSame(midway.counts, { required: 2, endorsed: 1, withheld: 1, pending: 0 });
  t.equal(midway.readyForAdoption, false);
  t.strictSame(midway.adoptionBlockedBy[0], {
    code: 'ENDORSEMENTS_MISSING', pending: [], withheld: [{ stakeholderId: justice, organisation: JUSTICE.organisation, reason: 'Awaiting legal review of section 2.' }],
  });

  setTime('2027-02-12T10:00:00.000Z');
  const replaced = await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 1, decision: 'endorse', signatory: JUSTICE_SIGNATORY } });
  t.strictSame(replaced.json(), { revision: 8 });
  const again = await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 1, decision: 'endorse', signatory: JUSTICE_SIGNATORY } });
  t.strictSame(again.json(), { revision: 8 }, 'endorsing twice is a no-op');
  t.equal(await eventCount(api, id), 9);

  const signOff = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json());
  const mfaEndorsement = {
    status: 'endorsed', signatory: MFA_SIGNATORY, statement: 'Endorsed on behalf of the Ministry.', evidence: 'letter MAE-2027-7',
    endorsedAt: '2027-02-10T10:00:00.000Z', actor: COORDINATOR, contactId: null,
  };
  const justiceEndorsement = { status: 'endorsed', signatory: JUSTICE_SIGNATORY, statement: null, evidence: null, endorsedAt: '2027-02-12T10:00:00.000Z', actor: COORDINATOR, contactId: null };
  t.strictSame(signOff.endorsers, [
    {
      stakeholderId: mfa, organisation: MFA.organisation, required: true, invitationDeclined: false, deadline: DEADLINE, removal: null,
      history: [mfaEndorsement], endorserHistory: invitedBy(), ...mfaEndorsement,
    },
    {
      stakeholderId: justice, organisation: JUSTICE.organisation, required: true, invitationDeclined: false, deadline: DEADLINE, removal: null,
      history: [withholding, justiceEndorsement], endorserHistory: invitedBy(), ...justiceEndorsement,
    },
  ], 'withheld → endorsed: both decisions, who signed and when');
  t.strictSame(signOff.counts, { required: 2, endorsed: 2, withheld: 0, pending: 0 });
  t.equal(signOff.readyForAdoption, false, 'every endorser endorsed, but the comment period is open');
  t.strictSame(signOff.adoptionBlockedBy, [COMMENT_PERIOD_OPEN]);
  setTime('2099-07-01T00:00:00.000Z');
  const later = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json());
  t.equal(later.readyForAdoption, true, 'read once the comment period is over, at the time of the request');
  t.strictSame(later.adoptionBlockedBy, []);

  setTime('2027-02-13T10:00:00.000Z');
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: mfa, draftVersion: 1, decision: 'withhold', reason: 'The Minister asked to review it again.' } });
  setTime('2099-07-01T00:00:00.000Z');
  const after = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json());
  t.equal(after.endorsers[0].status, 'withheld', 'withholding after endorsing replaces the endorsement');
  t.strictSame(after.counts, { required: 2, endorsed: 1, withheld: 1, pending: 0 });
  t.equal(after.readyForAdoption, false);
});

t.test('a new draft supersedes the endorsements of the old one: listed on the new version, not counted', async (t) => {
  const { api, id, mfa, justice, setTime } = await setUp(t);
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  setTime('2027-02-10T10:00:00.000Z');
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: mfa, draftVersion: 1, decision: 'endorse', signatory: MFA_SIGNATORY } });
  setTime('2027-02-20T10:00:00.000Z');
  await ok(api, { url: `/consultations/${id}/drafts`, body: { ...DRAFT_BODY, note: 'after the ministries\' review' } }, 201);

  const latest = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json());
  t.strictSame(latest, {
    consultationId: id, status: 'open', outcome: null, finalDraftVersion: null, latestVersion: 2,
    draftVersion: 2, publishedAt: '2027-02-20T10:00:00.000Z', isLatest: true, commentDeadline: DRAFT_BODY.commentDeadline,
    request: { status: 'not-requested' },
    endorsementDeadline: null,
    endorsers: [pending(mfa, MFA.organisation, null), pending(justice, JUSTICE.organisation, null)],
    counts: { required: 2, endorsed: 0, withheld: 0, pending: 2 },
    readyForAdoption: false,
    adoptionBlockedBy: [missing([mfa, MFA.organisation], [justice, JUSTICE.organisation]), COMMENT_PERIOD_OPEN],
    adopted: false,
    superseded: [{ stakeholderId: mfa, organisation: MFA.organisation, draftVersion: 1, signatory: MFA_SIGNATORY, endorsedAt: '2027-02-10T10:00:00.000Z' }],
  });
  const v1 = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off?version=1` })).json());
  t.equal(v1.isLatest, false);
  t.strictSame(v1.request, { status: 'cancelled', requestedAt: T0, deadline: DEADLINE, cancelledAt: '2027-02-20T10:00:00.000Z', reason: 'superseded' });
  t.equal(v1.endorsers[0].status, 'endorsed', 'the old version keeps its history');
  t.equal(v1.readyForAdoption, false, 'an old version cannot be adopted');

  const onOld = await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 1, decision: 'endorse', signatory: JUSTICE_SIGNATORY } });
  t.equal(onOld.statusCode, 409);
  t.equal(onOld.json().code, 'NO_ENDORSEMENT_REQUEST');
  const requestOld = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } });
  t.equal(requestOld.statusCode, 409);
  t.equal(requestOld.json().code, 'DRAFT_NOT_LATEST');
});

t.test('DELETE /endorsement-requests/:version cancels with a reason from the body, the query or the default; nothing to cancel is 200', async (t) => {
  const { api, id, setTime } = await setUp(t);
  const request = () => ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  const requestState = async () => withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json().request);
  await request();
  setTime('2027-02-02T09:00:00.000Z');
  const byBody = await api.call({ method: 'DELETE', url: `/consultations/${id}/endorsement-requests/1?reason=ignored`, body: { reason: 'The draft goes back to the working group.' } });
  t.equal(byBody.statusCode, 200);
  t.strictSame(byBody.json(), { revision: 6 });
  t.strictSame(await requestState(), { status: 'cancelled', requestedAt: T0, deadline: DEADLINE, cancelledAt: '2027-02-02T09:00:00.000Z', reason: 'The draft goes back to the working group.' });

  await request();
  const byQuery = await api.call({ method: 'DELETE', url: `/consultations/${id}/endorsement-requests/1?reason=${encodeURIComponent('Wrong deadline')}` });
  t.strictSame(byQuery.json(), { revision: 8 });
  t.equal((await requestState()).reason, 'Wrong deadline');

  await request();
  const bare = await api.call({ method: 'DELETE', url: `/consultations/${id}/endorsement-requests/1` });
  t.equal(bare.statusCode, 200);
  t.equal((await requestState()).reason, 'cancelled by the coordinator');

  const nothing = await api.call({ method: 'DELETE', url: `/consultations/${id}/endorsement-requests/1` });
  t.equal(nothing.statusCode, 200, 'none open: nothing to do');
  t.strictSame(nothing.json(), { revision: 10 });
  t.equal(await eventCount(api, id), 11);

  const unknown = await api.call({ method: 'DELETE', url: `/consultations/${id}/endorsement-requests/9` });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'DRAFT_NOT_FOUND');
  const badVersion = await api.call({ method: 'DELETE', url: `/consultations/${id}/endorsement-requests/first` });
  t.equal(badVersion.statusCode, 400);
  t.strictSame(badVersion.json().errors.map((e: { path: string }) => e.path), ['params.version']);
  const blank = await api.call({ method: 'DELETE', url: `/consultations/${id}/endorsement-requests/1`, body: { reason: '  ' } });
  t.equal(blank.statusCode, 400);
  t.strictSame(blank.json().errors.map((e: { path: string }) => e.path), ['body.reason']);
  const blankQuery = await api.call({ method: 'DELETE', url: `/consultations/${id}/endorsement-requests/1?reason=` });
  t.equal(blankQuery.statusCode, 400);
  t.strictSame(blankQuery.json().errors.map((e: { path: string }) => e.path), ['querystring.reason']);
});

t.test('bad input is 400 naming the field; no token 401; auditors 403; nothing appended', async (t) => {
  const { api, id, mfa } = await setUp(t);
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  const before = await eventCount(api, id);
  const paths = async (url: string, body: unknown) => {
    const res = await api.call({ url, body });
    t.equal(res.statusCode, 400, JSON.stringify(body));
    t.equal(res.json().code, 'INVALID_INPUT');
    return (res.json().errors as { path: string }[]).map((e) => e.path).sort();
  };
  const endorsements = `/consultations/${id}/endorsements`;
  t.strictSame(await paths(endorsements, { stakeholderId: mfa, draftVersion: 1, decision: 'maybe' }), ['body.decision']);
  t.strictSame(await paths(endorsements, { stakeholderId: mfa, draftVersion: 1 }), ['body.decision']);
  t.strictSame(await paths(endorsements, { stakeholderId: mfa, draftVersion: 1, decision: 'endorse' }), ['body.signatory']);
  t.strictSame(await paths(endorsements, { stakeholderId: mfa, draftVersion: 1, decision: 'endorse', signatory: { name: '', title: '' } }), ['body.signatory.name', 'body.signatory.title']);
  t.strictSame(await paths(endorsements, { stakeholderId: mfa, draftVersion: 1, decision: 'withhold', signatory: MFA_SIGNATORY }), ['body.reason', 'body.signatory'], 'a withholding has no signatory: an unknown field');
  t.strictSame(await paths(endorsements, { draftVersion: 0, decision: 'withhold', reason: 'x' }), ['body.draftVersion', 'body.stakeholderId']);
  t.strictSame(await paths(`/consultations/${id}/endorsement-requests`, { draftVersion: 'one', deadline: '2027-03-31 17:00' }), ['body.deadline', 'body.draftVersion']);
  t.strictSame(await paths(`/consultations/${id}/endorsement-requests`, { draftVersion: 1, deadline: '2027-03-31T17:00:00' }), ['body.deadline'], 'a time without an offset');
  const badVersion = await api.call({ url: `/consultations/${id}/sign-off?version=latest` });
  t.equal(badVersion.statusCode, 400);
  t.strictSame(badVersion.json().errors.map((e: { path: string }) => e.path), ['querystring.version']);

  const writes = [
    { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } },
    { method: 'DELETE' as const, url: `/consultations/${id}/endorsement-requests/1` },
    { url: endorsements, body: { stakeholderId: mfa, draftVersion: 1, decision: 'endorse', signatory: MFA_SIGNATORY } },
  ];
  for (const call of writes) {
    const anonymous = await api.call({ ...call, as: null });
    t.equal(anonymous.statusCode, 401, call.url);
    t.equal(anonymous.json().code, 'UNAUTHENTICATED');
    const auditor = await api.call({ ...call, as: 'auditor' });
    t.equal(auditor.statusCode, 403, call.url);
    t.equal(auditor.json().code, 'FORBIDDEN');
  }
  t.equal((await api.call({ url: `/consultations/${id}/sign-off`, as: null })).statusCode, 401);
  t.equal((await api.call({ url: `/consultations/${id}/sign-off`, as: 'auditor' })).statusCode, 200);
  t.equal(await eventCount(api, id), before, 'nothing appended');
});

t.test('404 for an unknown consultation, stakeholder or draft version', async (t) => {
  const { api, id, setTime } = await setUp(t);
  const unknown = randomUUID();
  for (const res of [
    await api.call({ url: `/consultations/${unknown}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }),
    await api.call({ method: 'DELETE', url: `/consultations/${unknown}/endorsement-requests/1` }),
    await api.call({ url: `/consultations/${unknown}/endorsements`, body: { stakeholderId: randomUUID(), draftVersion: 1, decision: 'withhold', reason: 'x' } }),
    await api.call({ url: `/consultations/${unknown}/sign-off` }),
  ]) {
    t.equal(res.statusCode, 404);
    t.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    t.equal(res.json().code, 'CONSULTATION_NOT_FOUND');
  }
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  const stakeholder = await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: randomUUID(), draftVersion: 1, decision: 'withhold', reason: 'x' } });
  t.equal(stakeholder.statusCode, 404);
  t.equal(stakeholder.json().code, 'STAKEHOLDER_NOT_FOUND');
  const version = await api.call({ url: `/consultations/${id}/sign-off?version=9` });
  t.equal(version.statusCode, 404);
  t.strictSame(version.json(), { type: 'urn:wps-consult:problem:draft-not-found', status: 404, code: 'DRAFT_NOT_FOUND', title: 'no draft version 9', instance: `/consultations/${id}/sign-off` }, 'the instance is the path: a query string may hold a token');
  const requestMissing = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 9, deadline: DEADLINE } });
  t.equal(requestMissing.statusCode, 404);
  t.equal(requestMissing.json().code, 'DRAFT_NOT_FOUND');

  setTime(T0);
  const bare = await ok(api, { url: '/consultations', body: OPEN_BODY }, 201);
  const noDraft = await api.call({ url: `/consultations/${bare.id}/sign-off` });
  t.equal(noDraft.statusCode, 404);
  t.equal(noDraft.json().code, 'DRAFT_NOT_FOUND');
  t.equal(noDraft.json().title, 'no draft has been published yet');
});

t.test('domain rules: 409 without a request, for a non-endorser, with a request open, after the deadline; 422 for a past deadline', async (t) => {
  const { api, id, mfa, justice, wmn, setTime } = await setUp(t);
  const endorse = (stakeholderId: string) =>
    api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId, draftVersion: 1, decision: 'endorse', signatory: MFA_SIGNATORY } });
  const before = await eventCount(api, id);
  const noRequest = await endorse(mfa);
  t.equal(noRequest.statusCode, 409);
  t.equal(noRequest.json().code, 'NO_ENDORSEMENT_REQUEST');
  const past = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2027-01-31T09:00:00Z' } });
  t.equal(past.statusCode, 422);
  t.equal(past.json().code, 'DEADLINE_IN_PAST');
  t.equal(await eventCount(api, id), before, 'nothing appended');

  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  const notEndorser = await endorse(wmn);
  t.equal(notEndorser.statusCode, 409);
  t.equal(notEndorser.json().code, 'NOT_AN_ENDORSER');
  const extension = await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'endorsement', deadline: '2027-04-30T17:00:00+03:00', reason: 'Board meets late', stakeholderId: wmn } });
  t.equal(extension.statusCode, 409, 'no endorsement deadline to extend for a stakeholder that does not endorse');
  t.equal(extension.json().code, 'NOT_AN_ENDORSER');
  t.equal((await api.call({ url: `/consultations/${id}/deadlines`, body: { phase: 'endorsement', deadline: '2027-04-30T17:00:00+03:00', reason: 'Minister abroad', stakeholderId: justice } })).statusCode, 200);
  const open = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: '2027-04-30T17:00:00+03:00' } });
  t.equal(open.statusCode, 409);
  t.equal(open.json().code, 'ENDORSEMENT_REQUEST_OPEN');
  t.strictSame(open.json().details, { draftVersion: 1 });
  const otherVersion = await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: mfa, draftVersion: 2, decision: 'withhold', reason: 'x' } });
  t.equal(otherVersion.statusCode, 409);
  t.equal(otherVersion.json().code, 'NO_ENDORSEMENT_REQUEST');

  setTime('2027-04-01T00:00:00.000Z');
  const late = await endorse(mfa);
  t.equal(late.statusCode, 409);
  t.equal(late.json().code, 'ENDORSEMENT_DEADLINE_PASSED');
  t.strictSame(late.json().details, { deadline: DEADLINE });
  t.equal(await eventCount(api, id), before + 2, 'only the request and the endorser\'s extension were appended');
});

t.test('endorsing again with another signatory, title, statement or evidence is a new decision that replaces the earlier one; the same again is a no-op', async (t) => {
  const { api, id, mfa, setTime } = await setUp(t);
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  const endorse = (body: Record<string, unknown>) =>
    ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: mfa, draftVersion: 1, decision: 'endorse', signatory: MFA_SIGNATORY, ...body } });
  setTime('2027-02-10T10:00:00.000Z');
  t.strictSame(await endorse({}), { revision: 6 });
  t.strictSame(await endorse({}), { revision: 6 }, 'the same endorsement: nothing appended');
  setTime('2027-02-11T10:00:00.000Z');
  const minister = { name: 'Radu Ionescu', title: 'Minister of Foreign Affairs' };
  t.strictSame(await endorse({ signatory: minister }), { revision: 7 }, 'another signatory: a new decision');
  setTime('2027-02-12T10:00:00.000Z');
  t.strictSame(await endorse({ signatory: minister, evidence: 'letter MAE-2027-9' }), { revision: 8 }, 'the evidence added: a new decision');
  t.strictSame(await endorse({ signatory: minister, evidence: 'letter MAE-2027-9' }), { revision: 8 });
  t.equal(await eventCount(api, id), 9);

  const signOff = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json());
  const latest = { status: 'endorsed', signatory: minister, statement: null, evidence: 'letter MAE-2027-9', endorsedAt: '2027-02-12T10:00:00.000Z', actor: COORDINATOR, contactId: null };
  t.match(signOff.endorsers[0], latest, 'the latest decision is the one shown and counted');
  t.strictSame(signOff.endorsers[0].history.map((d: { signatory: { name: string }; endorsedAt: string; evidence: string | null }) => [d.signatory.name, d.evidence, d.endorsedAt]), [
    ['Ioana Marin', null, '2027-02-10T10:00:00.000Z'],
    ['Radu Ionescu', null, '2027-02-11T10:00:00.000Z'],
    ['Radu Ionescu', 'letter MAE-2027-9', '2027-02-12T10:00:00.000Z'],
  ]);
});

t.test('a withholding endorser that is removed stays in the sign-off with its decisions and when and why it was removed, after adoption too', async (t) => {
  const { api, id, mfa, justice, setTime } = await setUp(t);
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  setTime('2027-02-10T10:00:00.000Z');
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: mfa, draftVersion: 1, decision: 'endorse', signatory: MFA_SIGNATORY } });
  setTime('2027-02-11T10:00:00.000Z');
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 1, decision: 'withhold', reason: 'The plan has no budget line.' } });
  setTime('2027-02-12T10:00:00.000Z');
  await ok(api, { method: 'DELETE', url: `/consultations/${id}/stakeholders/${justice}`, body: { reason: 'Justice leaves the plan to the police.' } });

  setTime('2099-07-01T00:00:00.000Z'); // the comment period is over
  await ok(api, { url: `/consultations/${id}/close`, body: { outcome: 'adopted', finalDraftVersion: 1 } });
  const signOff = withoutLocalTimes((await api.call({ url: `/consultations/${id}/sign-off` })).json());
  t.match(signOff, { status: 'closed', outcome: 'adopted', adopted: true, counts: { required: 1, endorsed: 1, withheld: 0, pending: 0 } });
  t.strictSame(signOff.request, { status: 'closed', requestedAt: T0, deadline: DEADLINE, closedAt: '2099-07-01T00:00:00.000Z', outcome: 'adopted' }, 'the request no longer says open');
  t.strictSame(signOff.endorsers[1], {
    stakeholderId: justice, organisation: JUSTICE.organisation, required: false, invitationDeclined: false, deadline: DEADLINE,
    removal: { removedAt: '2027-02-12T10:00:00.000Z', reason: 'Justice leaves the plan to the police.', actor: COORDINATOR },
    history: [{ status: 'withheld', reason: 'The plan has no budget line.', withheldAt: '2027-02-11T10:00:00.000Z', actor: COORDINATOR, contactId: null }],
    endorserHistory: invitedBy(),
    status: 'removed',
  }, 'the withholding ministry does not disappear');
});

t.test('GET /sign-off with Accept: text/csv: one row per endorser of the version, with its decision history; JSON stays the default', async (t) => {
  const { api, id, mfa, justice, setTime } = await setUp(t);
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE } }, 201);
  setTime('2027-02-10T10:00:00.000Z');
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 1, decision: 'withhold', reason: 'Awaiting legal review.' } });
  setTime('2027-02-11T10:00:00.000Z');
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 1, decision: 'endorse', signatory: JUSTICE_SIGNATORY, statement: '=HYPERLINK("x")', evidence: 'letter JUS-2027-114' } });
  setTime('2027-02-12T10:00:00.000Z');
  await ok(api, { method: 'DELETE', url: `/consultations/${id}/stakeholders/${mfa}`, body: { reason: 'Merged into the Prime Minister\'s office.' } });

  const res = await api.call({ url: `/consultations/${id}/sign-off`, headers: { accept: 'text/csv' }, as: 'auditor' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.equal(res.headers['content-disposition'], `attachment; filename="sign-off-${id}-v1.csv"`);
  t.equal(res.headers.vary, 'Accept');
  t.equal(res.headers.etag, 'W/"1-8-csv"');
  t.ok(res.body.startsWith('\uFEFF'), 'a UTF-8 byte order mark for Excel');
  const rows = parse(res.body.slice(1), { relax_column_count: false }) as string[][];
  t.strictSame(rows[0], [
    'Stakeholder ID', 'Organisation', 'Required', 'Status', 'Invitation declined', 'Deadline', 'Deadline (Europe/Bucharest)', 'Signatory', 'Signatory title',
    'Statement', 'Evidence', 'Withholding reason', 'Decided at', 'Decided at (Europe/Bucharest)', 'Recorded by', 'Removed at', 'Removed at (Europe/Bucharest)',
    'Removal reason', 'Decision history',
  ], 'each time column with its twin in the consultation\'s time zone');
  t.strictSame(rows.slice(1), [
    [
      mfa, MFA.organisation, 'no', 'removed', 'no', DEADLINE, DEADLINE, '', '', '', '', '', '', '', '',
      '2027-02-12T10:00:00.000Z', '2027-02-12T12:00:00.000+02:00', 'Merged into the Prime Minister\'s office.', '',
    ],
    [
      justice, JUSTICE.organisation, 'yes', 'endorsed', 'no', DEADLINE, DEADLINE, JUSTICE_SIGNATORY.name, JUSTICE_SIGNATORY.title, '\'=HYPERLINK("x")',
      'letter JUS-2027-114', '', '2027-02-11T10:00:00.000Z', '2027-02-11T12:00:00.000+02:00', 'coordinator Gender Office coordinator', '', '', '',
      '2027-02-10T10:00:00.000Z (2027-02-10T12:00:00.000+02:00) withheld by coordinator Gender Office coordinator: Awaiting legal review.\n'
        + '2027-02-11T10:00:00.000Z (2027-02-11T12:00:00.000+02:00) endorsed by coordinator Gender Office coordinator: Pieter de Vries, Director-General; evidence letter JUS-2027-114',
    ],
  ], 'a cell a spreadsheet would run as a formula is neutralised');
  const json = await api.call({ url: `/consultations/${id}/sign-off` });
  t.equal(json.headers['content-type'], 'application/json; charset=utf-8');
  t.equal(json.headers.etag, 'W/"1-8"');
  t.equal((await api.call({ url: `/consultations/${id}/sign-off`, headers: { accept: 'text/csv, application/json' } })).headers['content-type'], 'application/json; charset=utf-8', 'JSON wins a tie');
  const cached = await api.call({ url: `/consultations/${id}/sign-off`, headers: { accept: 'text/csv', 'if-none-match': 'W/"1-8-csv"' } });
  t.equal(cached.statusCode, 304);
  const unknown = await api.call({ url: `/consultations/${id}/sign-off?version=4`, headers: { accept: 'text/csv' } });
  t.equal(unknown.statusCode, 404);
  t.equal(unknown.json().code, 'DRAFT_NOT_FOUND');
});

t.test('If-Match: a stale revision is 412 for every endorsement command and appends nothing', async (t) => {
  const { api, id, mfa } = await setUp(t);
  const stale = { 'if-match': '"2"' };
  const calls = [
    { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE }, headers: stale },
    { method: 'DELETE' as const, url: `/consultations/${id}/endorsement-requests/1`, headers: stale },
    { url: `/consultations/${id}/endorsements`, body: { stakeholderId: mfa, draftVersion: 1, decision: 'withhold', reason: 'x' }, headers: stale },
  ];
  for (const call of calls) {
    const res = await api.call(call);
    t.equal(res.statusCode, 412, call.url);
    t.equal(res.json().code, 'REVISION_MISMATCH');
  }
  t.equal(await eventCount(api, id), 5, 'nothing appended');
  const current = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE }, headers: { 'if-match': '"4"' } });
  t.equal(current.statusCode, 201, 'the current revision passes');
});

t.test('Idempotency-Key: a retried endorsement returns the first result and appends nothing; the key with another decision is 422', async (t) => {
  const { api, id, mfa } = await setUp(t);
  const requestKey = { 'idempotency-key': 'request-v1' };
  const r1 = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE }, headers: requestKey });
  const r2 = await api.call({ url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 1, deadline: DEADLINE }, headers: requestKey });
  t.equal(r2.statusCode, 201);
  t.strictSame(r2.json(), r1.json());
  t.equal(r2.headers['idempotent-replayed'], 'true');

  const headers = { 'idempotency-key': 'mfa-letter-2027-02-03' };
  const body = { stakeholderId: mfa, draftVersion: 1, decision: 'endorse', signatory: MFA_SIGNATORY, evidence: 'letter MAE-2027-7' };
  const first = await api.call({ url: `/consultations/${id}/endorsements`, body, headers });
  const before = await eventCount(api, id);
  const again = await api.call({ url: `/consultations/${id}/endorsements`, body, headers });
  t.equal(again.statusCode, 200);
  t.strictSame(again.json(), first.json());
  t.equal(again.headers['idempotent-replayed'], 'true');
  t.equal(await eventCount(api, id), before, 'nothing appended');
  const other = await api.call({ url: `/consultations/${id}/endorsements`, body: { stakeholderId: mfa, draftVersion: 1, decision: 'withhold', reason: 'Changed our mind' }, headers });
  t.equal(other.statusCode, 422);
  t.equal(other.json().code, 'COMMAND_ID_REUSED');
  const otherEvidence = await api.call({ url: `/consultations/${id}/endorsements`, body: { ...body, evidence: 'letter MAE-2027-8' }, headers });
  t.equal(otherEvidence.statusCode, 422);
  t.equal(await eventCount(api, id), before, 'nothing appended');
});

t.test('the generated OpenAPI documents the endorsement routes: the decision union, the optional cancel reason', async (t) => {
  const api = await startApi(t);
  const doc = (await api.call({ url: '/docs/json', as: null })).json();
  type Schema = { properties?: Record<string, { enum?: string[]; const?: string }>; required?: string[]; oneOf?: Schema[]; anyOf?: Schema[] };
  const body = (path: string, method: string): Schema => doc.paths[path][method].requestBody.content['application/json'].schema;
  const decision = body('/consultations/{id}/endorsements', 'post');
  const branches = decision.oneOf ?? decision.anyOf ?? [];
  t.strictSame(branches.map((b) => Object.keys(b.properties ?? {}).sort()), [
    ['contactId', 'decision', 'draftVersion', 'evidence', 'signatory', 'stakeholderId', 'statement'],
    ['contactId', 'decision', 'draftVersion', 'reason', 'stakeholderId'],
  ]);
  t.strictSame(branches.map((b) => b.required?.sort()), [
    ['decision', 'draftVersion', 'signatory', 'stakeholderId'],
    ['decision', 'draftVersion', 'reason', 'stakeholderId'],
  ]);
  t.strictSame(Object.keys(body('/consultations/{id}/endorsement-requests', 'post').properties ?? {}).sort(), ['deadline', 'draftVersion']);
  const cancel = doc.paths['/consultations/{id}/endorsement-requests/{version}'].delete;
  t.strictSame(Object.keys(cancel.requestBody.content['application/json'].schema.properties), ['reason']);
  t.strictSame(cancel.parameters.filter((p: { in: string }) => p.in === 'query').map((p: { name: string; required: boolean }) => [p.name, p.required]), [['reason', false]]);
  t.ok(doc.paths['/consultations/{id}/sign-off'].get.responses['200'], 'the sign-off view is documented');
});
