// The key store in a SQLite file of its own (DATA_DIR/keys.sqlite), apart from the views so that
// deleting the views to rebuild them never deletes a key. Every read goes to the file (a prepared
// statement, microseconds): an erasure made by another process on the same data directory is seen
// at once. Losing this file loses every personal value it protects: back it up (README).
import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { openWalDatabase } from '../store/sqlite/schema.ts';
import { hmacLookup, newKey, newKeyId, type KeyOwner, type KeyRef, type KeyStore, type StoredKey } from './key-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS key_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS personal_keys (
  key_id TEXT PRIMARY KEY,
  consultation_id TEXT NOT NULL,
  stakeholder_id TEXT NOT NULL,
  contact_id TEXT,
  lookup TEXT NOT NULL,
  key BLOB,
  created_at TEXT NOT NULL,
  destroyed_at TEXT
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS personal_keys_live ON personal_keys (consultation_id, lookup) WHERE key IS NOT NULL;
CREATE INDEX IF NOT EXISTS personal_keys_lookup ON personal_keys (lookup);
`;

interface Row {
  key_id: string;
  consultation_id: string;
  stakeholder_id: string;
  contact_id: string | null;
}

export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly secret: Buffer;
  private readonly selectKey: Database.Statement<[string], { key: Buffer | null }>;
  private readonly selectLive: Database.Statement<[string, string], { key_id: string; key: Buffer }>;

  constructor(readonly file: string) {
    this.db = openWalDatabase(file, 'FULL', 5000, (db) => {
      db.transaction(() => {
        db.exec(SCHEMA);
        db.prepare('INSERT INTO key_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run('lookup-secret', randomBytes(32).toString('base64'));
      }).immediate();
    });
    this.db.pragma('secure_delete = ON'); // a destroyed key's bytes are overwritten, not left in free pages
    const secret = this.db.prepare<[string], { value: string }>('SELECT value FROM key_meta WHERE name = ?').get('lookup-secret');
    this.secret = Buffer.from(secret!.value, 'base64');
    this.selectKey = this.db.prepare('SELECT key FROM personal_keys WHERE key_id = ?');
    this.selectLive = this.db.prepare('SELECT key_id, key FROM personal_keys WHERE consultation_id = ? AND lookup = ? AND key IS NOT NULL');
  }

  lookupOf(subject: string): string {
    return hmacLookup(this.secret, subject);
  }

  async keyFor(owner: KeyOwner, subject: string): Promise<KeyRef> {
    const lookup = this.lookupOf(subject);
    return this.db.transaction((): KeyRef => {
      const live = this.selectLive.get(owner.consultationId, lookup);
      if (live) return { keyId: live.key_id, key: live.key };
      const ref = { keyId: newKeyId(), key: newKey() };
      this.db.prepare('INSERT INTO personal_keys (key_id, consultation_id, stakeholder_id, contact_id, lookup, key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(ref.keyId, owner.consultationId, owner.stakeholderId, owner.contactId, lookup, ref.key, new Date().toISOString());
      return ref;
    }).immediate();
  }

  async load(): Promise<void> {}

  get(keyId: string): Buffer | null | undefined {
    const row = this.selectKey.get(keyId);
    return row === undefined ? undefined : row.key;
  }

  async find(subject: string): Promise<StoredKey[]> {
    const rows = this.db.prepare<[string], Row>('SELECT key_id, consultation_id, stakeholder_id, contact_id FROM personal_keys WHERE lookup = ? AND key IS NOT NULL ORDER BY created_at, key_id')
      .all(this.lookupOf(subject));
    return rows.map((r) => ({ keyId: r.key_id, consultationId: r.consultation_id, stakeholderId: r.stakeholder_id, contactId: r.contact_id }));
  }

  async destroy(keyIds: readonly string[]): Promise<void> {
    const now = new Date().toISOString();
    const update = this.db.prepare('UPDATE personal_keys SET key = NULL, destroyed_at = coalesce(destroyed_at, ?) WHERE key_id = ?');
    this.db.transaction(() => {
      for (const id of keyIds) update.run(now, id);
    }).immediate();
    // the destroyed keys' pages are overwritten, not left in the file's free space or the WAL
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async erasuresApplied(): Promise<string | null> {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM key_meta WHERE name = ?').get('erasures-applied')?.value ?? null;
  }

  async setErasuresApplied(position: string): Promise<void> {
    this.db.prepare('INSERT INTO key_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run('erasures-applied', position);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
