// A realistic history of two consultations whose events interleave in the global order, with an
// event of a stream that is not a consultation and an event of a type added later.
import { event } from '../../src/domain/events.ts';
import type { ProjectionEvent } from '../../src/projections/projection.ts';
import {
  CONSULTATION_ID, CSO, ENDORSEMENT_DEADLINE, JUS, MFA, MOD, accepted, asStakeholder, commented, cso, declined, draft, endorsed,
  endorsementRequested, extended, invited, jus, mfa, mod, opened, reinstated, removed, signatory, withheld,
} from '../helpers/domain-spec.ts';
import { recorded, unknownEvent, type Command } from './recorded.ts';

export const OTHER_ID = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
export const ACA = 'sh-aca';
export const aca = invited(ACA, 'Institute for Gender Studies', 'wps@ige.example');
export const V1_COMMENT_DEADLINE = '2027-04-01T14:00:00Z';

const sentInvitation = (stakeholderId: string, n = 1) =>
  event('InvitationSent', { stakeholderId, messageId: `inv-${stakeholderId}-${n}`, sentAt: '2027-03-01T10:00:00Z' });

/** Consultation A: two drafts, five stakeholders, comments answered, revised and retracted, adopted with version 2. */
export const historyA: Command[] = [
  opened,
  draft(1),
  cso, mfa, mod, jus, aca,
  sentInvitation(CSO), sentInvitation(MFA), sentInvitation(MOD), sentInvitation(JUS), sentInvitation(ACA),
  event('DeliveryFailed', { stakeholderId: ACA, messageId: `inv-${ACA}-1`, messageKind: 'invitation', error: '550 no such mailbox', permanent: true, failedAt: '2027-03-01T10:01:00Z' }),
  event('StakeholderContactsChanged', { stakeholderId: ACA, contacts: [{ name: 'Dr. Ioana Marin', email: 'ioana.marin@ige.example' }] }),
  { events: [sentInvitation(ACA, 2)], actor: { role: 'system', id: 'mailer' } },
  { events: [accepted(MFA)], actor: asStakeholder(MFA) },
  { events: [accepted(CSO)], actor: asStakeholder(CSO) },
  { events: [declined(JUS)], actor: asStakeholder(JUS) },
  commented('k-1', CSO, 1, 's1'),
  commented('k-2', CSO, 1, null),
  event('CommentSubmitted', {
    commentId: 'k-3', stakeholderId: ACA, draftVersion: 1, sectionKey: 's2', text: 'Add a baseline study.', proposedText: 'A baseline study is commissioned in 2027.',
    channel: 'meeting', madeAt: '2027-03-02T11:00:00Z',
  }),
  event('CommentAnswered', { commentId: 'k-1', disposition: 'noted', response: 'Will be considered.' }),
  event('CommentAnswered', { commentId: 'k-1', disposition: 'accepted', response: 'Added to section 1.' }),
  event('CommentAnswered', { commentId: 'k-2', disposition: 'rejected', response: 'Out of scope.' }),
  event('CommentRetracted', { commentId: 'k-3', reason: 'entered on the wrong stakeholder' }),
  { events: [event('ReviewCompleted', { stakeholderId: MOD, draftVersion: 1 })], actor: asStakeholder(MOD) },
  extended('comments', 1, V1_COMMENT_DEADLINE, '2027-04-08T14:00:00Z'),
  extended('comments', 1, '2027-04-08T14:00:00Z', '2027-04-15T14:00:00Z', CSO),
  event('ReminderSent', { stakeholderId: ACA, messageId: 'rem-aca-1', phase: 'comments', draftVersion: 1, deadline: '2027-04-08T14:00:00Z', sentAt: '2027-04-06T08:00:00Z' }),
  endorsementRequested(1),
  event('NoticeSent', { stakeholderId: MFA, messageId: 'notice-mfa-1', notice: 'endorsement-request', draftVersion: 1, sentAt: '2027-04-20T08:00:00Z' }),
  event('NoticeSent', { stakeholderId: MOD, messageId: 'notice-mod-1', notice: 'endorsement-request', draftVersion: 1, sentAt: '2027-04-20T08:00:00Z' }),
  { events: [endorsed(MFA, 1)], actor: asStakeholder(MFA) },
  withheld(MOD, 1),
  extended('endorsement', 1, ENDORSEMENT_DEADLINE, '2027-05-08T15:00:00Z', MOD),
  [draft(2, '2027-06-01T17:00:00+03:00', ['s1', 's2', 's3']), event('EndorsementRequestCancelled', { draftVersion: 1, reason: 'superseded' })],
  commented('k-4', CSO, 2, 's3'),
  event('CommentAnswered', { commentId: 'k-4', disposition: 'partially-accepted', response: 'Partly reflected in 3.2.' }),
  reinstated(JUS),
  removed(ACA),
  endorsementRequested(2, '2027-07-01T15:00:00Z'),
  endorsed(MFA, 2),
  withheld(MOD, 2),
  event('DraftEndorsed', { stakeholderId: MOD, draftVersion: 2, signatory: { name: 'Gen. Radu Ionescu', title: 'Chief of Staff' }, statement: 'Endorsed after revision.', evidence: 'letter MOD-77/2027' }),
  endorsed(JUS, 2),
  event('ConsultationClosed', { outcome: 'adopted', finalDraftVersion: 2, note: 'Adopted by government decision.' }),
  event('DeliveryFailed', { stakeholderId: CSO, messageId: 'notice-cso-close', messageKind: 'notice', error: 'mailbox full', permanent: false, failedAt: '2027-07-02T08:00:00Z' }),
];

/** Consultation B: opened, one comment answered, withdrawn. */
export const historyB: Command[] = [
  { ...opened, data: { ...opened.data, consultationId: OTHER_ID, title: 'Local action plan, Cluj county' } },
  draft(1),
  invited('sh-b-1', 'Cluj Women’s Association', 'contact@cwa.example'),
  commented('b-1', 'sh-b-1', 1, 's2'),
  event('CommentAnswered', { commentId: 'b-1', disposition: 'accepted', response: 'Thank you.' }),
  event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null }),
];

export const eventsA = recorded(historyA);
export const eventsB = recorded(historyB, { consultationId: OTHER_ID, start: '2027-03-05T09:00:00.000Z' });

/** Both histories in one global order (B's events among A's), with a foreign stream's event and an unknown event type. */
export function globalHistory(): ProjectionEvent[] {
  const out: ProjectionEvent[] = [];
  const b = [...eventsB];
  eventsA.forEach((e, i) => {
    out.push(e);
    if (i % 6 === 5 && b.length > 0) out.push(b.shift()!);
    if (i === 10) out.push({ streamName: '$projections-audit', revision: 0, type: 'CommentSubmitted', data: { commentId: 'x' }, metadata: {}, created: e.created });
  });
  out.push(...b);
  out.push(unknownEvent(eventsA.length));
  return out;
}
