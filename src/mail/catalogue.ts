// What a message says, in one language: one catalogue per language (catalogues/), each a set of
// functions from the message's facts to plain text. Texts are plain: the HTML template escapes
// every one of them, the text template writes them as they are.
import type { HeldReasonCode } from '../domain/schemas.ts';
import type { Language, PluralForms } from './language.ts';

export type Disposition = 'accepted' | 'partially-accepted' | 'rejected' | 'noted';
export type ClosingOutcome = 'adopted' | 'withdrawn';
export type MessageKindName = 'invitation' | 'notice' | 'reminder';

/** One delivery failure as the office digest lists it, already formatted (the time in the consultation's zone). */
export interface DeliveryFailureLine {
  organisation: string;
  /** `Name <address>`, or null when the record names no contact the consultation knows */
  contact: string | null;
  kind: string;
  when: string;
  reason: string;
}

/** One reply by e-mail held for the coordinator, as the office digest lists it (no sender address). */
export interface HeldReplyLine {
  organisation: string;
  /** when it was received, in the consultation's zone */
  when: string;
  /** why it was held, each in words */
  reasons: string[];
}

/** The facts a catalogue puts into words, already formatted for the recipient (dates, refs). */
export interface Facts {
  title: string;
  organisation: string;
  leadOrganisation: string;
  draftVersion: number | null;
  /** the deadline, as formatDeadline wrote it */
  deadline: string | null;
  /** the deadline's date alone, for subjects */
  deadlineDate: string | null;
}

export interface Catalogue {
  language: Language;
  greeting(name: string): string;
  signOff: string;
  /** the link's label */
  action: string;
  personalLink: string;
  replyByEmail: string;
  labels: {
    consultation: string;
    draftVersion: string;
    asked: string;
    deadline: string;
    comments: string;
    answers: string;
    coordinatorMessage: string;
    note: string;
  };
  asked: {
    comments(version: number): string;
    endorsement(version: number): string;
    nothingYet: string;
    nothing: string;
  };
  disposition: Record<Disposition, string>;
  invitation: { subject(f: Facts): string; lead(f: Facts): string[] };
  newDraft: { subject(f: Facts): string; lead(f: Facts): string[] };
  endorsementRequest: { subject(f: Facts): string; lead(f: Facts): string[] };
  reminder: Record<'comments' | 'endorsement', { subject(f: Facts): string; lead(f: Facts): string[] }>;
  acknowledgement: { subject(f: Facts, refs: string): string; received: PluralForms; lead(f: Facts, received: string): string[] };
  outcome: { subject(f: Facts): string; lead(f: Facts, outcome: ClosingOutcome): string[]; readableUntil(date: string): string };
  answersDigest: { subject(f: Facts, answered: string): string; answered: PluralForms; lead(f: Facts, answered: string): string[] };
  /**
   * The digest to the coordinating office's mailboxes (notifyEmails): one section per kind of item
   * (delivery failures, held replies), each a counted label and its lines.
   */
  officeDigest: {
    subject(f: Facts, day: string): string;
    greeting: string;
    lead(f: Facts, day: string): string[];
    /** why this mailbox gets it */
    footer: string;
    signature: string;
    messageKind: Record<MessageKindName, string>;
    deliveryFailures: { count: PluralForms; line(l: DeliveryFailureLine): string };
    /** the replies held in the period and still pending, what held each, and where to decide them */
    heldReplies: { count: PluralForms; line(l: HeldReplyLine): string; reason: Record<HeldReasonCode, string>; review(path: string): string };
  };
}
