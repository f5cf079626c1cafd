import t from 'tap';
import { changeContacts } from '../../src/commands/change-contacts.ts';
import { changeNotifyEmails } from '../../src/commands/change-notify-emails.ts';
import { openConsultation } from '../../src/commands/open-consultation.ts';
import { recordOfficeNotification } from '../../src/commands/record-office-notification.ts';
import { event } from '../../src/domain/events.ts';
import { asStakeholder, closedWithdrawn, CONSULTATION_ID, CSO, cso, newContactId, opened, stateFrom, when } from '../helpers/domain-spec.ts';

const OFFICE = 'gender.office@mod.example';

t.test('given nothing, when OpenConsultation with notifyEmails, then ConsultationOpened names them, each once (in any case), trimmed', async (t) => {
  const input = { title: 'NAP', leadOrganisation: 'Ministry of Defence', languages: ['en'], timeZone: 'Europe/Amsterdam', notifyEmails: [` ${OFFICE} `, 'Gender.Office@MOD.example', 'duty@mod.example'] };
  const [e] = when(openConsultation, [], input);
  t.match(e, { type: 'ConsultationOpened', data: { notifyEmails: [OFFICE, 'duty@mod.example'] } });
  const { notifyEmails: _, ...without } = input;
  t.notOk('notifyEmails' in when(openConsultation, [], without)[0]!.data, 'none given: the field is absent, as before');
  t.same(stateFrom([e!]).notifyEmails, [OFFICE, 'duty@mod.example'], 'the state keeps them');
});

t.test('notifyEmails are addresses as contact addresses are, at most 20', async (t) => {
  for (const notifyEmails of [['not an address'], ['a@b.example', 'x@'], Array.from({ length: 21 }, (_, i) => `office${i}@mod.example`)]) {
    t.notOk(changeNotifyEmails.schema.safeParse({ notifyEmails }).success, JSON.stringify(notifyEmails).slice(0, 60));
  }
  t.ok(changeNotifyEmails.schema.safeParse({ notifyEmails: Array.from({ length: 20 }, (_, i) => `office${i}@mod.example`) }).success, '20 is fine');
  t.notOk(changeNotifyEmails.schema.safeParse({ notifyEmails: [OFFICE], extra: 1 }).success, 'strict');
});

t.test('given an open consultation, when ChangeNotifyEmails, then NotifyEmailsChanged with the list (deduplicated); [] alerts nobody', async (t) => {
  t.same(when(changeNotifyEmails, [opened], { notifyEmails: [OFFICE, OFFICE.toUpperCase()] }), [event('NotifyEmailsChanged', { notifyEmails: [OFFICE] })]);
  const set = event('NotifyEmailsChanged', { notifyEmails: [OFFICE] });
  t.same(when(changeNotifyEmails, [opened, set], { notifyEmails: [] }), [event('NotifyEmailsChanged', { notifyEmails: [] })]);
  t.same(stateFrom([opened, set]).notifyEmails, [OFFICE]);
});

t.test('the same list again records nothing (whatever the case); another order is a change', async (t) => {
  const set = event('NotifyEmailsChanged', { notifyEmails: [OFFICE, 'duty@mod.example'] });
  t.same(when(changeNotifyEmails, [opened, set], { notifyEmails: [OFFICE.toUpperCase(), 'duty@mod.example'] }), []);
  t.same(when(changeNotifyEmails, [opened], { notifyEmails: [] }), [], 'none before, none now');
  t.equal(when(changeNotifyEmails, [opened, set], { notifyEmails: ['duty@mod.example', OFFICE] }).length, 1);
});

t.test('coordinators only; not on a closed consultation; not on none', async (t) => {
  t.throws(() => when(changeNotifyEmails, [opened, cso], { notifyEmails: [OFFICE] }, { actor: asStakeholder(CSO) }), { code: 'ACTOR_NOT_ALLOWED' });
  t.throws(() => when(changeNotifyEmails, [opened, closedWithdrawn], { notifyEmails: [OFFICE] }), { code: 'CONSULTATION_CLOSED' });
  t.throws(() => when(changeNotifyEmails, [], { notifyEmails: [OFFICE] }), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('RecordOfficeNotification: sent once per message id, by the system; a failure for good ends it', async (t) => {
  const system = { actor: { role: 'system', id: 'mail-worker' } as const };
  const sent = { outcome: 'sent', to: OFFICE, messageId: '<office-x-1@gov.example>', digest: 'office-digest', from: '2027-02-28T22:00:00.000Z', until: '2027-03-01T22:00:00.000Z', sections: ['delivery-failures'] as string[], sentAt: '2027-03-01T22:00:05Z' } as const;
  const [e] = when(recordOfficeNotification, [opened], sent, system);
  t.match(e, { type: 'OfficeNotified', data: { to: OFFICE, messageId: '<office-x-1@gov.example>', sections: ['delivery-failures'] } });
  t.same(when(recordOfficeNotification, [opened, e!], sent, system), [], 'recorded already');
  const failed = { outcome: 'failed', to: OFFICE, messageId: '<office-x-2@gov.example>', error: '550 no such mailbox', permanent: true, failedAt: '2027-03-01T22:00:05Z' } as const;
  const [f] = when(recordOfficeNotification, [opened], failed, system);
  t.match(f, { type: 'OfficeNotificationFailed', data: { permanent: true } });
  t.same(when(recordOfficeNotification, [opened, f!], { ...sent, messageId: '<office-x-2@gov.example>' }, system), [], 'failed for good: nothing more');
  t.throws(() => when(recordOfficeNotification, [opened], sent, { actor: asStakeholder(CSO) }), { code: 'ACTOR_NOT_ALLOWED' });
  t.equal(stateFrom([opened, e!]).messages.get('<office-x-1@gov.example>'), 'sent');
});

t.test('ChangeContacts names the contacts it adds (the relay invites them), not those kept', async (t) => {
  const kept = cso.type === 'StakeholderInvited' ? cso.data.contacts[0]! : null;
  const [e] = when(changeContacts, [opened, cso], { stakeholderId: CSO, contacts: [{ name: kept!.name, email: kept!.email }, { name: 'Second', email: 'second@wpn.example' }] });
  t.same(e?.type === 'StakeholderContactsChanged' && e.data.added, [newContactId(1)]);
  const [renamed] = when(changeContacts, [opened, cso], { stakeholderId: CSO, contacts: [{ name: 'New name', email: kept!.email }] });
  t.notOk(renamed?.type === 'StakeholderContactsChanged' && 'added' in renamed.data, 'a renamed contact is no new one');
  t.equal(CONSULTATION_ID.length, 36);
});
