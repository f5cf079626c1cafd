// The new text of a reply: what the stakeholder wrote, without the message it answers. An
// HTML-only message is turned into text first. When the "reply above this line" marker of our
// outgoing mail (src/mail/markers.ts) is there, only what stands above it is kept; then (marker or
// not) the pre-pass cuts at the Dutch and Romanian quote headers libraries miss (quote-headers.ts),
// and email-reply-parser strips the rest of the quoted history and the signature.
import EmailReplyParser from 'email-reply-parser';
import { convert } from 'html-to-text';
import { ALL_REPLY_MARKERS } from '../mail/markers.ts';
import { cutAtQuoteHeader } from './quote-headers.ts';

/** The message's text: its text part, else its HTML as text. */
export function messageText(parsed: { text?: string | undefined; html?: string | false | undefined }): string {
  if (parsed.text !== undefined && parsed.text.trim() !== '') return parsed.text;
  if (typeof parsed.html === 'string') {
    return convert(parsed.html, {
      wordwrap: false,
      selectors: [
        { selector: 'a', options: { ignoreHref: true } },
        { selector: 'img', format: 'skip' },
        { selector: 'blockquote', format: 'blockquote' },
      ],
    });
  }
  return '';
}

/** A marker line, also when quoted ("> -- Please write … --"). */
function markerLine(lines: readonly string[]): number | null {
  const at = lines.findIndex((line) => {
    const bare = line.replace(/^[\s>]+/, '').trim();
    return ALL_REPLY_MARKERS.some((m) => bare.includes(m));
  });
  return at < 0 ? null : at;
}

/** The new text of a reply (trimmed; '' when there is none). */
export function newText(text: string): string {
  let lines = text.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' ').split('\n');
  const marker = markerLine(lines);
  if (marker !== null) lines = lines.slice(0, marker);
  const before = cutAtQuoteHeader(lines.join('\n'));
  const visible = new EmailReplyParser().read(before).getVisibleText();
  return visible.split('\n').map((l) => l.trimEnd()).join('\n').replace(/^\n+|\s+$/g, '');
}
