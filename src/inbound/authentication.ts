// Authentication-Results (RFC 8601): anyone can write that header, so a verdict counts only when
// the receiving system named in INBOUND_AUTHSERV_ID wrote it. The topmost such header is taken: a
// receiving system adds its own on top (and removes forged ones with its id below).
import { headerValue, type HeaderLine } from './headers.ts';

const MAX_VERDICT = 2_000;

export interface Authentication {
  authservId: string;
  verdict: string;
}

/** The verdict of the trusted receiving system, or undefined (none configured, none from it). */
export function trustedAuthentication(headers: readonly HeaderLine[], authservId: string | undefined): Authentication | undefined {
  if (!authservId) return undefined;
  for (const h of headers) {
    if (h.key !== 'authentication-results') continue;
    const value = headerValue(h.line).replace(/[\u0000-\u001f\u007f]+/g, ' ');
    const semicolon = value.indexOf(';');
    const head = (semicolon < 0 ? value : value.slice(0, semicolon)).trim();
    const id = head.split(/\s+/, 1)[0] ?? ''; // "mx.example.org 1" names a version after the id
    if (id.toLowerCase() !== authservId.toLowerCase()) continue;
    const verdict = (semicolon < 0 ? 'none' : value.slice(semicolon + 1).trim() || 'none').slice(0, MAX_VERDICT);
    return { authservId: id, verdict };
  }
  return undefined;
}
