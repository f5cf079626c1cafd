import t from 'tap';
import { recordDeliveryFailure } from '../../src/commands/record-delivery-failure.ts';
import { event } from '../../src/domain/events.ts';
import { CSO, closedWithdrawn, cso, draft, opened, removed, when } from '../helpers/domain-spec.ts';

const given = [opened, draft(1), cso];
const FAILED_AT = '2027-03-01T09:00:05Z';
const input = { stakeholderId: CSO, messageId: 'inv-cso-1', messageKind: 'invitation' as const, error: '550 mailbox unknown', permanent: true, failedAt: FAILED_AT };
const failed = event('DeliveryFailed', input);

t.test('given nothing, when RecordDeliveryFailure, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(recordDeliveryFailure, [], input), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when RecordDeliveryFailure, then it is recorded all the same', async (t) => {
  t.same(when(recordDeliveryFailure, [...given, closedWithdrawn], input), [failed]);
});

t.test('given a consultation, when RecordDeliveryFailure, then DeliveryFailed (temporary unless said otherwise)', async (t) => {
  t.same(when(recordDeliveryFailure, given, input), [failed]);
  const { permanent: _, ...temporary } = input;
  t.same(when(recordDeliveryFailure, given, temporary), [event('DeliveryFailed', { ...temporary, permanent: false })]);
});

t.test('given the messageId failed permanently, when recording a failure for it, then nothing', async (t) => {
  t.same(when(recordDeliveryFailure, [...given, failed], input), []);
  t.same(when(recordDeliveryFailure, [...given, failed], { ...input, error: 'another error', failedAt: '2027-03-01T10:00:00Z' }), []);
});

t.test('given the messageId recorded as sent, a temporary failure records nothing; a permanent one (a bounce) is recorded, once', async (t) => {
  const sent = event('InvitationSent', { stakeholderId: CSO, messageId: 'inv-cso-1', sentAt: FAILED_AT });
  t.same(when(recordDeliveryFailure, [...given, sent], { ...input, permanent: false }), []);
  const bounce = { ...input, failedAt: '2027-03-01T09:30:00Z' };
  t.same(when(recordDeliveryFailure, [...given, sent], bounce), [event('DeliveryFailed', bounce)]);
  t.same(when(recordDeliveryFailure, [...given, sent, event('DeliveryFailed', bounce)], { ...bounce, error: 'a second report' }), []);
});

t.test('a removed stakeholder: recorded all the same; an unknown one: STAKEHOLDER_NOT_FOUND', async (t) => {
  t.same(when(recordDeliveryFailure, [...given, removed(CSO)], input), [failed]);
  t.throws(() => when(recordDeliveryFailure, given, { ...input, stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002' }), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('the schema refuses an empty error, an unknown kind and a time without an offset', async (t) => {
  t.throws(() => when(recordDeliveryFailure, given, { ...input, error: ' ' }), { name: 'ZodError' });
  t.throws(() => when(recordDeliveryFailure, given, { ...input, messageKind: 'sms' as 'notice' }), { name: 'ZodError' });
  t.throws(() => when(recordDeliveryFailure, given, { ...input, failedAt: '2027-03-01T09:00:05' }), { name: 'ZodError' });
});

t.test('given a temporary failure, when a permanent one is recorded, then DeliveryFailed; another temporary one records nothing', async (t) => {
  const temporary = event('DeliveryFailed', { ...input, permanent: false, error: '451 try again later' });
  t.same(when(recordDeliveryFailure, [...given, temporary], input), [failed]);
  t.same(when(recordDeliveryFailure, [...given, temporary], { ...input, permanent: false }), []);
});
