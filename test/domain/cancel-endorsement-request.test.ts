import t from 'tap';
import { cancelEndorsementRequest } from '../../src/commands/cancel-endorsement-request.ts';
import { endorseDraft } from '../../src/commands/endorse-draft.ts';
import { event } from '../../src/domain/events.ts';
import { MFA, closedWithdrawn, draft, endorsementRequested, mfa, opened, signatory, when } from '../helpers/domain-spec.ts';

const given = [opened, draft(1), mfa, endorsementRequested(1)];

t.test('given nothing, when CancelEndorsementRequest, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(cancelEndorsementRequest, [], { draftVersion: 1 }), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when CancelEndorsementRequest, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(cancelEndorsementRequest, [...given, closedWithdrawn], { draftVersion: 1 }), { code: 'CONSULTATION_CLOSED' });
});

t.test('given an open request, when CancelEndorsementRequest, then EndorsementRequestCancelled', async (t) => {
  t.same(when(cancelEndorsementRequest, given, { draftVersion: 1, reason: 'the text changes again' }), [
    event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'the text changes again' }),
  ]);
  t.same(when(cancelEndorsementRequest, given, { draftVersion: 1 }), [
    event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'cancelled by the coordinator' }),
  ]);
});

t.test('given no open request, when CancelEndorsementRequest, then nothing', async (t) => {
  t.same(when(cancelEndorsementRequest, [opened, draft(1)], { draftVersion: 1 }), []);
  t.same(when(cancelEndorsementRequest, [...given, event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'x' })], { draftVersion: 1 }), []);
});

t.test('given a request on version 2, when cancelling one on version 1, then nothing', async (t) => {
  const history = [opened, draft(1), draft(2), endorsementRequested(2)];
  t.same(when(cancelEndorsementRequest, history, { draftVersion: 1 }), []);
});

t.test('given no such draft version, when CancelEndorsementRequest, then DRAFT_NOT_FOUND', async (t) => {
  t.throws(() => when(cancelEndorsementRequest, given, { draftVersion: 7 }), { code: 'DRAFT_NOT_FOUND' });
});

t.test('after cancelling, endorsing is refused: NO_ENDORSEMENT_REQUEST', async (t) => {
  const after = [...given, ...when(cancelEndorsementRequest, given, { draftVersion: 1 })];
  t.throws(() => when(endorseDraft, after, { stakeholderId: MFA, draftVersion: 1, signatory }), { code: 'NO_ENDORSEMENT_REQUEST' });
});
