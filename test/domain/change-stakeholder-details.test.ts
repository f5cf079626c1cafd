import t from 'tap';
import { changeStakeholderDetails } from '../../src/commands/change-stakeholder-details.ts';
import { closeConsultation } from '../../src/commands/close-consultation.ts';
import { endorseDraft } from '../../src/commands/endorse-draft.ts';
import { event } from '../../src/domain/events.ts';
import {
  CSO, MFA, MOD, asStakeholder, closedWithdrawn, cso, draft, endorsed, endorsementRequested, errorOf, mfa, mod, opened, removed, signatory,
  stateFrom, when,
} from '../helpers/domain-spec.ts';

const changed = (data: Omit<Parameters<typeof event<'StakeholderDetailsChanged'>>[1], 'stakeholderId'>, stakeholderId = CSO) =>
  event('StakeholderDetailsChanged', { stakeholderId, ...data });

t.test('given nothing, when ChangeStakeholderDetails, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(changeStakeholderDetails, [], { stakeholderId: CSO, kind: 'academia' }), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when ChangeStakeholderDetails, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(changeStakeholderDetails, [opened, cso, closedWithdrawn], { stakeholderId: CSO, kind: 'academia' }), { code: 'CONSULTATION_CLOSED' });
});

t.test('given no such stakeholder, then STAKEHOLDER_NOT_FOUND', async (t) => {
  t.throws(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: '5c0f3a2e-0007-4000-8000-000000000002', kind: 'academia' }), {
    code: 'STAKEHOLDER_NOT_FOUND',
  });
});

t.test('only a coordinator corrects a stakeholder: ACTOR_NOT_ALLOWED for the stakeholder itself', async (t) => {
  t.throws(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, kind: 'academia' }, { actor: asStakeholder(CSO) }), {
    code: 'ACTOR_NOT_ALLOWED',
  });
});

t.test('given a stakeholder, when changing every detail, then one StakeholderDetailsChanged with them all', async (t) => {
  const input = { organisation: "Women's Peace Network Romania", kind: 'academia' as const, language: 'ro', endorser: true };
  t.same(when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, ...input }), [changed(input)]);
});

t.test('only the fields that changed are in the event; the same values again are a no-op', async (t) => {
  // cso: "Women's Peace Network", civil-society, en, not an endorser
  t.same(when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, organisation: "Women's Peace Network", kind: 'academia', language: 'en', endorser: false }), [
    changed({ kind: 'academia' }),
  ]);
  t.same(when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, organisation: "Women's Peace Network", kind: 'civil-society', language: 'en', endorser: false }), []);
  t.same(when(changeStakeholderDetails, [opened, cso, changed({ kind: 'academia' })], { stakeholderId: CSO, kind: 'academia' }), [], 'after the change, the new value is the current one');
});

t.test('a correction of case or spacing in the name is a change (it is the same organisation, spelt right)', async (t) => {
  t.same(when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, organisation: "WOMEN'S PEACE NETWORK" }), [changed({ organisation: "WOMEN'S PEACE NETWORK" })]);
});

t.test('renaming to another stakeholder\'s organisation (whatever its case and spacing) is ORGANISATION_ALREADY_INVITED naming it', async (t) => {
  t.throws(() => when(changeStakeholderDetails, [opened, cso, mfa], { stakeholderId: CSO, organisation: '  ministry of  foreign affairs' }), {
    code: 'ORGANISATION_ALREADY_INVITED', details: { stakeholderId: MFA },
  });
  t.throws(() => when(changeStakeholderDetails, [opened, cso, mfa, removed(MFA)], { stakeholderId: CSO, organisation: 'Ministry of Foreign Affairs' }), {
    code: 'ORGANISATION_ALREADY_INVITED',
  }, 'a removed stakeholder keeps its name');
});

t.test('a language the consultation does not offer is LANGUAGE_NOT_OFFERED (opened in en and ro)', async (t) => {
  const error = errorOf(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, language: 'pl' }));
  t.equal(error.code, 'LANGUAGE_NOT_OFFERED');
  t.equal(error.status, 409);
  t.same(error.details, { language: 'pl', languages: ['en', 'ro'] });
  t.same(when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, language: 'ro' }), [changed({ language: 'ro' })]);
});

t.test('the schema refuses an empty change, unknown fields, an unknown kind and a malformed language', async (t) => {
  t.throws(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO }), { name: 'ZodError', message: /at least one of organisation, kind, language, endorser/ });
  t.throws(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, contacts: [] } as never), { name: 'ZodError' });
  t.throws(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, kind: 'company' as 'other' }), { name: 'ZodError' });
  t.throws(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, language: 'Dutch' }), { name: 'ZodError' });
  t.throws(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, organisation: '  ' }), { name: 'ZodError' });
});

t.test('the state follows the change: organisation, kind, language, endorser', async (t) => {
  const x = stateFrom([opened, cso, changed({ organisation: 'WPN', kind: 'academia', language: 'ro', endorser: true })]).stakeholders.get(CSO)!;
  t.same({ organisation: x.organisation, kind: x.kind, language: x.language, endorser: x.endorser }, { organisation: 'WPN', kind: 'academia', language: 'ro', endorser: true });
});

// ---- endorsers ----

const requested = [opened, draft(1), mfa, cso, endorsementRequested(1)];
/** after draft(1)'s comment deadline: only the endorsements can block adoption */
const AFTER_COMMENTS = { now: '2027-04-02T09:00:00Z' };
const pendingOn = (stakeholderId: string, organisation: string) =>
  ({ code: 'ENDORSEMENTS_MISSING', pending: [{ stakeholderId, organisation, invitationDeclined: false }], withheld: [] });

t.test('becoming an endorser while a request is open: it may endorse, and adoption waits for it', async (t) => {
  const history = [...requested, endorsed(MFA, 1), changed({ endorser: true })];
  t.strictSame(errorOf(() => when(closeConsultation, history, { outcome: 'adopted', finalDraftVersion: 1 }, AFTER_COMMENTS)).details, {
    draftVersion: 1, reasons: [pendingOn(CSO, "Women's Peace Network")],
  });
  t.same(when(endorseDraft, history, { stakeholderId: CSO, draftVersion: 1, signatory }), [event('DraftEndorsed', { stakeholderId: CSO, draftVersion: 1, signatory })]);
  t.same(when(closeConsultation, [...history, endorsed(CSO, 1)], { outcome: 'adopted', finalDraftVersion: 1 }, AFTER_COMMENTS), [
    event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 1 }),
  ]);
});

t.test('ceasing to be an endorser: it is no longer required, may no longer decide, and its earlier decision does not count', async (t) => {
  const history = [opened, draft(1), mfa, mod, endorsementRequested(1), endorsed(MOD, 1), changed({ endorser: false }, MOD)];
  t.throws(() => when(endorseDraft, history, { stakeholderId: MOD, draftVersion: 1, signatory }), { code: 'NOT_AN_ENDORSER' });
  t.strictSame(errorOf(() => when(closeConsultation, history, { outcome: 'adopted', finalDraftVersion: 1 }, AFTER_COMMENTS)).details, {
    draftVersion: 1, reasons: [pendingOn(MFA, 'Ministry of Foreign Affairs')],
  }, 'only the remaining endorser is missing');
  t.same(stateFrom(history).stakeholders.get(MOD)!.decisions.size, 0);
});

t.test('an endorser that ceased and became one again is pending: what it decided before does not count', async (t) => {
  const history = [opened, draft(1), mod, endorsementRequested(1), endorsed(MOD, 1), changed({ endorser: false }, MOD), changed({ endorser: true }, MOD)];
  t.strictSame(errorOf(() => when(closeConsultation, history, { outcome: 'adopted', finalDraftVersion: 1 }, AFTER_COMMENTS)).details, {
    draftVersion: 1, reasons: [pendingOn(MOD, 'Ministry of Defence')],
  }, 'pending, not endorsed');
  t.same(when(endorseDraft, history, { stakeholderId: MOD, draftVersion: 1, signatory }), [endorsed(MOD, 1)], 'endorsing again is not a no-op');
});

t.test('reply domains: replaced (lower-cased), the same ones in another order are a no-op, [] clears them', async (t) => {
  t.same(when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, replyDomains: ['WPN.example', 'wpn.org'] }),
    [changed({ replyDomains: ['wpn.example', 'wpn.org'] })]);
  const set = [opened, cso, changed({ replyDomains: ['wpn.example', 'wpn.org'] })];
  t.same(when(changeStakeholderDetails, set, { stakeholderId: CSO, replyDomains: ['wpn.org', 'wpn.example'] }), []);
  t.same(when(changeStakeholderDetails, set, { stakeholderId: CSO, replyDomains: [] }), [changed({ replyDomains: [] })]);
  t.same(stateFrom([...set]).stakeholders.get(CSO)?.replyDomains, ['wpn.example', 'wpn.org']);
  t.throws(() => when(changeStakeholderDetails, [opened, cso], { stakeholderId: CSO, replyDomains: ['not a domain'] }));
});
