import t from 'tap';
import { requestEndorsement } from '../../src/commands/request-endorsement.ts';
import { event } from '../../src/domain/events.ts';
import { ENDORSEMENT_DEADLINE, closedWithdrawn, draft, endorsementRequested, mfa, opened, when } from '../helpers/domain-spec.ts';

const given = [opened, draft(1), mfa];
const input = { draftVersion: 1, deadline: ENDORSEMENT_DEADLINE };

t.test('given nothing, when RequestEndorsement, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(requestEndorsement, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when RequestEndorsement, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(requestEndorsement, [...given, closedWithdrawn], input), { code: 'CONSULTATION_CLOSED' });
});

t.test('given draft 1, when RequestEndorsement on it, then EndorsementRequested', async (t) => {
  t.same(when(requestEndorsement, given, input), [event('EndorsementRequested', input)]);
});

t.test('only on the latest draft: NO_DRAFT, DRAFT_NOT_FOUND, DRAFT_NOT_LATEST', async (t) => {
  t.throws(() => when(requestEndorsement, [opened, mfa], input), { code: 'NO_DRAFT' });
  t.throws(() => when(requestEndorsement, given, { ...input, draftVersion: 2 }), { code: 'DRAFT_NOT_FOUND' });
  t.throws(() => when(requestEndorsement, [...given, draft(2)], input), { code: 'DRAFT_NOT_LATEST' });
});

t.test('a deadline that is not in the future: DEADLINE_IN_PAST', async (t) => {
  t.throws(() => when(requestEndorsement, given, { ...input, deadline: '2027-02-01T00:00:00Z' }), { code: 'DEADLINE_IN_PAST' });
  t.throws(() => when(requestEndorsement, given, { ...input, deadline: '2027-03-01T10:00:00+01:00' }), { code: 'DEADLINE_IN_PAST' });
});

t.test('given an open request, when the identical request again (even written with another offset), then nothing', async (t) => {
  t.same(when(requestEndorsement, [...given, endorsementRequested(1)], input), []);
  t.same(when(requestEndorsement, [...given, endorsementRequested(1)], { ...input, deadline: '2027-05-01T18:00:00+03:00' }), []);
});

t.test('given an open request, when another request, then ENDORSEMENT_REQUEST_OPEN (extend or cancel it instead)', async (t) => {
  t.throws(() => when(requestEndorsement, [...given, endorsementRequested(1)], { ...input, deadline: '2027-06-01T00:00:00Z' }), {
    code: 'ENDORSEMENT_REQUEST_OPEN', details: { draftVersion: 1 },
  });
});

t.test('given a cancelled request, when RequestEndorsement, then EndorsementRequested', async (t) => {
  const history = [...given, endorsementRequested(1), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'paused' })];
  t.same(when(requestEndorsement, history, { ...input, deadline: '2027-06-01T00:00:00Z' }), [
    event('EndorsementRequested', { draftVersion: 1, deadline: '2027-06-01T00:00:00Z' }),
  ]);
});

t.test('given a request superseded by draft 2, when RequestEndorsement on draft 2, then EndorsementRequested', async (t) => {
  const history = [...given, endorsementRequested(1), draft(2), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' })];
  t.same(when(requestEndorsement, history, { ...input, draftVersion: 2 }), [event('EndorsementRequested', { ...input, draftVersion: 2 })]);
});

t.test('the schema refuses a deadline without an offset', async (t) => {
  t.throws(() => when(requestEndorsement, given, { ...input, deadline: '2027-05-01T15:00:00' }), { name: 'ZodError' });
});
