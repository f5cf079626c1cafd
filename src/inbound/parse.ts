// One way to parse an inbound mail (mailparser): delivery-status parts kept as such (a bounce's
// report is read from them, not from the text), no text made of the HTML by mailparser (an
// HTML-only message is converted by reply-text.ts, unwrapped), no data: URLs for inline images.
// mailparser is loaded at the first message, not at start: it takes a sixth of a second to load,
// which every start of the API would pay whether or not mail ever comes in.
import type { ParsedMail } from 'mailparser';

let parser: Promise<typeof import('mailparser')> | null = null;

export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  const { simpleParser } = await (parser ??= import('mailparser'));
  return simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipImageLinks: true });
}
