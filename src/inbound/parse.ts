// One way to parse an inbound mail (mailparser): delivery-status parts kept as such (a bounce's
// report is read from them, not from the text), no text made of the HTML by mailparser (an
// HTML-only message is converted by reply-text.ts, unwrapped), no data: URLs for inline images.
import { simpleParser, type ParsedMail } from 'mailparser';

export function parseMail(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipImageLinks: true });
}
