// The one decode path: a stored event becomes a domain event (upcast first), an unknown type
// decodes to `event: null`, and anything else that cannot be read is an UndecodableEventError.
import t from 'tap';
import { fromRecorded, UndecodableEventError, UPCASTERS, type StoredEvent, type Upcaster } from '../../src/domain/decode.ts';
import { CONSULTATION_ID, COORDINATOR, CSO } from '../helpers/domain-spec.ts';

const META = {
  commandId: 'cmd-1', commandHash: 'h', actor: { ...COORDINATOR }, recordedAt: '2027-03-01T09:00:00.000Z', prevHash: '0'.repeat(64), hash: 'a'.repeat(64),
};
const stored = (type: string, data: unknown, extra: Partial<StoredEvent> = {}): StoredEvent => ({
  streamName: `consultation-${CONSULTATION_ID}`, revision: 4, type, data, metadata: META, ...extra,
});

function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof UndecodableEventError) return error.reason;
    throw error;
  }
  throw new Error('expected an UndecodableEventError');
}

t.test('a stored event decodes to its domain event with its metadata', async (t) => {
  const d = fromRecorded(stored('InvitationAccepted', { stakeholderId: CSO }));
  t.strictSame(d, { streamName: `consultation-${CONSULTATION_ID}`, revision: 4, metadata: META, event: { type: 'InvitationAccepted', data: { stakeholderId: CSO } } });
});

t.test('a type this code does not know decodes to event null (it changes nothing), also for inherited names', async (t) => {
  t.equal(fromRecorded(stored('StakeholderTagged', { tag: 'x' })).event, null);
  t.equal(fromRecorded(stored('toString', {})).event, null);
  t.equal(fromRecorded(stored('__proto__', {})).event, null);
});

t.test('what earlier code stored still decodes: loose text, "__proto__" ids, CR/LF in a title', async (t) => {
  const opened = fromRecorded(stored('ConsultationOpened', {
    consultationId: CONSULTATION_ID, title: 'Line one\r\nLine two\u202E', summary: '', leadOrganisation: 'Office\u0000', languages: ['en'], timeZone: 'UTC',
  }));
  t.equal(opened.event?.type, 'ConsultationOpened');
  const removed = fromRecorded(stored('StakeholderRemoved', { stakeholderId: '__proto__', reason: 'x' }));
  t.strictSame(removed.event, { type: 'StakeholderRemoved', data: { stakeholderId: '__proto__', reason: 'x' } });
  const section = fromRecorded(stored('CommentSubmitted', {
    commentId: 'constructor', stakeholderId: 'hasOwnProperty', draftVersion: 1, sectionKey: '__proto__', text: 't', channel: 'api', madeAt: '2027-03-01T09:00:00Z',
  }));
  t.equal(section.event?.type, 'CommentSubmitted');
});

t.test('upcaster: an InvitationAccepted stored without a stakeholder (a "__proto__" id before ids were checked) names none', async (t) => {
  t.strictSame(fromRecorded(stored('InvitationAccepted', {})).event, { type: 'InvitationAccepted', data: { stakeholderId: '' } });
  t.strictSame(fromRecorded(stored('StakeholderRemoved', { reason: 'gone' })).event, { type: 'StakeholderRemoved', data: { stakeholderId: '', reason: 'gone' } });
  t.ok(UPCASTERS.every((u) => u.description.length > 0), 'each upcaster says what old shape it reads');
});

t.test('upcasters run in order, only on the old shape they recognise', async (t) => {
  const renamed: Upcaster = {
    type: 'CommentAnswered', description: 'v0 stored `verdict` for `disposition`',
    applies: (d) => Object.hasOwn(d, 'verdict'),
    upcast: ({ verdict, ...rest }) => ({ ...rest, disposition: verdict }),
  };
  const old = stored('CommentAnswered', { commentId: 'k', verdict: 'noted', response: 'r' });
  t.strictSame(fromRecorded(old, [renamed]).event, { type: 'CommentAnswered', data: { commentId: 'k', disposition: 'noted', response: 'r' } });
  const current = stored('CommentAnswered', { commentId: 'k', disposition: 'accepted', response: 'r' });
  t.strictSame(fromRecorded(current, [renamed]).event?.data, { commentId: 'k', disposition: 'accepted', response: 'r' }, 'today\'s shape untouched');
  t.match(reasonOf(() => fromRecorded(old, [])), /CommentAnswered: disposition/, 'without the upcaster the old shape does not decode');
});

t.test('an event that cannot be decoded names the stream, the revision and why', async (t) => {
  t.match(reasonOf(() => fromRecorded(stored('CommentAnswered', { commentId: 'k', disposition: 'perhaps', response: 'r' }))), /CommentAnswered: disposition/);
  t.match(reasonOf(() => fromRecorded(stored('CommentAnswered', 'a string'))), /data is not an object/);
  t.match(reasonOf(() => fromRecorded(stored('CommentAnswered', {}, { metadata: { commandId: 'c' } }))), /^metadata: /);
  t.equal(reasonOf(() => fromRecorded(stored('CommentAnswered', {}, { unreadable: 'data is not valid JSON' }))), 'data is not valid JSON');
  const error = (() => { try { fromRecorded(stored('ConsultationClosed', { outcome: 'merged' })); } catch (e) { return e; } })();
  t.ok(error instanceof UndecodableEventError);
  t.match(error, { streamName: `consultation-${CONSULTATION_ID}`, revision: 4, message: /consultation-.*@4 cannot be decoded/ });
});
