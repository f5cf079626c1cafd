// A real SQLite event store in a temporary directory, removed when the test ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export function tempDir(t: Teardown, prefix = 'consult-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function tempStore(t: Teardown): { store: SqliteEventStore; file: string; dir: string } {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.sqlite');
  const store = new SqliteEventStore({ file });
  t.teardown(() => store.close());
  return { store, file, dir };
}
