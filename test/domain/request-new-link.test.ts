// RequestNewLink: a contact whose personal link was refused asks the coordinator for a new one;
// and an endorsement names the contact person who made it.
import t from 'tap';
import { endorseDraft } from '../../src/commands/endorse-draft.ts';
import { newLinkCommandId, requestNewLink } from '../../src/commands/request-new-link.ts';
import { withholdEndorsement } from '../../src/commands/withhold-endorsement.ts';
import { fixtureContactId } from '../helpers/contact-ids.ts';
import { event } from '../../src/domain/events.ts';
import {
  asStakeholder, closedWithdrawn, CSO, cso, draft, endorsementRequested, MFA, mfa, MOD, opened, removed, signatory, stateFrom, when,
} from '../helpers/domain-spec.ts';

const focal = fixtureContactId(CSO, 'focal@wpn.example');

t.test('given a removed stakeholder, when its contact asks for a new link, then NewLinkRequested', async (t) => {
  t.same(when(requestNewLink, [opened, cso, removed(CSO)], { stakeholderId: CSO, contactId: focal, reason: 'revoked' }, { actor: asStakeholder(CSO) }), [
    event('NewLinkRequested', { stakeholderId: CSO, contactId: focal, reason: 'revoked' }),
  ]);
});

t.test('given a contact the stakeholder no longer has, then it may ask too (that is what a revoked contact is)', async (t) => {
  const other = { contactId: fixtureContactId(CSO, 'new@wpn.example'), name: 'New', email: 'new@wpn.example' };
  const changed = event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: [other] });
  t.same(when(requestNewLink, [opened, cso, changed], { stakeholderId: CSO, contactId: focal, reason: 'revoked' }, { actor: asStakeholder(CSO) }).length, 1);
});

t.test('refusals: closed, another stakeholder\'s contact or never a contact, acting for another, an auditor', async (t) => {
  const input = { stakeholderId: CSO, contactId: focal, reason: 'expired' } as const;
  t.throws(() => when(requestNewLink, [opened, cso, closedWithdrawn], input, { actor: asStakeholder(CSO) }), { code: 'CONSULTATION_CLOSED' });
  t.throws(() => when(requestNewLink, [opened, cso], { ...input, contactId: fixtureContactId(CSO, 'nobody@wpn.example') }, { actor: asStakeholder(CSO) }), { code: 'CONTACT_NOT_FOUND' });
  t.throws(() => when(requestNewLink, [opened, cso, mfa], input, { actor: asStakeholder(MFA) }), { code: 'ACTOR_NOT_STAKEHOLDER' });
  t.throws(() => when(requestNewLink, [opened, cso], input, { actor: { role: 'auditor', id: 'court' } }), { code: 'ACTOR_NOT_ALLOWED' });
});

t.test('its command id: one a day per contact', async (t) => {
  t.equal(newLinkCommandId(focal, '2027-03-01T09:00:00Z'), newLinkCommandId(focal, '2027-03-01T23:59:00Z'));
  t.not(newLinkCommandId(focal, '2027-03-01T09:00:00Z'), newLinkCommandId(focal, '2027-03-02T00:00:00Z'));
  t.not(newLinkCommandId(focal, '2027-03-01T09:00:00Z'), newLinkCommandId(fixtureContactId(CSO, 'x@wpn.example'), '2027-03-01T09:00:00Z'));
});

t.test('an endorsement or withholding names the contact who made it: one of the endorser\'s contacts now', async (t) => {
  const history = [opened, draft(1), mfa, event('InvitationAccepted', { stakeholderId: MFA }), endorsementRequested(1)];
  const ana = fixtureContactId(MFA, 'gender@mfa.example');
  t.same(when(endorseDraft, history, { stakeholderId: MFA, contactId: ana, draftVersion: 1, signatory }, { actor: asStakeholder(MFA) }), [
    event('DraftEndorsed', { stakeholderId: MFA, contactId: ana, draftVersion: 1, signatory }),
  ]);
  t.same(when(withholdEndorsement, history, { stakeholderId: MFA, contactId: ana, draftVersion: 1, reason: 'no budget' }, { actor: asStakeholder(MFA) }), [
    event('EndorsementWithheld', { stakeholderId: MFA, contactId: ana, draftVersion: 1, reason: 'no budget' }),
  ]);
  const stranger = fixtureContactId(MOD, 'gender@mod.example');
  t.throws(() => when(endorseDraft, history, { stakeholderId: MFA, contactId: stranger, draftVersion: 1, signatory }, { actor: asStakeholder(MFA) }), { code: 'CONTACT_NOT_FOUND' });
  t.throws(() => when(withholdEndorsement, history, { stakeholderId: MFA, contactId: stranger, draftVersion: 1, reason: 'x' }, { actor: asStakeholder(MFA) }), { code: 'CONTACT_NOT_FOUND' });
  const endorsedByAna = event('DraftEndorsed', { stakeholderId: MFA, contactId: ana, draftVersion: 1, signatory });
  t.same(when(endorseDraft, [...history, endorsedByAna], { stakeholderId: MFA, draftVersion: 1, signatory }), [], 'the same decision again, by anyone: nothing new (it is the organisation\'s)');
  t.ok(stateFrom([...history, endorsedByAna]).stakeholders.get(MFA)!.decisions.get(1));
});
