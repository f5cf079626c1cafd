// What a stakeholder's link allows, judged against the consultation's state at each use.
import t from 'tap';
import { fixtureContactId, fixtureContacts } from '../helpers/contact-ids.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import { latestDeadlineFor, linkAccess, type LinkSubject } from '../../src/domain/link-access.ts';
import {
  CONSULTATION_ID, CSO, MFA, NOW, closedWithdrawn, cso, draft, endorsementRequested, extended, mfa, opened, recordedAt, reinstated, removed, stateFrom,
} from '../helpers/domain-spec.ts';

const focal: LinkSubject = { consultationId: CONSULTATION_ID, stakeholderId: CSO, contactId: fixtureContactId(CSO, 'focal@wpn.example') };
/** draft(1)'s comment deadline, 2027-04-01T17:00:00+03:00, in UTC */
const V1 = '2027-04-01T14:00:00Z';
const access = (history: DomainEvent[], at: string, subject = focal) => linkAccess(stateFrom(history), subject, at);

t.test('open, before any deadline is set: full access, no end yet', async (t) => {
  t.strictSame(access([opened, cso], NOW), { ok: true, access: 'full', until: null });
});

t.test('open: full access until 30 days after the latest deadline, then expired', async (t) => {
  const history = [opened, draft(1), cso];
  t.strictSame(access(history, NOW), { ok: true, access: 'full', until: '2027-05-01T14:00:00.000Z' });
  t.match(access(history, '2027-05-01T14:00:00Z'), { ok: true, access: 'full' }, 'to the millisecond');
  t.match(access(history, '2027-05-01T14:00:00.001Z'), { ok: false, reason: 'expired' });
});

t.test('a later deadline (an endorsement request, an extension for everyone) moves the end; an expired link is valid again', async (t) => {
  const late = '2027-05-10T00:00:00Z';
  t.match(access([opened, draft(1), cso, endorsementRequested(1, '2027-05-01T15:00:00Z')], late), { ok: true, until: '2027-05-31T15:00:00.000Z' });
  t.match(access([opened, draft(1), cso], late), { ok: false, reason: 'expired' });
  t.match(access([opened, draft(1), cso, extended('comments', 1, V1, '2027-04-30T00:00:00Z')], late), { ok: true, until: '2027-05-30T00:00:00.000Z' });
});

t.test("a stakeholder's own extension moves the end of its links only", async (t) => {
  const history = [opened, draft(1), cso, mfa, extended('comments', 1, V1, '2027-04-20T14:00:00Z', CSO)];
  t.match(access(history, NOW), { ok: true, until: '2027-05-20T14:00:00.000Z' });
  const mfaContact = { consultationId: CONSULTATION_ID, stakeholderId: MFA, contactId: fixtureContactId(MFA, 'gender@mfa.example') };
  t.match(access(history, NOW, mfaContact), { ok: true, until: '2027-05-01T14:00:00.000Z' });
  const s = stateFrom(history);
  t.equal(latestDeadlineFor(s, s.stakeholders.get(CSO)!), '2027-04-20T14:00:00Z');
});

t.test('closed: read-only for 90 days after the closing, then expired, whatever the deadlines', async (t) => {
  const history = [opened, draft(1, '2027-12-01T00:00:00Z'), cso, recordedAt(NOW, closedWithdrawn)]; // closed at 2027-03-01T09:00:00Z
  t.strictSame(access(history, NOW), { ok: true, access: 'read-only', until: '2027-05-30T09:00:00.000Z' });
  t.match(access(history, '2027-05-30T09:00:00Z'), { ok: true, access: 'read-only' });
  t.match(access(history, '2027-05-30T09:00:01Z'), { ok: false, reason: 'expired' });
});

t.test('revoked when the stakeholder is removed; valid again once reinstated', async (t) => {
  t.match(access([opened, draft(1), cso, removed(CSO)], NOW), { ok: false, reason: 'revoked', detail: /removed/ });
  t.match(access([opened, draft(1), cso, removed(CSO), reinstated(CSO)], NOW), { ok: true, access: 'full' });
  t.match(access([opened, draft(1), cso, removed(CSO), closedWithdrawn], NOW), { ok: false, reason: 'revoked' }, 'also after the closing');
});

t.test('revoked when the contact no longer belongs to the stakeholder, or never did', async (t) => {
  const replaced = event('StakeholderContactsChanged', { stakeholderId: CSO, contacts: fixtureContacts(CSO, [{ name: 'Maria', email: 'maria@wpn.example' }]) });
  t.match(access([opened, draft(1), cso, replaced], NOW), { ok: false, reason: 'revoked', detail: /no longer belongs/ });
  t.match(access([opened, draft(1), cso], NOW, { ...focal, contactId: fixtureContactId(MFA, 'gender@mfa.example') }), { ok: false, reason: 'revoked', detail: /no such contact/ });
  t.match(access([opened, draft(1), cso], NOW, { ...focal, stakeholderId: MFA }), { ok: false, reason: 'revoked', detail: /no such stakeholder/ });
});

t.test('wrong-consultation: the state is not that of the consultation the link names', async (t) => {
  t.match(access([opened, cso], NOW, { ...focal, consultationId: '0d5e8f3a-1c2b-4a6d-9e7f-000000000000' }), { ok: false, reason: 'wrong-consultation' });
  t.match(access([], NOW), { ok: false, reason: 'wrong-consultation' });
});
