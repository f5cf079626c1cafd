// Value schemas of the commands' input: one text vocabulary, strict objects, ids by format.
// Stored events are decoded by their own, looser schemas (events.ts), under the rules they were
// written with, so that history written by earlier code keeps replaying.
import { z } from 'zod';

// ---- text ----
// CRLF and a lone CR become LF before any check (browsers send CRLF from a textarea). A multi-line
// text allows newline and tab; a single-line one allows neither. Neither allows any other control
// character (C0, DEL, C1), a lone UTF-16 surrogate (it cannot be encoded, and breaks the hash) or
// a bidirectional override/isolate (U+202A–U+202E, U+2066–U+2069: they disguise what a name says
// in e-mail subjects, CSV files and pages).
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/;

/** The problem with a text, or null when it is acceptable in a field of that kind. */
export function textProblem(text: string, multiLine: boolean): string | null {
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate';
  if ((multiLine ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(text)) {
    return multiLine ? 'must not contain control characters other than newline and tab' : 'must be a single line without control characters';
  }
  if (BIDI_CONTROL.test(text)) return 'must not contain bidirectional override characters (U+202A–U+202E, U+2066–U+2069)';
  return null;
}

function text(multiLine: boolean, min: number, max: number) {
  return z.string()
    .overwrite((t) => t.replace(/\r\n?/g, '\n'))
    .trim()
    .min(min, min === 1 ? 'must not be empty' : `at least ${min} characters`)
    .max(max, `at most ${max} characters`)
    .superRefine((t, ctx) => {
      const problem = textProblem(t, multiLine);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/** A name, title, heading or similar: one line, trimmed, at least `min` characters (default 1). */
export const SingleLine = (max: number, min = 1) => text(false, min, max);
/** A summary, text, comment, answer, statement, reason or note: newline and tab allowed. */
export const MultiLine = (max: number, min = 1) => text(true, min, max);

// ---- ids ----
/** The ids this product creates (consultations, stakeholders, comments) are UUIDs. */
export const Id = z.uuid('a UUID');

/** An ISO-8601 instant with an offset or `Z`; a local time without one is refused. */
export const Instant = z.iso.datetime({
  offset: true,
  error: 'an ISO-8601 date and time with an offset or Z is required (e.g. 2027-03-06T17:00:00+01:00 or 2027-03-06T16:00:00Z): a time without one is ambiguous',
});
export const LanguageCode = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP-47 language tag such as "en" or "ro"');
export const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}, 'an IANA time zone such as "Europe/Bucharest"');

export const Email = z.string().trim().pipe(z.email().max(254));
export const Contact = z.strictObject({ name: SingleLine(200), email: Email });
/** The coordinating office's mailboxes to alert (delivery failures, held replies), at most this many. */
export const MAX_NOTIFY_EMAILS = 20;
/**
 * The coordinating office's mailboxes: addresses checked as contact addresses are, each once (the
 * same address again, in any case, is dropped: the first spelling stays), at most MAX_NOTIFY_EMAILS.
 */
export const NotifyEmails = z.array(Email).max(MAX_NOTIFY_EMAILS, `at most ${MAX_NOTIFY_EMAILS} addresses`)
  .transform((emails) => emails.filter((e, i) => emails.findIndex((o) => o.toLowerCase() === e.toLowerCase()) === i));
export type Contact = z.infer<typeof Contact>;

export const StakeholderKind = z.enum(['ministry', 'civil-society', 'academia', 'international', 'other']);
export type StakeholderKind = z.infer<typeof StakeholderKind>;
export const Channel = z.enum(['api', 'link', 'email', 'meeting', 'letter']);
export type Channel = z.infer<typeof Channel>;
/** Channels where the coordinator records a comment made earlier, so it carries when it was made. */
export const RECORDED_CHANNELS: readonly Channel[] = ['meeting', 'letter'];
export const Disposition = z.enum(['accepted', 'partially-accepted', 'rejected', 'noted']);
export const Phase = z.enum(['comments', 'endorsement']);
export type Phase = z.infer<typeof Phase>;
export const Outcome = z.enum(['adopted', 'withdrawn']);
/** A consultation as coordinators see it (the state's 'none' is a consultation that does not exist). */
export const ConsultationStatus = z.enum(['open', 'closed']);
/** how a message left: by SMTP, or written to the file outbox (not sent: no SMTP_URL) */
export const MailTransport = z.enum(['smtp', 'file']);
export const MessageKind = z.enum(['invitation', 'notice', 'reminder']);
/** what a notice was: a new draft, a request to endorse, a receipt for comments, the outcome at closing, a digest of answers */
export const NoticeKind = z.enum(['new-draft', 'endorsement-request', 'acknowledgement', 'outcome', 'answers-digest']);

export const SectionKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a section key of letters, digits, ".", "_" or "-"');

// ---- drafts and their size ----
// A draft is stored as one DraftPublished event, and EventStoreDB refuses an event (an append) over
// 1 MiB by default. So a draft's size is bounded where it is stored: its sections, every language
// included, take at most DRAFT_SECTIONS_MAX_BYTES as the stored event's JSON (UTF-8), which keeps
// the largest valid draft's event, note and metadata included, under 900 KB
// (test/http/draft-size.test.ts builds it). The per-field limits below bound what one section
// may hold; the byte limit bounds the whole.
/** a consultation's languages: its first, and translations into at most MAX_LANGUAGES - 1 others */
export const MAX_LANGUAGES = 6;
export const DRAFT_MAX_SECTIONS = 200;
export const SECTION_HEADING_MAX_LENGTH = 300;
export const SECTION_TEXT_MAX_LENGTH = 50_000;
/** the sections of one draft, in every language, as stored JSON (UTF-8 bytes) */
export const DRAFT_SECTIONS_MAX_BYTES = 860_000;

/** A section's heading and text in another of the consultation's languages. */
export const SectionTranslation = z.strictObject({
  heading: SingleLine(SECTION_HEADING_MAX_LENGTH),
  text: MultiLine(SECTION_TEXT_MAX_LENGTH, 0),
});
export type SectionTranslation = z.infer<typeof SectionTranslation>;

export const Section = z.strictObject({
  key: SectionKey,
  heading: SingleLine(SECTION_HEADING_MAX_LENGTH).describe('in the consultation\'s first language'),
  text: MultiLine(SECTION_TEXT_MAX_LENGTH, 0).describe('in the consultation\'s first language'),
  // Keyed by language tag: a LanguageCode never spells `__proto__`, `constructor` or another
  // Object.prototype name (lowercase letters and dash-separated subtags only), and the JSON parser
  // refuses `__proto__` anyway.
  translations: z.record(LanguageCode, SectionTranslation).optional()
    .describe('the heading and text in the consultation\'s other languages, by language tag (`{ "nl": { "heading", "text" } }`); a language left out is shown as missing, never filled from another'),
});
export type Section = z.infer<typeof Section>;

export const COMMENT_MAX_LENGTH = 10_000;
/** Comment text: not blank, at most COMMENT_MAX_LENGTH characters. */
export const CommentText = MultiLine(COMMENT_MAX_LENGTH);
export const Reason = MultiLine(2_000);
export const Note = MultiLine(5_000);
export const Signatory = z.strictObject({ name: SingleLine(200), title: SingleLine(200) });

export const ActorRole = z.enum(['coordinator', 'stakeholder', 'auditor', 'system']);
/** who gave a command: a token's subject, a stakeholder's id, a worker's name */
export const Actor = z.strictObject({ role: ActorRole, id: SingleLine(200) });
export type Actor = z.infer<typeof Actor>;

// ---- replies by e-mail ----
/** A mail domain a coordinator lists for an organisation (a reply from any address in it counts): lower case, no trailing dot. */
export const ReplyDomain = z.string().trim().toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a mail domain such as "mfa.gov.ro" (letters, digits, "-" and dots; no "@")');
export const ReplyDomains = z.array(ReplyDomain).max(20)
  .refine((ds) => new Set(ds).size === ds.length, 'the same domain appears twice');

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'the lowercase hex SHA-256 of the bytes');
/** A file that came with a reply by e-mail, stored content-addressed by its hash (src/inbound/attachments.ts). */
export const AttachmentRef = z.strictObject({
  sha256: Sha256Hex,
  filename: z.string().max(255),
  contentType: z.string().max(255),
  size: z.number().int().nonnegative(),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;

/** Why a reply by e-mail was held for the coordinator instead of becoming comments. */
export const HeldReasonCode = z.enum([
  'SENDER_NOT_ALLOWED', 'CONTACT_UNKNOWN', 'AFTER_DEADLINE', 'OLDER_DRAFT', 'NO_DRAFT', 'UNKNOWN_SECTION', 'EMPTY', 'TOO_LONG',
  'CONSULTATION_CLOSED', 'STAKEHOLDER_INACTIVE',
]);
export type HeldReasonCode = z.infer<typeof HeldReasonCode>;
