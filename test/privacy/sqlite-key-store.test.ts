// The key store contract against DATA_DIR/keys.sqlite; `stored` is the file's bytes (and its WAL).
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteKeyStore } from '../../src/privacy/sqlite-key-store.ts';
import { tempDir } from '../helpers/temp-store.ts';
import { keyStoreContract } from './key-store-contract.ts';

keyStoreContract(t, async () => {
  const file = path.join(tempDir(t), 'keys.sqlite');
  const keys = new SqliteKeyStore(file);
  const stored = async () => [file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')).join('\n');
  return { keys, stored, cleanup: () => keys.close() };
});
