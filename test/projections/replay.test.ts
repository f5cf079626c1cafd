// Replaying is safe: the same events twice (or redelivered in between) yield identical views, a
// view stored as JSON and restored continues as if it had never been stored, and the views agree
// with each other and with the consultation's own state at every step of a realistic history.
// (Every replay here freezes each view it passes on, so a reducer that mutates its input throws.)
import t from 'tap';
import { evolve, initialState } from '../../src/domain/consultation.ts';
import { EventDataSchemas, isEventType } from '../../src/domain/events.ts';
import { fromRecorded } from '../../src/domain/decode.ts';
import { consultationView, type Projection, type ProjectionEvent } from '../../src/projections/projection.ts';
import { commentMatrix, consultationsList, drafts, projections, signOff, stakeholders } from '../../src/projections/index.ts';
import { CONSULTATION_ID } from '../helpers/domain-spec.ts';
import { OTHER_ID, eventsA, globalHistory } from './fixtures/history.ts';
import { assertPlainJson, replay } from './fixtures/recorded.ts';

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
  t.strictSame(projections.map((p) => [p.name, p.version]), [['consultations-list', 1], ['stakeholders', 1], ['sign-off', 1], ['comment-matrix', 1], ['drafts', 1]]);
  t.strictSame(projections, [consultationsList, stakeholders, signOff, commentMatrix, drafts]);
});

for (const projection of projections as readonly Projection<unknown>[]) {
  t.test(`${projection.name}: given a full history applied twice, then the view is identical (the second pass is all redeliveries)`, async (t) => {
    const once = replay(projection, history);
    const twice = replay(projection, history, once);
    t.equal(twice, once, 'the very same object');
    t.strictSame(replay(projection, [...history, ...history]), once);
    const views = once as { consultations: Array<{ consultationId: string; lastRevision: number }> };
    t.strictSame(views.consultations.map((s) => [s.consultationId, s.lastRevision]), [[CONSULTATION_ID, eventsA.length], [OTHER_ID, 5]]);
  });

  t.test(`${projection.name}: given events redelivered in between, then the same view as delivered once`, async (t) => {
    const once = replay(projection, history);
    const redelivered = withRedeliveries(history);
    t.ok(redelivered.length > history.length * 1.5, 'many redeliveries');
    t.strictSame(replay(projection, redelivered), once);
    const half = Math.floor(history.length / 2);
    t.strictSame(replay(projection, [...history.slice(0, half), ...history]), once, 'resubscribed from the start after half');
  });

  t.test(`${projection.name}: the view is plain JSON, and one restored from JSON continues as if never stored`, async (t) => {
    const once = replay(projection, history);
    assertPlainJson(t, once);
    t.strictSame(JSON.parse(JSON.stringify(once)), once);
    for (const cut of [1, 17, Math.floor(history.length / 2), history.length - 3]) {
      const stored = JSON.stringify(replay(projection, history.slice(0, cut)));
      t.strictSame(replay(projection, history.slice(cut), JSON.parse(stored) as unknown), once, `stored after ${cut} events`);
    }
  });
}

t.test('at every step of a history, the views agree with each other and with the consultation’s state', async (t) => {
  let list = consultationsList.initial();
  let rows = stakeholders.initial();
  let sign = signOff.initial();
  let matrix = commentMatrix.initial();
  const state = initialState();
  let mismatches = 0;
  const check = (ok: boolean, what: string, revision: number) => {
    if (!ok) {
      mismatches++;
      t.fail(`${what} at revision ${revision}`);
    }
  };
  for (const e of eventsA) {
    list = consultationsList.apply(list, e);
    rows = stakeholders.apply(rows, e);
    sign = signOff.apply(sign, e);
    matrix = commentMatrix.apply(matrix, e);
    evolve(state, fromRecorded(e));
    const summary = consultationView(list, CONSULTATION_ID)!.summary;
    const people = consultationView(rows, CONSULTATION_ID)!;
    const signView = consultationView(sign, CONSULTATION_ID)!;
    const comments = consultationView(matrix, CONSULTATION_ID)!;
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
    for (const x of [...state.stakeholders.values()]) {
      const row = people.stakeholders.find((r) => r.id === x.id);
      check(row !== undefined && row.response === x.response && (row.removal !== null) === x.removed, `${x.id} response and removal`, e.revision);
      check(row !== undefined && row.reviewedVersions.join() === x.reviewedVersions.join(), `${x.id} reviewed versions`, e.revision);
    }
    if (latest) {
      const ready = [...state.stakeholders.values()].every((x) => !x.endorser || x.removed || (x.decisions.get(state.latestVersion) === 'endorsed' && x.response !== 'declined'));
      check(latest.readyForAdoption === ready, 'ready for adoption as closing would allow', e.revision);
    }
  }
  t.equal(mismatches, 0);
  t.equal(consultationView(sign, CONSULTATION_ID)!.versions[1]!.adopted, true, 'the history ends adopted with version 2');
});
