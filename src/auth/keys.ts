// Keys derived from AUTH_SECRET for one purpose each (HKDF-SHA256, node:crypto), so that a token
// made for one purpose can never pass for another. Coordinator and auditor bearer tokens
// (tokens.ts) sign with AUTH_SECRET itself; everything else takes a derived key from here.
import { hkdfSync } from 'node:crypto';

const SALT = 'wps-consult key derivation';

/** Every purpose a key is derived for; the info string is part of the key, so never rename one. */
export const KEY_PURPOSES = {
  /** the personal link PUBLIC_URL/r/<token> (a JWT, stakeholder-tokens.ts) */
  stakeholderLink: 'stakeholder link token v1',
  /** the reply+<token>@ and bounces+<token>@ addresses (a truncated HMAC, stakeholder-tokens.ts) */
  replyAddress: 'reply address token v1',
  /** the reply page's CSRF tokens, each bound to the link it was rendered for (src/pages/plugin.ts) */
  pageForms: 'reply page form token v1',
} as const;

export type KeyPurpose = keyof typeof KEY_PURPOSES;

/** A 256-bit key for one purpose. */
export function deriveKey(secret: string, purpose: KeyPurpose): Uint8Array {
  if (secret.length === 0) throw new Error('cannot derive a key from an empty secret');
  return new Uint8Array(hkdfSync('sha256', secret, SALT, KEY_PURPOSES[purpose], 32));
}
