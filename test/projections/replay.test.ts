// Replaying is safe: the same events twice (or redelivered in between) yield the same documents,
// whatever the batches they are committed in (each batch goes through JSON in the view store, so a
// view that is stored and resumed continues as if never stored), and the views agree with each
// other and with the consultation's own state at every step of a realistic history.
import t from 'tap';
import { evolve, initialState } from '../../src/domain/consultation.ts';
import { EventDataSchemas, isEventType } from '../../src/domain/events.ts';
import { fromRecorded } from '../../src/domain/decode.ts';
import { recordedAtOf, type ProjectionEvent } from '../../src/projections/projection.ts';
import { adoptionReasonsOf } from '../../src/commands/close-consultation.ts';
import { commentMatrix, consultationSettings, consultationsList, drafts, heldReplies, projections, signOff, stakeholders } from '../../src/projections/index.ts';
import { CONSULTATION_ID } from '../helpers/domain-spec.ts';
import { OTHER_ID, eventsA, globalHistory } from './fixtures/history.ts';
import { assertPlainJson, Replayed, replay } from './fixtures/recorded.ts';

const history = globalHistory();

/** Each event, then now and then one or two earlier ones again, as a subscription that reconnects might. */
function withRedeliveries(events: readonly ProjectionEvent[]): ProjectionEvent[] {
  const out: ProjectionEvent[] = [];
  events.forEach((e, i) => {
    out.push(e);
    if (i % 3 === 2) out.push(events[i - 1]!, events[i - 2]!);
    if (i % 7 === 0) out.push(events[Math.floor(i / 2)]!);
    if (i % 11 === 10) out.push(e);
  });
  return out;
}

t.test('the history replayed here is well-formed: every event of a consultation passes its schema', async (t) => {
  const invalid = history
    .filter((e) => e.streamName.startsWith('consultation-') && isEventType(e.type))
    .filter((e) => !EventDataSchemas[e.type as keyof typeof EventDataSchemas].safeParse(e.data).success)
    .map((e) => `${e.streamName}@${e.revision} ${e.type}`);
  t.strictSame(invalid, []);
});

t.test('the index lists the projections, each with its own name and a version', async (t) => {
  t.strictSame(projections.map((p) => [p.name, p.version]), [['consultations-list', 7], ['stakeholders', 7], ['sign-off', 7], ['comment-matrix', 7], ['drafts', 3], ['consultation-settings', 1], ['held-replies', 2]]);
  t.strictSame(projections, [consultationsList, stakeholders, signOff, commentMatrix, drafts, consultationSettings, heldReplies]);
});

// (consultation-settings has no per-consultation head: test/projections/consultation-settings.test.ts)
for (const projection of [consultationsList, stakeholders, signOff, commentMatrix, drafts]) {
  t.test(`${projection.name}: given a full history applied twice, then the same documents (the second pass is all redeliveries)`, async (t) => {
    const once = await replay(projection, history);
    const documents = await once.documents();
    t.strictSame(await (await once.apply(history)).documents(), documents, 'applied again on top');
    t.strictSame(await (await replay(projection, [...history, ...history], 50)).documents(), documents, 'twice in one pass, in batches');
    const revisions = await Promise.all([CONSULTATION_ID, OTHER_ID].map(async (id) => (await projection.read(once.reader, id))?.lastRevision));
    t.strictSame(revisions, [eventsA.length, 5]);
  });

  t.test(`${projection.name}: given events redelivered in between, then the same documents as delivered once, whatever the batches`, async (t) => {
    const documents = await (await replay(projection, history)).documents();
    const redelivered = withRedeliveries(history);
    t.ok(redelivered.length > history.length * 1.5, 'many redeliveries');
    for (const batch of [1, 5, 1000]) t.strictSame(await (await replay(projection, redelivered, batch)).documents(), documents, `batches of ${batch}`);
    const half = Math.floor(history.length / 2);
    t.strictSame(await (await replay(projection, [...history.slice(0, half), ...history])).documents(), documents, 'resubscribed from the start after half');
  });

  t.test(`${projection.name}: the documents and the served view are plain JSON; stopped and resumed anywhere, the same documents`, async (t) => {
    const once = await replay(projection, history);
    const documents = await once.documents();
    assertPlainJson(t, documents);
    assertPlainJson(t, await projection.read(once.reader, CONSULTATION_ID));
    for (const cut of [1, 17, Math.floor(history.length / 2), history.length - 3]) {
      const resumed = new Replayed(projection);
      await resumed.apply(history.slice(0, cut), 4);
      await resumed.apply(history.slice(cut), 3);
      t.strictSame(await resumed.documents(), documents, `stopped after ${cut} events`);
    }
  });
}

t.test('at every step of a history, the views agree with each other and with the consultation’s state', async (t) => {
  const list = new Replayed(consultationsList);
  const rows = new Replayed(stakeholders);
  const sign = new Replayed(signOff);
  const matrix = new Replayed(commentMatrix);
  const state = initialState();
  let mismatches = 0;
  const seen = new Set<string>();
  const check = (ok: boolean, what: string, revision: number) => {
    if (!ok) {
      mismatches++;
      t.fail(`${what} at revision ${revision}`);
    }
  };
  for (const e of eventsA) {
    for (const r of [list, rows, sign, matrix]) await r.apply([e]);
    evolve(state, fromRecorded(e));
    // read when the event was recorded: what closing would have answered then
    const now = recordedAtOf(e);
    const summary = (await consultationsList.read(list.reader, CONSULTATION_ID, now))!.view.summary;
    const people = (await stakeholders.read(rows.reader, CONSULTATION_ID))!.view;
    const signView = (await signOff.read(sign.reader, CONSULTATION_ID, now))!.view;
    const comments = (await commentMatrix.read(matrix.reader, CONSULTATION_ID))!.view;
    const latest = signView.versions.find((v) => v.isLatest);

    check(summary.counts.commentsReceived === comments.counts.total, 'comments received = matrix total', e.revision);
    check(summary.counts.commentsAnswered === comments.counts.answered, 'comments answered = matrix answered', e.revision);
    check(summary.counts.endorsementsRequired === (latest?.counts.required ?? summary.counts.endorsementsRequired), 'endorsements required', e.revision);
    check(summary.counts.endorsementsReceived === (latest?.counts.endorsed ?? 0), 'endorsements received', e.revision);
    check(summary.currentDraftVersion === (state.latestVersion || null), 'current draft version', e.revision);
    check(summary.endorsementDeadline === (state.endorsementRequest?.deadline ?? null), 'endorsement deadline', e.revision);
    check(summary.status === state.status, 'status', e.revision);
    const liveComments = [...state.comments.values()].filter((c) => !c.retracted);
    check(comments.counts.total === liveComments.length, 'comments not retracted', e.revision);
    check(comments.counts.answered === liveComments.filter((c) => c.answer !== null).length, 'comments answered', e.revision);
    check(comments.comments.map((c) => `${c.commentId} ${c.ref}`).join() === [...state.comments.values()].map((c) => `${c.id} ${c.ref}`).join(),
      'each comment has the reference the state gives it', e.revision);
    for (const x of [...state.stakeholders.values()]) {
      const row = people.stakeholders.find((r) => r.id === x.id);
      check(row !== undefined && row.response === x.response && (row.removal !== null) === x.removed, `${x.id} response and removal`, e.revision);
      check(row !== undefined && row.reviewedVersions.join() === x.reviewedVersions.join(), `${x.id} reviewed versions`, e.revision);
      check(row !== undefined && row.organisation === x.organisation && row.kind === x.kind && row.language === x.language && row.endorser === x.endorser,
        `${x.id} organisation, kind, language and endorser`, e.revision);
      check(row !== undefined && Object.keys(row.decisions).join() === [...x.decisions.keys()].join(), `${x.id} decisions that count`, e.revision);
    }
    const required = [...state.stakeholders.values()].filter((x) => x.endorser && !x.removed).map((x) => x.id).sort();
    check(latest === undefined || latest.endorsers.filter((x) => x.required).map((x) => x.stakeholderId).sort().join() === required.join(), 'required endorsers', e.revision);
    for (const c of comments.comments) {
      check(c.organisation === state.stakeholders.get(c.stakeholderId)?.organisation, `${c.commentId} organisation`, e.revision);
    }
    if (latest) {
      const reasons = adoptionReasonsOf(state, state.latestVersion, now);
      check(JSON.stringify(latest.adoptionBlockedBy) === JSON.stringify(reasons), 'the sign-off view\'s reasons are closing\'s', e.revision);
      check(latest.readyForAdoption === (reasons.length === 0), 'ready for adoption as closing would allow', e.revision);
      check(summary.readyForAdoption === latest.readyForAdoption, 'the list says what the sign-off view says', e.revision);
      check(JSON.stringify(summary.adoptionBlockedBy) === JSON.stringify(reasons.map((r) => r.code)), 'the list\'s reasons by code', e.revision);
      seen.add(JSON.stringify(reasons.map((r) => r.code)));
    }
  }
  t.equal(mismatches, 0);
  t.ok(seen.size >= 4, `the history goes through several sets of reasons (${[...seen].join(' ')})`);
  t.equal((await signOff.read(sign.reader, CONSULTATION_ID))!.view.versions[1]!.adopted, true, 'the history ends adopted with version 2');
});
