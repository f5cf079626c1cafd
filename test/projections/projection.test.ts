// The per-consultation wrapper every view uses: which events reach a consultation's reducer, and
// which leave the view as it was.
import t from 'tap';
import { event } from '../../src/domain/events.ts';
import {
  asDomainEvent, consultationView, perConsultation, recordedAtOf, type ConsultationReducer, type ProjectionEvent,
} from '../../src/projections/projection.ts';
import { CONSULTATION_ID, cso, draft, opened } from '../helpers/domain-spec.ts';
import { OTHER_ID } from './fixtures/history.ts';
import { at, recorded, replay, unknownEvent } from './fixtures/recorded.ts';

/** A reducer that lists the types and revisions it was given: what reached it, in order. */
const seen: ConsultationReducer<string[]> = {
  name: 'seen',
  version: 1,
  open: (e, ctx) => [`${ctx.revision}:${e.type}@${ctx.recordedAt}`],
  apply: (view, e, ctx) => (e.type === 'StakeholderContactsChanged' ? view : [...view, `${ctx.revision}:${e.type}`]),
};
const projection = perConsultation(seen);
const [openedE, draftE, csoE] = recorded([opened, draft(1), cso]) as [ProjectionEvent, ProjectionEvent, ProjectionEvent];

t.test('the projection carries the reducer’s name and version and starts with no consultation', async (t) => {
  t.equal(projection.name, 'seen');
  t.equal(projection.version, 1);
  t.strictSame(projection.initial(), { consultations: [] });
});

t.test('given a ConsultationOpened, then the consultation has a view that starts there, at that revision', async (t) => {
  const view = replay(projection, [openedE, draftE]);
  t.strictSame(view, { consultations: [{ consultationId: CONSULTATION_ID, lastRevision: 1, view: [`0:ConsultationOpened@${at(0)}`, '1:DraftPublished'] }] });
});

t.test('given events of a stream that is not a consultation, then the view is the same object', async (t) => {
  const before = replay(projection, [openedE]);
  for (const streamName of ['$stats-127.0.0.1', 'mailbox-1', 'consultation-', 'Consultation-abc']) {
    t.equal(projection.apply(before, { ...draftE, streamName }), before, streamName);
  }
});

t.test('given events of a consultation before its ConsultationOpened, then they are ignored', async (t) => {
  const view = replay(projection, [{ ...draftE, revision: 0 }]);
  t.strictSame(view, { consultations: [] });
});

t.test('given a redelivered event (revision at or below the last applied), then the view is the same object', async (t) => {
  const view = replay(projection, [openedE, draftE, csoE]);
  t.equal(projection.apply(view, csoE), view);
  t.equal(projection.apply(view, draftE), view);
  t.equal(projection.apply(view, openedE), view);
});

t.test('given an event of an unknown type, then the consultation’s view is the same object and only lastRevision moves on', async (t) => {
  const before = replay(projection, [openedE, draftE]);
  const after = replay(projection, [unknownEvent(2)], before);
  t.equal(after.consultations[0]?.view, before.consultations[0]?.view);
  t.equal(after.consultations[0]?.lastRevision, 2);
  t.equal(projection.apply(after, unknownEvent(2)), after, 'and it is not applied twice either');
});

t.test('given an event the reducer does not handle, then the consultation’s view is the same object', async (t) => {
  const before = replay(projection, [openedE, draftE]);
  const [changed] = recorded([event('StakeholderContactsChanged', { stakeholderId: 'sh-x', contacts: [{ name: 'A', email: 'a@b.example' }] })], { firstRevision: 2 });
  const after = replay(projection, [changed!], before);
  t.equal(after.consultations[0]?.view, before.consultations[0]?.view);
});

t.test('given two consultations, then each has its own view, in the order they were opened', async (t) => {
  const other = recorded([{ ...opened, data: { ...opened.data, consultationId: OTHER_ID } }], { consultationId: OTHER_ID });
  const view = replay(projection, [...other, openedE, draftE]);
  t.same(view.consultations.map((s) => [s.consultationId, s.lastRevision]), [[OTHER_ID, 0], [CONSULTATION_ID, 1]]);
  t.strictSame(consultationView(view, OTHER_ID), [`0:ConsultationOpened@${at(0)}`]);
  t.equal(consultationView(view, 'no-such-consultation'), null);
});

t.test('asDomainEvent: a known type is decoded and narrowed; an unknown type is null', async (t) => {
  const e = asDomainEvent(draftE);
  t.equal(e?.type, 'DraftPublished');
  if (e?.type === 'DraftPublished') t.equal(e.data.version, 1);
  t.equal(asDomainEvent(unknownEvent(3)), null);
  t.equal(asDomainEvent({ ...unknownEvent(3), type: 'toString' }), null, 'not fooled by inherited property names');
});

t.test('recordedAtOf: metadata.recordedAt, else the store’s created time', async (t) => {
  t.equal(recordedAtOf({ metadata: { recordedAt: '2027-03-01T09:00:00.000Z' }, created: '2027-03-01T09:00:01.000Z' }), '2027-03-01T09:00:00.000Z');
  t.equal(recordedAtOf({ metadata: {}, created: '2027-03-01T09:00:01.000Z' }), '2027-03-01T09:00:01.000Z');
});
