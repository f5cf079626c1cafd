import t from 'tap';
import { closeConsultation } from '../../src/commands/close-consultation.ts';
import { event } from '../../src/domain/events.ts';
import {
  JUS, MFA, MOD, closedWithdrawn, cso, declined, draft, endorsed, endorsementRequested, errorOf, jus, mfa, mod, opened, reinstated,
  removed, withheld, when,
} from '../helpers/domain-spec.ts';

const given = [opened, draft(1), mfa, mod, jus, cso, endorsementRequested(1)];
const allEndorsedV1 = [...given, endorsed(MFA, 1), endorsed(MOD, 1), endorsed(JUS, 1)];
const adopt = (finalDraftVersion: number) => ({ outcome: 'adopted' as const, finalDraftVersion });

t.test('given nothing, when CloseConsultation, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(closeConsultation, [], { outcome: 'withdrawn' }), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when CloseConsultation, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(closeConsultation, [...given, closedWithdrawn], { outcome: 'withdrawn' }), { code: 'CONSULTATION_CLOSED' });
  t.throws(() => when(closeConsultation, [...allEndorsedV1, closedWithdrawn], adopt(1)), { code: 'CONSULTATION_CLOSED' });
});

t.test('given every endorser endorsed the latest version, when closing as adopted on it, then ConsultationClosed', async (t) => {
  t.same(when(closeConsultation, allEndorsedV1, { ...adopt(1), note: 'Adopted by government decision 12/2027' }), [
    event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1, note: 'Adopted by government decision 12/2027' }),
  ]);
});

t.test('adopted needs a final version: the schema refuses none, DRAFT_NOT_FOUND for an unknown one; NO_DRAFT before any', async (t) => {
  t.throws(() => when(closeConsultation, allEndorsedV1, { outcome: 'adopted' }), { name: 'ZodError' });
  t.throws(() => when(closeConsultation, allEndorsedV1, { outcome: 'adopted', finalDraftVersion: null }), { name: 'ZodError' });
  t.throws(() => when(closeConsultation, allEndorsedV1, adopt(5)), { code: 'DRAFT_NOT_FOUND' });
  t.throws(() => when(closeConsultation, [opened], adopt(1)), { code: 'NO_DRAFT' });
});

t.test('adopted only on the latest version: DRAFT_NOT_LATEST, even when that older version was fully endorsed', async (t) => {
  t.throws(() => when(closeConsultation, [...allEndorsedV1, draft(2)], adopt(1)), { code: 'DRAFT_NOT_LATEST' });
});

t.test('endorsements of an older version do not count for the newer one', async (t) => {
  const history = [...allEndorsedV1, draft(2), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' })];
  const e = errorOf(() => when(closeConsultation, history, adopt(2)));
  t.equal(e.code, 'ENDORSEMENTS_MISSING');
  t.same(e.details, {
    missing: [
      { stakeholderId: MFA, organisation: 'Ministry of Foreign Affairs' },
      { stakeholderId: MOD, organisation: 'Ministry of Defence' },
      { stakeholderId: JUS, organisation: 'Ministry of Justice and Security' },
    ],
  });
});

t.test('the error names exactly the missing organisations: not endorsed, withheld, or declined; not the removed, not non-endorsers', async (t) => {
  const history = [...given, endorsed(MFA, 1), withheld(MOD, 1)];
  const e = errorOf(() => when(closeConsultation, history, adopt(1)));
  t.equal(e.code, 'ENDORSEMENTS_MISSING');
  t.equal(e.message, 'draft version 1 is not endorsed by: Ministry of Defence, Ministry of Justice and Security');
  t.same(e.details, {
    missing: [
      { stakeholderId: MOD, organisation: 'Ministry of Defence' },
      { stakeholderId: JUS, organisation: 'Ministry of Justice and Security' },
    ],
  });

  const declinedJus = errorOf(() => when(closeConsultation, [...given, endorsed(MFA, 1), endorsed(MOD, 1), declined(JUS)], adopt(1)));
  t.equal(declinedJus.code, 'ENDORSEMENTS_MISSING');
  t.equal(declinedJus.message, 'draft version 1 is not endorsed by: Ministry of Justice and Security');
  t.same(declinedJus.details, { missing: [{ stakeholderId: JUS, organisation: 'Ministry of Justice and Security' }] });
});

t.test('a removed endorser is not awaited; a reinstated one is', async (t) => {
  const history = [...given, endorsed(MFA, 1), endorsed(MOD, 1), removed(JUS)];
  t.same(when(closeConsultation, history, adopt(1)), [event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1 })]);
  t.throws(() => when(closeConsultation, [...history, reinstated(JUS)], adopt(1)), { code: 'ENDORSEMENTS_MISSING' });
});

t.test('an endorsement later withheld does not count; a withholding later endorsed does', async (t) => {
  t.throws(() => when(closeConsultation, [...allEndorsedV1, withheld(MOD, 1)], adopt(1)), { code: 'ENDORSEMENTS_MISSING' });
  t.equal(when(closeConsultation, [...allEndorsedV1, withheld(MOD, 1), endorsed(MOD, 1)], adopt(1)).length, 1);
});

t.test('with no endorsers at all, adopted closes', async (t) => {
  t.same(when(closeConsultation, [opened, draft(1), cso], adopt(1)), [event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1 })]);
});

t.test('withdrawn closes regardless of endorsements and versions', async (t) => {
  t.same(when(closeConsultation, given, { outcome: 'withdrawn' }), [event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null })]);
  t.same(when(closeConsultation, [opened], { outcome: 'withdrawn', note: 'superseded by the government programme' }), [
    event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null, note: 'superseded by the government programme' }),
  ]);
  t.same(when(closeConsultation, [...given, draft(2)], { outcome: 'withdrawn', finalDraftVersion: 1 }), [
    event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: 1 }),
  ]);
  t.throws(() => when(closeConsultation, given, { outcome: 'withdrawn', finalDraftVersion: 9 }), { code: 'DRAFT_NOT_FOUND' });
});

t.test('the schema refuses an unknown outcome', async (t) => {
  t.throws(() => when(closeConsultation, given, { outcome: 'postponed' as 'withdrawn' }), { name: 'ZodError' });
});

t.test('an endorser that endorsed and then declined the invitation counts as not endorsed', async (t) => {
  const e = errorOf(() => when(closeConsultation, [...allEndorsedV1, declined(JUS)], adopt(1)));
  t.equal(e.code, 'ENDORSEMENTS_MISSING');
  t.same(e.details, { missing: [{ stakeholderId: JUS, organisation: 'Ministry of Justice and Security' }] });
});
