// A message for one contact, in the recipient's language: its subject, HTML and text. What it says
// is the catalogue's (catalogues/), how it is laid out the templates' (templates.ts); this module
// chooses the language, formats the dates and counts, and fills the layout. Pure: the caller
// gives every fact, the personal link included (compose.ts makes it).
import type { HeldReasonCode } from '../domain/schemas.ts';
import type { Catalogue, ClosingOutcome, Disposition, Facts, MessageKindName } from './catalogue.ts';
import { en } from './catalogues/en.ts';
import { nl } from './catalogues/nl.ts';
import { ro } from './catalogues/ro.ts';
import { chooseLanguage, formatDate, formatDateTime, formatDeadline, plural, type Language } from './language.ts';
import { REPLY_MARKERS } from './markers.ts';
import { renderHtml, renderText, type Layout } from './templates.ts';

const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en, ro, nl };

export const TEMPLATE_KINDS = ['invitation', 'new-draft', 'endorsement-request', 'reminder', 'acknowledgement', 'outcome', 'answers-digest'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

/** What every message needs to know: the consultation, the stakeholder, the contact, the link. */
export interface MessageCommon {
  consultation: { title: string; leadOrganisation: string; languages: readonly string[]; timeZone: string };
  stakeholder: { organisation: string; language: string };
  contact: { name: string };
  /** the personal link, PUBLIC_URL/r/<token> */
  link: string;
}

export type MessageFacts =
  /** draftVersion and deadline null before the first draft; endorsementDeadline set when the stakeholder is an endorser and endorsement is requested */
  | { kind: 'invitation'; draftVersion: number | null; deadline: string | null; endorsement?: { draftVersion: number; deadline: string } }
  | { kind: 'new-draft'; draftVersion: number; deadline: string; note?: string }
  | { kind: 'endorsement-request'; draftVersion: number; deadline: string }
  /** message: the coordinators' own words, if they added any */
  | { kind: 'reminder'; phase: 'comments' | 'endorsement'; draftVersion: number; deadline: string; message?: string }
  /** deadline: until when more may be sent, if still open */
  | { kind: 'acknowledgement'; draftVersion: number; commentRefs: readonly string[]; deadline?: string }
  /** readableUntil: until when the link reads (linkAccess's `until`) */
  | { kind: 'outcome'; outcome: ClosingOutcome; finalDraftVersion: number | null; note?: string; readableUntil: string }
  | { kind: 'answers-digest'; answered: ReadonlyArray<{ ref: string; disposition: Disposition }> };

export type MessageInput = MessageCommon & MessageFacts;

export interface RenderedMessage {
  kind: TemplateKind | 'office-digest';
  language: Language;
  /** what dates and numbers were written for, e.g. ro-RO */
  locale: string;
  subject: string;
  html: string;
  text: string;
}

/** Any text on one line: control characters and line breaks (never expected: the commands refuse them) become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

function linesOf(text: string | undefined): string[] | null {
  if (text === undefined || text.trim() === '') return null;
  return text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ''));
}

export function renderMessage(input: MessageInput): RenderedMessage {
  const { language, locale } = chooseLanguage(input.stakeholder.language, input.consultation.languages);
  const c = CATALOGUES[language];
  const tz = input.consultation.timeZone;
  const deadlineOf = (d: string | null | undefined) => (d ? formatDeadline(d, locale, tz) : null);
  const facts = (draftVersion: number | null, deadline: string | null | undefined): Facts => ({
    title: oneLine(input.consultation.title),
    organisation: oneLine(input.stakeholder.organisation),
    leadOrganisation: oneLine(input.consultation.leadOrganisation),
    draftVersion,
    deadline: deadlineOf(deadline),
    deadlineDate: deadline ? formatDate(deadline, locale, tz) : null,
  });
  const rows = (f: Facts, asked: string, deadline: string | null = f.deadline) => [
    { label: c.labels.consultation, value: f.title },
    ...(f.draftVersion !== null ? [{ label: c.labels.draftVersion, value: String(f.draftVersion) }] : []),
    { label: c.labels.asked, value: asked },
    ...(deadline !== null ? [{ label: c.labels.deadline, value: deadline }] : []),
  ];

  let subject: string;
  let paragraphs: string[];
  let table: Layout['facts'];
  const lists: Layout['lists'] = [];
  let note: Layout['note'] = null;
  switch (input.kind) {
    case 'invitation': {
      const f = facts(input.draftVersion, input.deadline);
      subject = c.invitation.subject(f);
      paragraphs = c.invitation.lead(f);
      table = rows(f, input.draftVersion === null ? c.asked.nothingYet : c.asked.comments(input.draftVersion));
      if (input.endorsement) {
        table.push({ label: c.labels.asked, value: c.asked.endorsement(input.endorsement.draftVersion) });
        table.push({ label: c.labels.deadline, value: deadlineOf(input.endorsement.deadline)! });
      }
      break;
    }
    case 'new-draft': {
      const f = facts(input.draftVersion, input.deadline);
      subject = c.newDraft.subject(f);
      paragraphs = c.newDraft.lead(f);
      table = rows(f, c.asked.comments(input.draftVersion));
      const lines = linesOf(input.note);
      if (lines) note = { label: c.labels.note, lines };
      break;
    }
    case 'endorsement-request': {
      const f = facts(input.draftVersion, input.deadline);
      subject = c.endorsementRequest.subject(f);
      paragraphs = c.endorsementRequest.lead(f);
      table = rows(f, c.asked.endorsement(input.draftVersion));
      break;
    }
    case 'reminder': {
      const f = facts(input.draftVersion, input.deadline);
      subject = c.reminder[input.phase].subject(f);
      paragraphs = c.reminder[input.phase].lead(f);
      table = rows(f, input.phase === 'comments' ? c.asked.comments(input.draftVersion) : c.asked.endorsement(input.draftVersion));
      const lines = linesOf(input.message);
      if (lines) note = { label: c.labels.coordinatorMessage, lines };
      break;
    }
    case 'acknowledgement': {
      const f = facts(input.draftVersion, input.deadline);
      const refs = input.commentRefs.map(oneLine);
      subject = c.acknowledgement.subject(f, refs.join(', '));
      paragraphs = c.acknowledgement.lead(f, plural(locale, refs.length, c.acknowledgement.received));
      table = [{ label: c.labels.consultation, value: f.title }, { label: c.labels.draftVersion, value: String(input.draftVersion) }];
      if (f.deadline !== null) table.push({ label: c.labels.deadline, value: f.deadline });
      lists.push({ label: c.labels.comments, items: refs });
      break;
    }
    case 'outcome': {
      const f = facts(input.finalDraftVersion, null);
      subject = c.outcome.subject(f);
      paragraphs = [...c.outcome.lead(f, input.outcome), c.outcome.readableUntil(formatDate(input.readableUntil, locale, tz))];
      table = rows(f, c.asked.nothing);
      const lines = linesOf(input.note);
      if (lines) note = { label: c.labels.note, lines };
      break;
    }
    case 'answers-digest': {
      const f = facts(null, null);
      const answered = plural(locale, input.answered.length, c.answersDigest.answered);
      subject = c.answersDigest.subject(f, answered);
      paragraphs = c.answersDigest.lead(f, answered);
      table = [{ label: c.labels.consultation, value: f.title }];
      lists.push({ label: c.labels.answers, items: input.answered.map((a) => `${oneLine(a.ref)}: ${c.disposition[a.disposition]}`) });
      break;
    }
  }

  const layout: Layout = {
    lang: language,
    subject: oneLine(subject),
    marker: REPLY_MARKERS[language],
    greeting: c.greeting(oneLine(input.contact.name)),
    paragraphs,
    facts: table,
    lists,
    note,
    link: { label: c.action, url: input.link },
    footer: [c.personalLink, c.replyByEmail],
    signOff: c.signOff,
    signature: oneLine(input.consultation.leadOrganisation),
  };
  return { kind: input.kind, language, locale, subject: layout.subject, html: renderHtml(layout), text: renderText(layout) };
}

/**
 * A section of the office's digest: one kind of item, each listed; a section with no items is left
 * out. Held replies name the organisation, when and why, never the sender's address (personal data:
 * the held-replies view, for coordinators only, has it).
 */
export type OfficeDigestSection =
  | {
    kind: 'delivery-failures';
    items: ReadonlyArray<{
      organisation: string;
      /** null: the record names no contact the consultation knows */
      contact: { name: string; email: string } | null;
      messageKind: MessageKindName;
      failedAt: string;
      /** what the SMTP server said, or what went wrong */
      error: string;
    }>;
  }
  | {
    kind: 'held-replies';
    items: ReadonlyArray<{
      organisation: string;
      receivedAt: string;
      /** why it was held (HeldReasonCode), each once, in the order the command found them */
      reasons: readonly HeldReasonCode[];
    }>;
    /** where a coordinator sees and decides them: GET /consultations/<id>/held-replies */
    review: string;
  };
export type OfficeDigestSectionKind = OfficeDigestSection['kind'];

export interface OfficeDigestInput {
  consultation: MessageCommon['consultation'];
  /** the period reported on: from (inclusive) to until (exclusive), ISO-8601 */
  from: string;
  until: string;
  sections: readonly OfficeDigestSection[];
}

/** The digest to the coordinating office's mailboxes: in the consultation's first language, times in its time zone. */
export function renderOfficeDigest(input: OfficeDigestInput): RenderedMessage {
  const { language, locale } = chooseLanguage(input.consultation.languages[0] ?? 'en', input.consultation.languages);
  const c = CATALOGUES[language];
  const tz = input.consultation.timeZone;
  const f: Facts = {
    title: oneLine(input.consultation.title),
    organisation: '',
    leadOrganisation: oneLine(input.consultation.leadOrganisation),
    draftVersion: null,
    deadline: null,
    deadlineDate: null,
  };
  // the period's day as its people name it (a period ends at a midnight: its last instant is the day's)
  const day = formatDate(input.from, locale, tz);
  const lists: Layout['lists'] = [];
  for (const section of input.sections) {
    if (section.items.length === 0) continue;
    switch (section.kind) {
      case 'delivery-failures':
        lists.push({
          label: plural(locale, section.items.length, c.officeDigest.deliveryFailures.count),
          items: section.items.map((i) => c.officeDigest.deliveryFailures.line({
            organisation: oneLine(i.organisation),
            contact: i.contact ? `${oneLine(i.contact.name)} <${oneLine(i.contact.email)}>` : null,
            kind: c.officeDigest.messageKind[i.messageKind],
            when: formatDateTime(i.failedAt, locale, tz),
            reason: oneLine(i.error),
          })),
        });
        break;
      case 'held-replies':
        lists.push({
          label: plural(locale, section.items.length, c.officeDigest.heldReplies.count),
          items: section.items.map((i) => c.officeDigest.heldReplies.line({
            organisation: oneLine(i.organisation),
            when: formatDateTime(i.receivedAt, locale, tz),
            reasons: i.reasons.map((r) => c.officeDigest.heldReplies.reason[r]),
          })),
          after: c.officeDigest.heldReplies.review(oneLine(section.review)),
        });
        break;
    }
  }
  const layout: Layout = {
    lang: language,
    subject: oneLine(c.officeDigest.subject(f, day)),
    marker: REPLY_MARKERS[language],
    greeting: c.officeDigest.greeting,
    paragraphs: c.officeDigest.lead(f, day),
    facts: [{ label: c.labels.consultation, value: f.title }],
    lists,
    note: null,
    link: null,
    footer: [c.officeDigest.footer],
    signOff: c.signOff,
    signature: c.officeDigest.signature,
  };
  return { kind: 'office-digest', language, locale, subject: layout.subject, html: renderHtml(layout), text: renderText(layout) };
}
