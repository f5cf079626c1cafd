// The rules of a reply by e-mail: who may send one for a stakeholder, what a "Section 3:" block
// names, which draft a reply answers, and how its text is kept. recordEmailReply and
// acceptHeldReply call them; the views show what they decided, never restate them.
import { normaliseEmail } from './contacts.ts';
import type { DeepReadonly, DraftState, HeldReplyState, ReadonlyStakeholder, ReadonlyState } from './consultation.ts';
import { DomainError } from './errors.ts';
import { messageIdKey } from './ids.ts';

/** The address in a From as received (`Name <a@b.example>` or `a@b.example`), normalised as contacts are. */
export function senderAddress(from: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(from);
  return normaliseEmail(angle ? angle[1]! : from);
}

/** The domain of an address (after its last "@"), lower case; '' when it has none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).replace(/\.$/, '').toLowerCase();
}

/**
 * A reply counts as the stakeholder's when its sender is one of its contact addresses now, or is an
 * address in one of the domains the coordinator listed for it (replyDomains: exactly that domain, not its subdomains).
 */
export function senderAllowed(x: ReadonlyStakeholder, from: string): boolean {
  const address = senderAddress(from);
  if (x.contacts.some((c) => normaliseEmail(c.email) === address)) return true;
  const domain = domainOf(address);
  return domain !== '' && address.indexOf('@') > 0 && x.replyDomains.includes(domain);
}

/**
 * The section a block names, as written after "Section"/"Secțiunea"/"Artikel": a section key of the
 * draft first (exactly, then whatever its case when only one matches), then a 1-based position.
 * null names the whole draft; undefined: no such section.
 */
export function resolveSection(draft: DeepReadonly<DraftState>, written: string | null): string | null | undefined {
  if (written === null) return null;
  const s = written.trim().replace(/[.:)]+$/, '').trim();
  if (s === '') return undefined;
  if (draft.sectionKeys.includes(s)) return s;
  const folded = draft.sectionKeys.filter((k) => k.toLowerCase() === s.toLowerCase());
  if (folded.length === 1) return folded[0];
  if (/^[0-9]{1,4}$/.test(s)) {
    const n = Number(s);
    if (n >= 1 && n <= draft.sectionKeys.length) return draft.sectionKeys[n - 1];
  }
  return undefined;
}

/**
 * The draft version the reply answers, when its In-Reply-To/References name a message recorded as
 * sent about a version (the latest of those it names): null when it names none the state knows.
 */
export function answeredVersion(s: ReadonlyState, references: readonly string[]): number | null {
  let version: number | null = null;
  for (const r of references) {
    const v = s.messageDrafts.get(messageIdKey(r));
    if (v !== undefined && (version === null || v > version)) version = v;
  }
  return version;
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const CONTROLS_BUT_NEWLINE_TAB = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
const CONTROLS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]+/g;

/**
 * Text from a mail as the product keeps it: CRLF as LF, lone surrogates as U+FFFD, control and
 * bidirectional-override characters other than newline and tab removed, trimmed. What a mail says
 * is never refused for its characters: it is cleaned, then judged (blank, too long).
 */
export function mailText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(LONE_SURROGATES, '\uFFFD').replace(CONTROLS_BUT_NEWLINE_TAB, '').trim();
}

/** A single-line header value (From, Subject, a Message-ID) as kept: cleaned like mailText, controls as one space. */
export function mailLine(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD').replace(CONTROLS, ' ').trim();
}

/** How much text of a held reply is stored, per block and in all: a mail may be megabytes, an event may not. */
export const HELD_BLOCK_MAX_CHARS = 20_000;
export const HELD_TEXT_MAX_CHARS = 150_000;

/** A held reply that exists: HELD_REPLY_NOT_FOUND otherwise. */
export function requireHeldReply(s: ReadonlyState, heldId: string): DeepReadonly<HeldReplyState> {
  const h = s.heldReplies.get(heldId);
  if (!h) throw new DomainError('HELD_REPLY_NOT_FOUND', `no held reply ${heldId}`);
  return h;
}

/** The held replies still waiting for the coordinator's decision: they block adoption (HELD_REPLIES_PENDING). */
export function pendingHeldReplies(s: ReadonlyState): string[] {
  return [...s.heldReplies.values()].filter((h) => h.status === 'pending').map((h) => h.id);
}
