// A personal value as it is stored in an event: encrypted with the key of the person it belongs
// to (AES-256-GCM through node:crypto), naming that key by id. The hash chain covers this stored
// form, so destroying the key (an erasure) changes nothing that is hashed: the chain still
// verifies, and the value can no longer be read by anyone.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** What every view, export, mail and page shows in place of a personal value whose key was destroyed. */
export const ERASED = '[erased]';

/** What a reader without the key store (an auditor's bundle replay) shows in place of a personal value. */
export function keyLabel(keyId: string): string {
  return `[key ${keyId}]`;
}

/** A value that cannot be decrypted with the key the key store holds for it (a key store that does not belong to these events). */
export const UNREADABLE = '[unreadable]';

export const SealedValue = z.object({
  sealed: z.literal('aes-256-gcm'),
  keyId: z.string(),
  /** the 12-byte nonce, base64 */
  iv: z.string(),
  /** the ciphertext followed by its 16-byte tag, base64 */
  data: z.string(),
});
export type SealedValue = z.infer<typeof SealedValue>;

export function isSealed(value: unknown): value is SealedValue {
  return typeof value === 'object' && value !== null && (value as { sealed?: unknown }).sealed === 'aes-256-gcm' && SealedValue.safeParse(value).success;
}

const TAG_BYTES = 16;

/** Encrypts one value; the key id is authenticated with it, so a value cannot be moved under another key's name. */
export function seal(value: string, keyId: string, key: Buffer): SealedValue {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(keyId, 'utf8'));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { sealed: 'aes-256-gcm', keyId, iv: iv.toString('base64'), data: data.toString('base64') };
}

/** Decrypts one value; throws when the key is not the one it was sealed with or the value was altered. */
export function unseal(value: SealedValue, key: Buffer): string {
  const bytes = Buffer.from(value.data, 'base64');
  if (bytes.length < TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(value.iv, 'base64'));
  decipher.setAAD(Buffer.from(value.keyId, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}
