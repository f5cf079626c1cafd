import t from 'tap';
import { recordMessageSent } from '../../src/commands/record-message-sent.ts';
import { event } from '../../src/domain/events.ts';
import { COMMENT_DEADLINE, CSO, closedWithdrawn, cso, draft, opened, removed, when } from '../helpers/domain-spec.ts';

const given = [opened, draft(1), cso];
const SENT_AT = '2027-03-01T09:00:05Z';
const invitation = { kind: 'invitation' as const, stakeholderId: CSO, messageId: 'inv-cso-1', sentAt: SENT_AT };
const invitationSent = event('InvitationSent', { stakeholderId: CSO, messageId: 'inv-cso-1', sentAt: SENT_AT });

t.test('given nothing, when RecordMessageSent, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(recordMessageSent, [], invitation), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when RecordMessageSent, then it is recorded all the same (the mail has left)', async (t) => {
  t.same(when(recordMessageSent, [...given, closedWithdrawn], invitation), [invitationSent]);
});

t.test('an invitation: InvitationSent', async (t) => {
  t.same(when(recordMessageSent, given, invitation, { actor: { role: 'system', id: 'mailer' } }), [invitationSent]);
});

t.test('a notice: NoticeSent', async (t) => {
  t.same(when(recordMessageSent, given, { kind: 'notice', stakeholderId: CSO, messageId: 'n-1', notice: 'new-draft', draftVersion: 1, sentAt: SENT_AT }), [
    event('NoticeSent', { stakeholderId: CSO, messageId: 'n-1', notice: 'new-draft', draftVersion: 1, sentAt: SENT_AT }),
  ]);
  t.same(when(recordMessageSent, given, { kind: 'notice', stakeholderId: CSO, messageId: 'n-2', notice: 'acknowledgement', sentAt: SENT_AT }), [
    event('NoticeSent', { stakeholderId: CSO, messageId: 'n-2', notice: 'acknowledgement', sentAt: SENT_AT }),
  ]);
});

t.test('a reminder: ReminderSent', async (t) => {
  const reminder = { stakeholderId: CSO, messageId: 'r-1', phase: 'comments' as const, draftVersion: 1, deadline: COMMENT_DEADLINE, sentAt: SENT_AT };
  t.same(when(recordMessageSent, given, { kind: 'reminder', ...reminder }), [event('ReminderSent', reminder)]);
});

t.test('given the messageId recorded as sent, when recording it again (of any kind), then nothing', async (t) => {
  t.same(when(recordMessageSent, [...given, invitationSent], invitation), []);
  t.same(when(recordMessageSent, [...given, invitationSent], { ...invitation, sentAt: '2027-03-01T09:10:00Z' }), []);
  t.same(when(recordMessageSent, [...given, invitationSent], { kind: 'notice', stakeholderId: CSO, messageId: 'inv-cso-1', notice: 'acknowledgement', sentAt: SENT_AT }), []);
});

t.test('given the messageId recorded as failed, when a retry sends it, then InvitationSent', async (t) => {
  const failed = event('DeliveryFailed', {
    stakeholderId: CSO, messageId: 'inv-cso-1', messageKind: 'invitation', error: '421 try later', permanent: false, failedAt: '2027-03-01T09:00:01Z',
  });
  t.same(when(recordMessageSent, [...given, failed], invitation), [invitationSent]);
});

t.test('a removed stakeholder: recorded all the same; an unknown one: STAKEHOLDER_NOT_FOUND', async (t) => {
  t.same(when(recordMessageSent, [...given, removed(CSO)], invitation), [invitationSent]);
  t.throws(() => when(recordMessageSent, given, { ...invitation, stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002' }), { code: 'STAKEHOLDER_NOT_FOUND' });
});

t.test('the schema refuses an unknown kind and a time without an offset', async (t) => {
  t.throws(() => when(recordMessageSent, given, { ...invitation, kind: 'fax' as 'invitation' }), { name: 'ZodError' });
  t.throws(() => when(recordMessageSent, given, { ...invitation, sentAt: '2027-03-01T09:00:05' }), { name: 'ZodError' });
});
