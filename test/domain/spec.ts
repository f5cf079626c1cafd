// Given/when/then helpers for the domain specifications: given these events, when this command,
// then these events (or this error code). Pure: no store, no clock.
import { evolve, initialState, type ConsultationState } from '../../src/domain/consultation.ts';
import { event, type DomainEvent } from '../../src/domain/events.ts';
import type { CommandContext, CommandDefinition } from '../../src/commands/command.ts';
import type { z } from 'zod';

export const CONSULTATION_ID = '0d5e8f3a-1c2b-4a6d-9e7f-8a9b0c1d2e3f';
/** "now" for commands unless a test says otherwise */
export const NOW = '2027-03-01T09:00:00Z';
export const COORDINATOR = { role: 'coordinator', id: 'gender-office' } as const;

export function stateFrom(history: DomainEvent[]): ConsultationState {
  return history.reduce(
    (s, e, i) => evolve(s, { ...e, revision: i, metadata: { commandId: `given-${i}`, commandHash: `h${i}`, hash: `hash-${i}` } }),
    initialState(),
  );
}

/** Parses the input with the command's schema (as the handler does) and decides on the given history. */
export function when<S extends z.ZodType>(
  command: CommandDefinition<S>,
  history: DomainEvent[],
  input: z.input<S>,
  ctx: Partial<CommandContext> = {},
): DomainEvent[] {
  return command.decide(stateFrom(history), command.schema.parse(input), {
    consultationId: CONSULTATION_ID,
    commandId: 'cmd-under-test',
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
    contacts: [{ name: `Focal point of ${organisation}`, email }],
    language: 'en',
    endorser,
  });
}
