// The key store: one AES-256 key per person per consultation (crypto-shredding). Events hold
// personal values sealed with these keys (sealed.ts); an erasure destroys the keys, and the values
// can no longer be read, while the events, and the hash chain over them, stay as they are.
//
// A person is found by a `subject` ("email:<address>" for a contact or the sender of a reply,
// "signatory:<name>" for a signatory no contact stands for), kept only as an HMAC
// with a secret of the key store's own (`lookup`), so the key store names nobody either.
// Adapters: in memory (tests), SQLite (DATA_DIR/keys.sqlite, the default), PostgreSQL (with
// DATABASE_URL, beside the views, shared by replicas: postgres-key-store.ts).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

export interface KeyRef {
  keyId: string;
  key: Buffer;
}

/** What a key protects, by id only (no personal data): to tell an erasure which contacts it concerns. */
export interface KeyOwner {
  consultationId: string;
  stakeholderId: string;
  /** the contact person (null: a signatory no contact stands for) */
  contactId: string | null;
}

export interface StoredKey extends KeyOwner {
  keyId: string;
}

export interface KeyStore {
  /** The HMAC under which a subject is found (never the subject itself). */
  lookupOf(subject: string): string;
  /** The live key of this subject in this consultation, created when there is none (a destroyed key is never used again: a new one is made). */
  keyFor(owner: KeyOwner, subject: string): Promise<KeyRef>;
  /** Makes get() answer for these keys without waiting (a shared store loads them; a local one needs nothing). */
  load(keyIds: Iterable<string>): Promise<void>;
  /** The key; null when it was destroyed; undefined when this store does not know it. */
  get(keyId: string): Buffer | null | undefined;
  /** The live keys of a subject, in every consultation. */
  find(subject: string): Promise<StoredKey[]>;
  /** Destroys keys for good (their rows stay, marked destroyed, without the key). */
  destroy(keyIds: readonly string[]): Promise<void>;
  /** How far the recorded erasures were applied to this key store (a serialised log position; null: never). */
  erasuresApplied(): Promise<string | null>;
  setErasuresApplied(position: string): Promise<void>;
  close(): Promise<void>;
}

export function newKeyId(): string {
  return `pk-${randomUUID()}`;
}

export function newKey(): Buffer {
  return randomBytes(32);
}

export function hmacLookup(secret: Buffer, subject: string): string {
  return createHmac('sha256', secret).update(subject, 'utf8').digest('base64url');
}

interface MemoryRow extends StoredKey {
  lookup: string;
  key: Buffer | null;
}

/** In memory, for tests: the same semantics as the SQLite key store. */
export class MemoryKeyStore implements KeyStore {
  private readonly secret = randomBytes(32);
  private readonly rows = new Map<string, MemoryRow>();
  private applied: string | null = null;

  lookupOf(subject: string): string {
    return hmacLookup(this.secret, subject);
  }

  async keyFor(owner: KeyOwner, subject: string): Promise<KeyRef> {
    const lookup = this.lookupOf(subject);
    for (const row of this.rows.values()) {
      if (row.consultationId === owner.consultationId && row.lookup === lookup && row.key) return { keyId: row.keyId, key: row.key };
    }
    const row: MemoryRow = { ...owner, keyId: newKeyId(), lookup, key: newKey() };
    this.rows.set(row.keyId, row);
    return { keyId: row.keyId, key: row.key! };
  }

  async load(): Promise<void> {}

  get(keyId: string): Buffer | null | undefined {
    const row = this.rows.get(keyId);
    return row ? row.key : undefined;
  }

  async find(subject: string): Promise<StoredKey[]> {
    const lookup = this.lookupOf(subject);
    return [...this.rows.values()].filter((r) => r.lookup === lookup && r.key).map(({ keyId, consultationId, stakeholderId, contactId }) => ({ keyId, consultationId, stakeholderId, contactId }));
  }

  async destroy(keyIds: readonly string[]): Promise<void> {
    for (const id of keyIds) {
      const row = this.rows.get(id);
      if (row) row.key = null;
    }
  }

  async erasuresApplied(): Promise<string | null> {
    return this.applied;
  }

  async setErasuresApplied(position: string): Promise<void> {
    this.applied = position;
  }

  async close(): Promise<void> {}
}
