// The key the server signs consultation heads with: Ed25519 through node:crypto. AUDIT_SIGNING_KEY
// holds a PKCS#8 PEM (its line breaks as written, or as "\n" when an environment file cannot hold
// them); outside production a key is created once in the data directory, as the token secret is
// (src/auth/secret.ts). Production refuses to start without one. Only the server creates the file;
// `consult heads` signs only with the server's key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.ts';

export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** the public key as an SPKI PEM: what GET /audit/public-key serves and auditors keep */
  publicKeyPem: string;
  /** where it came from, for the start-up log */
  source: 'AUDIT_SIGNING_KEY' | 'created' | 'data-dir';
  file?: string;
}

export const SIGNING_KEY_FILE = 'audit-signing-key.pem';

/** The development key is missing and may not be created (the CLI signs only with the server's). */
export class MissingSigningKeyError extends Error {
  constructor(readonly file: string) {
    super(`no audit signing key at ${file}; set DATA_DIR to the server's data directory (or AUDIT_SIGNING_KEY to its key)`);
    this.name = 'MissingSigningKeyError';
  }
}

/** An Ed25519 private key from a PKCS#8 PEM; throws naming what is wrong, never echoing the key. */
export function parseSigningKey(pem: string, origin: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem.includes('\\n') ? pem.replaceAll('\\n', '\n') : pem, format: 'pem' });
  } catch {
    throw new Error(`${origin} is not a PKCS#8 PEM private key (make one with: openssl genpkey -algorithm ed25519)`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${origin} is a ${key.asymmetricKeyType} key; an Ed25519 key is required (openssl genpkey -algorithm ed25519)`);
  return key;
}

function fromPrivate(privateKey: KeyObject, source: AuditSigningKey['source'], file?: string): AuditSigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), source, ...(file ? { file } : {}) };
}

/** A key of this process alone (an app built without one, in tests): heads it signs verify with nothing kept. */
export function ephemeralSigningKey(): AuditSigningKey {
  return fromPrivate(generateKeyPairSync('ed25519').privateKey, 'created');
}

export function resolveAuditSigningKey(
  config: Pick<Config, 'AUDIT_SIGNING_KEY' | 'NODE_ENV' | 'dataDir'>,
  options: { create?: boolean } = {},
): AuditSigningKey {
  if (config.AUDIT_SIGNING_KEY) return fromPrivate(parseSigningKey(config.AUDIT_SIGNING_KEY, 'AUDIT_SIGNING_KEY'), 'AUDIT_SIGNING_KEY');
  if (config.NODE_ENV === 'production') {
    throw new Error('AUDIT_SIGNING_KEY is required when NODE_ENV=production (an Ed25519 PKCS#8 PEM: openssl genpkey -algorithm ed25519)');
  }
  const file = path.join(config.dataDir, SIGNING_KEY_FILE);
  if (existsSync(file)) return fromPrivate(parseSigningKey(readFileSync(file, 'utf8'), file), 'data-dir', file);
  if (options.create === false) throw new MissingSigningKeyError(file);
  mkdirSync(config.dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  return fromPrivate(privateKey, 'created', file);
}
