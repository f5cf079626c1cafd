// Given/when/then helpers for the domain specifications: given these events, when this command,
// then these events (or this error code). Pure: no store, no clock.
import { contactIdsOf } from '../../src/domain/contacts.ts';
import { fixtureContactId, fixtureContacts } from './contact-ids.ts';
import { evolve, initialState, type ConsultationState } from '../../src/domain/consultation.ts';
import { event, type DomainEvent, type EventOf } from '../../src/domain/events.ts';
import { DomainError } from '../../src/domain/errors.ts';
import type { Actor } from '../../src/domain/schemas.ts';
import type { CommandContext, CommandDefinition } from '../../src/commands/command.ts';
import type { z } from 'zod';

export const CONSULTATION_ID = '0d5e8f3a-1c2b-4a6d-9e7f-8a9b0c1d2e3f';
/** "now" for commands unless a test says otherwise */
export const NOW = '2027-03-01T09:00:00Z';
export const COORDINATOR = { role: 'coordinator', id: 'gender-office' } as const;

/** when the given events were recorded (a draft's publication, say), unless `recordedAt` says otherwise: before NOW */
export const GIVEN_AT = '2027-02-01T09:00:00Z';
const givenTimes = new WeakMap<DomainEvent, string>();

/** The event as recorded at `time` in a given history (e.g. a draft published then). */
export function recordedAt<E extends DomainEvent>(time: string, e: E): E {
  const copy = { ...e };
  givenTimes.set(copy, time);
  return copy;
}

export function stateFrom(history: DomainEvent[]): ConsultationState {
  return history.reduce(
    (s, e, i) => evolve(s, {
      event: e, revision: i, metadata: { commandId: `given-${i}`, commandHash: `h${i}`, hash: `hash-${i}`, recordedAt: givenTimes.get(e) ?? GIVEN_AT },
    }),
    initialState(),
  );
}

/** The command id `when` decides with, unless a test says otherwise. */
export const COMMAND_ID = 'cmd-under-test';
/** The id the command under test gives a new contact at this index of its input. */
export const newContactId = contactIdsOf(COMMAND_ID);

/** Parses the input with the command's schema (as the handler does) and decides on the given history. */
export function when<S extends z.ZodType>(
  command: CommandDefinition<S>,
  history: DomainEvent[],
  input: z.input<S>,
  ctx: Partial<CommandContext> = {},
): DomainEvent[] {
  return command.decide(stateFrom(history), command.schema.parse(input), {
    consultationId: CONSULTATION_ID,
    commandId: COMMAND_ID,
    actor: COORDINATOR,
    now: NOW,
    ...ctx,
  });
}

// A small vocabulary of facts for the "given" part.
export const opened = event('ConsultationOpened', {
  consultationId: CONSULTATION_ID,
  title: 'Third National Action Plan on Women, Peace and Security',
  summary: 'Consultation on the draft plan',
  leadOrganisation: 'Ministry of Defence, Gender Office',
  languages: ['en', 'ro'],
  timeZone: 'Europe/Bucharest',
});

export function draft(version: number, commentDeadline = '2027-04-01T17:00:00+03:00', keys = ['s1', 's2']): DomainEvent {
  return event('DraftPublished', {
    version,
    sections: keys.map((key) => ({ key, heading: `Heading ${key}`, text: `Text of ${key} in v${version}` })),
    commentDeadline,
  });
}

export function invited(stakeholderId: string, organisation: string, email: string, endorser = false): DomainEvent {
  return event('StakeholderInvited', {
    stakeholderId,
    organisation,
    kind: endorser ? 'ministry' : 'civil-society',
    contacts: fixtureContacts(stakeholderId, [{ name: `Focal point of ${organisation}`, email }]),
    language: 'en',
    endorser,
  });
}

// More facts, shared by the specifications.
/** Organisations used across the specifications: one CSO (comments only) and three ministries that must endorse. */
export const CSO = '5c0f3a2e-0001-4000-8000-00000000c501';
export const MFA = '5c0f3a2e-0002-4000-8000-00000000af01';
export const MOD = '5c0f3a2e-0003-4000-8000-00000000d001';
export const JUS = '5c0f3a2e-0004-4000-8000-00000000e501';
export const cso = invited(CSO, "Women's Peace Network", 'focal@wpn.example');
export const mfa = invited(MFA, 'Ministry of Foreign Affairs', 'gender@mfa.example', true);
export const mod = invited(MOD, 'Ministry of Defence', 'gender@mod.example', true);
export const jus = invited(JUS, 'Ministry of Justice and Security', 'gender@jus.example', true);

/** the comment deadline of draft(…) by default: 2027-04-01T17:00:00+03:00 */
export const COMMENT_DEADLINE = '2027-04-01T14:00:00Z';
export const ENDORSEMENT_DEADLINE = '2027-05-01T15:00:00Z';

export function asStakeholder(stakeholderId: string): Actor {
  return { role: 'stakeholder', id: stakeholderId };
}

export const closedWithdrawn = event('ConsultationClosed', { outcome: 'withdrawn', finalDraftVersion: null });
export const accepted = (stakeholderId: string) => event('InvitationAccepted', { stakeholderId });
export const declined = (stakeholderId: string) => event('InvitationDeclined', { stakeholderId });
export const removed = (stakeholderId: string) => event('StakeholderRemoved', { stakeholderId, reason: 'left the coalition' });
export const reinstated = (stakeholderId: string) => event('StakeholderReinstated', { stakeholderId });
export function commented(commentId: string, stakeholderId = CSO, draftVersion = 1, sectionKey: string | null = 's1'): DomainEvent {
  return event('CommentSubmitted', {
    commentId, stakeholderId, draftVersion, sectionKey, text: 'Name the budget line for shelters.', channel: 'api', madeAt: NOW,
  });
}
export const endorsementRequested = (draftVersion: number, deadline = ENDORSEMENT_DEADLINE) =>
  event('EndorsementRequested', { draftVersion, deadline });
export const signatory = { name: 'Ana Popescu', title: 'State Secretary' };
export const endorsed = (stakeholderId: string, draftVersion: number) => event('DraftEndorsed', { stakeholderId, draftVersion, signatory });
export const withheld = (stakeholderId: string, draftVersion: number) =>
  event('EndorsementWithheld', { stakeholderId, draftVersion, reason: 'budget not agreed' });
export function extended(
  phase: 'comments' | 'endorsement', draftVersion: number, previousDeadline: string, deadline: string, stakeholderId?: string,
): DomainEvent {
  return event('DeadlineExtended', {
    phase, draftVersion, previousDeadline, deadline, reason: 'requested more time', ...(stakeholderId ? { stakeholderId } : {}),
  });
}

/** The DomainError a call throws (fails the test when it throws nothing or something else). */
export function errorOf(f: () => unknown): DomainError {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

/** A reply by e-mail held for the coordinator (as recordEmailReply holds one): from CSO's focal point, on draft 1. */
export function heldReply(heldId: string, over: Partial<EventOf<'InboundReplyHeld'>['data']> = {}): DomainEvent {
  return event('InboundReplyHeld', {
    heldId, stakeholderId: CSO, contactId: fixtureContactId(CSO, 'focal@wpn.example'), messageId: `<${heldId}@mail.example>`, draftVersion: 1,
    from: 'someone@elsewhere.example', subject: 'Re: Invitation', receivedAt: '2027-03-10T08:30:00Z',
    blocks: [{ section: null, text: 'We welcome the plan.' }], attachments: [],
    reasons: [{ code: 'SENDER_NOT_ALLOWED', message: 'the sender is neither a contact address nor in a listed domain' }],
    ...over,
  });
}
