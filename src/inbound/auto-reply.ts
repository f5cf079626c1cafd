// Mail that no person wrote: out-of-office answers, autoresponders, list and bulk mail. Such a mail
// is accepted (so that nothing bounces back and forth) and logged, never recorded as a comment.
// The signs (RFC 3834 and the de-facto headers): Auto-Submitted other than "no", X-Autoreply,
// X-Autorespond, Precedence auto_reply, bulk, list or junk, X-Auto-Response-Suppress, or an empty
// envelope sender (MAIL FROM:<>, which only automatic mail uses).
import { headerValue, type HeaderLine } from './headers.ts';

/** Why this mail was sent automatically, or null when a person sent it; `envelopeFrom` null: not known (a webhook that does not say). */
export function autoReplyReason(headers: readonly HeaderLine[], envelopeFrom: string | null): string | null {
  if (envelopeFrom !== null && envelopeFrom.trim() === '') return 'empty envelope sender';
  for (const h of headers) {
    const value = headerValue(h.line).toLowerCase();
    switch (h.key) {
      case 'auto-submitted': {
        const kind = value.split(';', 1)[0]!.trim();
        if (kind !== 'no') return `Auto-Submitted: ${kind}`;
        break;
      }
      case 'x-autoreply':
      case 'x-autorespond':
      case 'x-auto-response-suppress':
        return h.key;
      case 'precedence': {
        const kind = value.split(/[\s;]/, 1)[0]!;
        if (['auto_reply', 'bulk', 'list', 'junk'].includes(kind)) return `Precedence: ${kind}`;
        break;
      }
    }
  }
  return null;
}
