// The end-to-end story across the routes, as a coordinator and an auditor would live it:
// open → a bilingual draft (English, partly Romanian) → invite five stakeholders (two endorsers) →
// import two more from a Windows-1252 CSV (Excel in the Netherlands) → comments → adoption refused
// (comments unanswered, endorsements missing, the comment period open) → answers → a second draft →
// a late letter on the first, recorded after the second was published → endorsement request → the
// police made an endorser by PATCH → endorsements → still refused until the comment period is over
// → close as adopted; then the auditor's history at /events replays to the same views and its hash
// chain verifies. Once on SQLite, once on EventStoreDB's protocol. The story runs on a clock it moves.
import t, { type Test } from 'tap';
import { checkLink, ZERO_HASH } from '../../src/audit/hash-chain.ts';
import { commentMatrix, consultationsList, drafts, signOff, stakeholders } from '../../src/projections/index.ts';
import { toProjectionEvent } from '../../src/projections/runner.ts';
import { replay } from '../projections/fixtures/recorded.ts';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store.ts';
import type { EventStore, RecordedEvent } from '../../src/store/port.ts';
import { startTestEventStoreDB } from '../esdb/test-server.ts';
import { DRAFT_BODY, OPEN_BODY, startApi, withoutLocalTimes } from '../helpers/http.ts';

t.setTimeout(120_000);

type Api = Awaited<ReturnType<typeof startApi>>;

async function ok(api: Api, call: Parameters<Api['call']>[0], status = 200) {
  const res = await api.call(call);
  if (res.statusCode !== status) throw new Error(`${call.method ?? 'POST'} ${call.url} → ${res.statusCode}: ${res.body}`);
  return res.json();
}

const projections = [consultationsList, stakeholders, signOff, commentMatrix, drafts];

/** The story's clock: where it stands, and how it is moved. */
function storyClock() {
  let now = new Date('2026-10-01T09:00:00.000Z');
  return { clock: () => now, setTime: (iso: string) => { now = new Date(iso); } };
}

const V1_COMMENT_DEADLINE = '2026-11-30T17:00:00+01:00';
const V2_COMMENT_DEADLINE = '2027-01-15T17:00:00+01:00';

async function story(t: Test, api: Api, setTime: (iso: string) => void) {
  const { id } = await ok(api, { url: '/consultations', body: OPEN_BODY, headers: { 'idempotency-key': 'story-open' } }, 201);
  // the consultation is in English and Romanian: the first section is translated, the second not yet
  const [s1, s2] = DRAFT_BODY.sections as [typeof DRAFT_BODY.sections[0], typeof DRAFT_BODY.sections[0]];
  const bilingual = { ...DRAFT_BODY, commentDeadline: V1_COMMENT_DEADLINE, sections: [{ ...s1, translations: { ro: { heading: 'Participare', text: 'Femeile participă efectiv la procesele de pace.' } } }, s2] };
  t.match(await ok(api, { url: `/consultations/${id}/drafts`, body: bilingual }, 201), { version: 1 });
  const inRomanian = await ok(api, { url: `/consultations/${id}/drafts/1?lang=ro`, as: 'auditor' });
  t.strictSame(inRomanian.sections.map((s: { heading: string | null; missing: boolean }) => [s.heading, s.missing]), [['Participare', false], [null, true]], 'a missing translation is shown as missing');
  t.strictSame((await ok(api, { url: `/consultations/${id}/drafts/1` })).sections.map((s: { missing: string[] }) => s.missing), [[], ['ro']]);
  t.equal(inRomanian.commentDeadlineLocal, '2026-11-30T18:00:00+02:00', 'the deadline in the consultation\'s zone (Europe/Bucharest)');
  const v1Out = '2026-10-15T08:00:00.000Z'; // a time while version 1 is the latest: comments made in meetings and letters then

  const invitees = [
    { organisation: 'Ministry of Foreign Affairs', kind: 'ministry', contact: { name: 'Ioana Marin', email: 'ioana.marin@mae.example' }, language: 'ro', endorser: true },
    { organisation: 'Ministry of Justice and Security', kind: 'ministry', contact: { name: 'Pieter de Vries', email: 'p.devries@justice.example' }, language: 'en', endorser: true },
    { organisation: 'Women Mediators Network', kind: 'civil-society', contacts: [{ name: 'Amina Yusuf', email: 'amina@wmn.example' }, { name: 'Office', email: 'office@wmn.example' }], language: 'en', endorser: false },
    { organisation: 'Peace Research Institute', kind: 'academia', contact: { name: 'Dr. Lena Berg', email: 'berg@pri.example' }, language: 'en', endorser: false },
    { organisation: 'UN Women Country Office', kind: 'international', contact: { name: 'Sofia Alvarez', email: 'salvarez@unwomen.example' }, language: 'en', endorser: false },
  ];
  const sids: string[] = [];
  for (const body of invitees) sids.push((await ok(api, { url: `/consultations/${id}/stakeholders`, body }, 201)).stakeholderId);
  const [mfa, justice, wmn, pri] = sids as [string, string, string, string];

  // what Excel saves as "CSV" in the Netherlands: Windows-1252, `;`-separated
  const excel = Buffer.from([
    'organisation;kind;name;email;language;endorser',
    'Stichting Vrouwen\xEBn voor Vrede;civil-society;Ren\xE9e Caf\xE9;renee@vrouwenen.example;en;nee',
    'Nationale Politie;ministry;Jo\xEBl Maas;j.maas@politie.example;en;',
  ].join('\r\n'), 'latin1');
  const refused = await api.call({ url: `/consultations/${id}/stakeholders/import`, payload: excel, headers: { 'content-type': 'text/csv' } });
  t.equal(refused.statusCode, 400, 'sent without its charset, the file is not UTF-8');
  t.match(refused.json(), { code: 'INVALID_CSV_ENCODING', details: { line: 2, suggestedCharsets: ['windows-1252', 'windows-1250'] } });
  const imported = await api.call({ url: `/consultations/${id}/stakeholders/import`, payload: excel, headers: { 'content-type': 'text/csv; charset=windows-1252' } });
  t.equal(imported.statusCode, 200, imported.body);
  t.match(imported.json(), { rows: [{ row: 2, status: 'error', errors: [{ field: 'endorser' }] }, { row: 3, status: 'invited' }] }, '"nee" is not a boolean the import reads');
  const fixed = await api.call({
    url: `/consultations/${id}/stakeholders/import`, payload: Buffer.from(excel.toString('latin1').replace(';nee', ';no'), 'latin1'), headers: { 'content-type': 'text/csv; charset=windows-1252' },
  });
  t.match(fixed.json(), { invited: 1, existing: 1, errors: 0 });
  const police = (fixed.json() as { rows: { stakeholderId: string }[] }).rows[1]!.stakeholderId;
  const register = await ok(api, { url: `/consultations/${id}/stakeholders`, as: 'auditor' });
  t.strictSame(register.stakeholders.slice(5).map((x: { organisation: string; contacts: { name: string }[] }) => [x.organisation, x.contacts[0]!.name]),
    [['Nationale Politie', 'Joël Maas'], ['Stichting Vrouwenën voor Vrede', 'Renée Café']], 'the names as written, no replacement characters');

  await ok(api, { url: `/consultations/${id}/stakeholders/${wmn}/response`, body: { response: 'accept' } });
  setTime('2026-10-21T09:00:00.000Z'); // after the meeting and the letter
  const c1 = (await ok(api, { url: `/consultations/${id}/comments`, body: { stakeholderId: wmn, draftVersion: 1, sectionKey: 's1', text: 'Name a target for women in mediation teams.', proposedText: 'At least 30% women in every mediation team by 2029.', channel: 'api' } }, 201)).commentId;
  const c2 = (await ok(api, { url: `/consultations/${id}/comments`, body: { stakeholderId: pri, draftVersion: 1, text: 'The plan needs a monitoring framework.', channel: 'meeting', madeAt: v1Out } }, 201)).commentId;
  const c3 = (await ok(api, { url: `/consultations/${id}/comments`, body: { stakeholderId: mfa, draftVersion: 1, sectionKey: 's2', text: 'Align with the EU Gender Action Plan.', channel: 'letter', madeAt: v1Out } }, 201)).commentId;
  // Adopting now is refused, with the whole to-do list in one answer.
  const adopt = (finalDraftVersion: number) =>
    api.call({ url: `/consultations/${id}/close`, body: { outcome: 'adopted', finalDraftVersion, note: 'Adopted by the Council of Ministers.' } });
  const bothPending = {
    code: 'ENDORSEMENTS_MISSING',
    pending: [
      { stakeholderId: mfa, organisation: 'Ministry of Foreign Affairs', invitationDeclined: false },
      { stakeholderId: justice, organisation: 'Ministry of Justice and Security', invitationDeclined: false },
    ],
    withheld: [],
  };
  const early = await adopt(1);
  t.equal(early.statusCode, 409, 'cannot adopt with comments unanswered, endorsements missing and the comment period open');
  t.equal(early.json().code, 'ADOPTION_BLOCKED');
  t.strictSame(early.json().details, {
    draftVersion: 1,
    reasons: [
      { code: 'COMMENTS_UNANSWERED', count: 3, comments: [{ commentId: c1, ref: 'C-1' }, { commentId: c2, ref: 'C-2' }, { commentId: c3, ref: 'C-3' }] },
      bothPending,
      { code: 'COMMENT_PERIOD_OPEN', commentDeadline: V1_COMMENT_DEADLINE, openFor: [], closesAt: V1_COMMENT_DEADLINE },
    ],
  });
  const waiting = await ok(api, { url: `/consultations/${id}/sign-off`, as: 'auditor' });
  t.strictSame(withoutLocalTimes(waiting.adoptionBlockedBy), early.json().details.reasons, 'the sign-off view lists the same reasons');
  t.match(waiting.adoptionBlockedBy[2], { code: 'COMMENT_PERIOD_OPEN', commentDeadlineLocal: '2026-11-30T18:00:00+02:00' }, 'with the times in the consultation\'s zone');
  t.strictSame((await ok(api, { url: `/consultations/${id}` })).adoptionBlockedBy, ['COMMENTS_UNANSWERED', 'ENDORSEMENTS_MISSING', 'COMMENT_PERIOD_OPEN'], 'so does the list, by code');

  // The coordinator answers the comments.
  await ok(api, { url: `/consultations/${id}/comments/${c1}/answer`, body: { disposition: 'partially-accepted', response: 'A target is added; 30% is under discussion.' } });
  await ok(api, { url: `/consultations/${id}/comments/${c1}/answer`, body: { disposition: 'accepted', response: 'The 30% target is in draft 1 as amended.' } });
  await ok(api, { url: `/consultations/${id}/comments/${c2}/answer`, body: { disposition: 'accepted', response: 'Annex B sets out the framework.' } });
  t.strictSame((await adopt(1)).json().details.reasons[0], { code: 'COMMENTS_UNANSWERED', count: 1, comments: [{ commentId: c3, ref: 'C-3' }] }, 'one still unanswered');
  await ok(api, { url: `/consultations/${id}/comments/${c3}/answer`, body: { disposition: 'noted', response: 'Referenced in the preamble.' } });

  // A second draft; then a letter the institute wrote on the first, while it was the latest, arrives.
  setTime('2026-11-02T09:00:00.000Z');
  t.match(await ok(api, { url: `/consultations/${id}/drafts`, body: { ...DRAFT_BODY, commentDeadline: V2_COMMENT_DEADLINE, note: 'second round' } }, 201), { version: 2 });
  const online = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: pri, draftVersion: 1, text: 'On the old draft', channel: 'api' } });
  t.equal(online.json().code, 'DRAFT_NOT_LATEST', 'an online comment goes on the latest version');
  const misdated = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: pri, draftVersion: 2, text: 'A letter on version 2', channel: 'letter', madeAt: v1Out } });
  t.equal(misdated.json().code, 'MADE_AT_BEFORE_DRAFT', 'a letter written before version 2 was out is not on version 2');
  const letter = await ok(api, { url: `/consultations/${id}/comments`, body: { stakeholderId: pri, draftVersion: 1, sectionKey: 's2', text: 'Our letter: protection needs survivor-centred services.', channel: 'letter', madeAt: v1Out } }, 201);
  t.equal(letter.ref, 'C-4', 'the late letter gets the next reference');
  const late = await ok(api, { url: `/consultations/${id}/comments/${letter.commentId}`, as: 'auditor' });
  t.match(late, { ref: 'C-4', draftVersion: 1, channel: 'letter', madeAt: v1Out, status: 'awaiting-answer' });
  t.strictSame((await adopt(2)).json().details.reasons[0], { code: 'COMMENTS_UNANSWERED', count: 1, comments: [{ commentId: letter.commentId, ref: 'C-4' }] },
    'a comment on the older version awaiting an answer blocks adopting the newer one');
  await ok(api, { url: `/consultations/${id}/comments/${letter.commentId}/answer`, body: { disposition: 'accepted', response: 'Section 2 of version 2 says it.' } });
  const matrix = await ok(api, { url: `/consultations/${id}/comments?version=1&limit=2`, as: 'auditor' });
  t.strictSame(matrix.comments.map((c: { ref: string }) => c.ref), ['C-1', 'C-2']);
  const rest = await ok(api, { url: `/consultations/${id}/comments?version=1&limit=2&cursor=${matrix.next}`, as: 'auditor' });
  t.strictSame([rest.comments.map((c: { ref: string }) => c.ref), rest.next], [['C-3', 'C-4'], null]);
  t.match(rest.comments[1], { answeredBy: { role: 'coordinator' }, disposition: 'accepted' });

  // The ministries are asked to endorse version 2, and decide.
  await ok(api, { url: `/consultations/${id}/endorsement-requests`, body: { draftVersion: 2, deadline: '2027-02-28T17:00:00+01:00' } }, 201);
  const v2Period = { code: 'COMMENT_PERIOD_OPEN', commentDeadline: V2_COMMENT_DEADLINE, openFor: [], closesAt: V2_COMMENT_DEADLINE };
  t.strictSame((await adopt(2)).json().details.reasons, [bothPending, v2Period], 'every comment answered; the endorsements and the period remain');
  // the police must co-sign the plan: made an endorser while the request is open, it is pending on it
  const again = await api.call({ url: `/consultations/${id}/stakeholders`, body: { organisation: 'Nationale Politie', kind: 'ministry', contact: { name: 'Joël Maas', email: 'j.maas@politie.example' }, language: 'en', endorser: true } });
  t.equal(again.json().code, 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS', 'inviting it again as an endorser points to the PATCH');
  await ok(api, { url: again.json().details.change.path, method: 'PATCH', body: { endorser: true, organisation: 'Nationale Politie (Netherlands Police)' } });
  const pending = await ok(api, { url: `/consultations/${id}/sign-off`, as: 'auditor' });
  t.match(pending.endorsers.find((x: { stakeholderId: string }) => x.stakeholderId === police), {
    organisation: 'Nationale Politie (Netherlands Police)', status: 'pending', endorserHistory: [{ endorser: true, cause: 'details-changed' }],
  });
  t.strictSame((await adopt(2)).json().details.reasons[0], {
    ...bothPending, pending: [...bothPending.pending, { stakeholderId: police, organisation: 'Nationale Politie (Netherlands Police)', invitationDeclined: false }],
  }, 'adoption waits for it too');
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: police, draftVersion: 2, decision: 'endorse', signatory: { name: 'Joël Maas', title: 'Chief Commissioner' } } });
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: mfa, draftVersion: 2, decision: 'endorse', signatory: { name: 'Ioana Marin', title: 'State Secretary' }, statement: 'Endorsed on behalf of the Ministry.' } });
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 2, decision: 'withhold', reason: 'Awaiting legal review of section 2.' } });
  t.strictSame((await adopt(2)).json().details.reasons, [
    { code: 'ENDORSEMENTS_MISSING', pending: [], withheld: [{ stakeholderId: justice, organisation: 'Ministry of Justice and Security', reason: 'Awaiting legal review of section 2.' }] },
    v2Period,
  ]);
  await ok(api, { url: `/consultations/${id}/endorsements`, body: { stakeholderId: justice, draftVersion: 2, decision: 'endorse', signatory: { name: 'Pieter de Vries', title: 'Director-General' }, evidence: 'letter JUS-2027-114' } });
  t.strictSame((await adopt(2)).json().details.reasons, [v2Period], 'everything answered and endorsed, but the stakeholders keep their time to comment');
  t.equal((await ok(api, { url: `/consultations/${id}/sign-off`, as: 'auditor' })).readyForAdoption, false);

  // Once the comment period is over, the version is ready and is adopted.
  setTime('2027-01-16T09:00:00.000Z');
  const signOff = await ok(api, { url: `/consultations/${id}/sign-off`, as: 'auditor' });
  t.equal(signOff.readyForAdoption, true, 'the sign-off view says the version is ready');
  t.strictSame(signOff.adoptionBlockedBy, []);
  t.match(signOff.endorsers[1], { status: 'endorsed', history: [{ status: 'withheld' }, { status: 'endorsed', evidence: 'letter JUS-2027-114' }] }, 'withheld → endorsed');
  t.equal((await ok(api, { url: `/consultations/${id}` })).readyForAdoption, true, 'and so does the list');
  await ok(api, { url: `/consultations/${id}/close`, body: { outcome: 'adopted', finalDraftVersion: 2, note: 'Adopted by the Council of Ministers.' } });
  const closed = await ok(api, { url: `/consultations/${id}/sign-off`, as: 'auditor' });
  t.match(closed, { status: 'closed', outcome: 'adopted', adopted: true, request: { status: 'closed', outcome: 'adopted' } }, 'the request no longer says open');
  const summary = await ok(api, { url: `/consultations/${id}`, as: 'auditor' });
  t.match(summary, { status: 'closed', outcome: 'adopted', finalDraftVersion: 2 });
  t.match(summary.counts, { invited: 7, commentsReceived: 4, commentsAnswered: 4, endorsementsReceived: 3, endorsementsRequired: 3 });
  const closedWrite = await api.call({ url: `/consultations/${id}/comments`, body: { stakeholderId: pri, draftVersion: 1, text: 'Too late', channel: 'api' } });
  t.equal(closedWrite.statusCode, 409);
  t.equal(closedWrite.json().code, 'CONSULTATION_CLOSED');

  // The auditor: the whole history, page by page, replays to the same views and its chain holds.
  const history: RecordedEvent[] = [];
  for (let from: number | null = 0; from !== null;) {
    const page = await ok(api, { url: `/consultations/${id}/events?from=${from}&limit=7`, as: 'auditor' });
    history.push(...page.events.map((e: Omit<RecordedEvent, 'streamName' | 'position'>) => ({ ...e, streamName: `consultation-${id}` }) as RecordedEvent));
    from = page.next;
  }
  let prev = ZERO_HASH;
  for (const [i, e] of history.entries()) {
    t.equal(checkLink(e, prev, i), null, `event ${i} (${e.type}) holds in the chain`);
    prev = e.metadata.hash as string;
  }
  const readAt = '2027-01-16T10:00:00.000Z';
  for (const projection of projections) {
    const replayed = await replay(projection, history.map(toProjectionEvent));
    t.strictSame(await projection.read(replayed.reader, id, readAt), await projection.read(api.runner.reader(projection), id, readAt), `${projection.name}: the history replays to the served view`);
  }
}

t.test('the story on the embedded SQLite store', async (t) => {
  const { clock, setTime } = storyClock();
  const api = await startApi(t, { clock });
  await story(t, api, setTime);
});

t.test('the story on EventStoreDB (protocol test double)', async (t) => {
  const server = await startTestEventStoreDB();
  t.teardown(() => server.stop());
  const store: EventStore = await EsdbEventStore.open({ url: server.url });
  t.teardown(() => store.close());
  const { clock, setTime } = storyClock();
  const api = await startApi(t, { store, clock });
  await story(t, api, setTime);
});
