// Messages to render in the mail tests: one of each kind, for a consultation in Bucharest's time zone.
import type { MessageCommon, MessageFacts } from '../../src/mail/render.ts';

/** 2027-04-01T17:00 in Bucharest (EEST, UTC+3) */
export const DEADLINE = '2027-04-01T14:00:00Z';
export const HOSTILE = '<script>alert("x")</script> & Co';

export function common(language: string, overrides: Partial<MessageCommon> = {}): MessageCommon {
  return {
    consultation: { title: 'Third National Action Plan on Women, Peace and Security', leadOrganisation: 'Ministry of Defence, Gender Office', languages: ['ro', 'en'], timeZone: 'Europe/Bucharest' },
    stakeholder: { organisation: "Women's Peace Network", language },
    contact: { name: 'Ioana Marin' },
    link: 'https://consult.example.org/r/eyJhbGciOiJIUzI1NiJ9.e30.sig',
    ...overrides,
  };
}

/** One message of each kind, on draft version 2 where it has one. */
export const EVERY_KIND: MessageFacts[] = [
  { kind: 'invitation', draftVersion: 2, deadline: DEADLINE },
  { kind: 'new-draft', draftVersion: 2, deadline: DEADLINE, note: 'Section 3 was rewritten.' },
  { kind: 'endorsement-request', draftVersion: 2, deadline: DEADLINE },
  { kind: 'reminder', phase: 'comments', draftVersion: 2, deadline: DEADLINE, message: 'Please look at section 3 in particular.' },
  { kind: 'reminder', phase: 'endorsement', draftVersion: 2, deadline: DEADLINE },
  { kind: 'acknowledgement', draftVersion: 2, commentRefs: ['C-3', 'C-4', 'C-7'], deadline: DEADLINE },
  { kind: 'outcome', outcome: 'adopted', finalDraftVersion: 2, readableUntil: '2027-08-30T09:00:00Z' },
  { kind: 'answers-digest', answered: [{ ref: 'C-3', disposition: 'accepted' }, { ref: 'C-4', disposition: 'partially-accepted' }, { ref: 'C-7', disposition: 'rejected' }] },
];
