// Who may give which command: coordinators run the consultation, stakeholders answer it (only
// for themselves), the system records what the mail workers did, auditors give no command.
import t from 'tap';
import { commands } from '../../src/commands/index.ts';
import type { CommandDefinition } from '../../src/commands/command.ts';
import { CSO, cso, draft, opened, when } from '../helpers/domain-spec.ts';

const STAKEHOLDER = { role: 'stakeholder', id: CSO } as const;
const SYSTEM = { role: 'system', id: 'mail-worker' } as const;
const AUDITOR = { role: 'auditor', id: 'court-of-audit' } as const;
const given = [opened, draft(1), cso];

const coordinatorOnly: [CommandDefinition, unknown][] = [
  [commands.openConsultation, { title: 'x', leadOrganisation: 'x', languages: ['en'], timeZone: 'UTC' }],
  [commands.publishDraft, { sections: [{ key: 'a', heading: 'A', text: '' }], commentDeadline: '2099-01-01T00:00:00Z' }],
  [commands.inviteStakeholder, { organisation: 'X', kind: 'other', contacts: [{ name: 'X', email: 'x@x.example' }], language: 'en' }],
  [commands.changeContacts, { stakeholderId: CSO, contacts: [{ name: 'X', email: 'x@x.example' }] }],
  [commands.changeStakeholderDetails, { stakeholderId: CSO, endorser: true }],
  [commands.removeStakeholder, { stakeholderId: CSO, reason: 'x' }],
  [commands.reinstateStakeholder, { stakeholderId: CSO }],
  [commands.retractComment, { commentId: 'c0ffee00-000c-4000-8000-00000000000c', reason: 'x' }],
  [commands.answerComment, { commentId: 'c0ffee00-000c-4000-8000-00000000000c', disposition: 'noted', response: 'x' }],
  [commands.requestEndorsement, { draftVersion: 1, deadline: '2099-01-01T00:00:00Z' }],
  [commands.cancelEndorsementRequest, { draftVersion: 1 }],
  [commands.extendDeadline, { phase: 'comments', deadline: '2099-01-01T00:00:00Z', reason: 'x' }],
  [commands.closeConsultation, { outcome: 'withdrawn' }],
];

for (const [command, input] of coordinatorOnly) {
  t.test(`${command.name} is the coordinator's: a stakeholder, the system or an auditor gets ACTOR_NOT_ALLOWED`, async (t) => {
    for (const actor of [STAKEHOLDER, SYSTEM, AUDITOR]) {
      t.throws(() => when(command, given, input as never, { actor }), { code: 'ACTOR_NOT_ALLOWED' }, actor.role);
    }
  });
}

t.test('a stakeholder comments for itself; the system may record a comment that came by e-mail; an auditor may not', async (t) => {
  const input = { stakeholderId: CSO, draftVersion: 1, text: 'From the e-mail reply', channel: 'email' as const };
  t.equal(when(commands.submitComment, given, input, { actor: STAKEHOLDER }).length, 1);
  t.equal(when(commands.submitComment, given, input, { actor: SYSTEM }).length, 1);
  t.throws(() => when(commands.submitComment, given, input, { actor: AUDITOR }), { code: 'ACTOR_NOT_ALLOWED' });
});

t.test('the system records messages sent; a stakeholder may not', async (t) => {
  const input = { kind: 'invitation' as const, stakeholderId: CSO, messageId: 'm-1', sentAt: '2027-03-01T09:00:00Z' };
  t.equal(when(commands.recordMessageSent, given, input, { actor: SYSTEM }).length, 1);
  t.throws(() => when(commands.recordMessageSent, given, input, { actor: STAKEHOLDER }), { code: 'ACTOR_NOT_ALLOWED' });
  const failure = { stakeholderId: CSO, messageId: 'm-2', messageKind: 'invitation' as const, error: '550', failedAt: '2027-03-01T09:00:00Z' };
  t.throws(() => when(commands.recordDeliveryFailure, given, failure, { actor: STAKEHOLDER }), { code: 'ACTOR_NOT_ALLOWED' });
});
