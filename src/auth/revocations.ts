// Revoked token ids: a file in the data directory, one `jti` per line, appended to by
// `consult token revoke <jti>` and read by the server. The server notices a change without a
// restart: it stats the file at most once per interval (not per request) and re-reads it only when
// its size, mtime or inode changed. An unreadable file fails closed (the request errors) rather
// than letting a revoked token through.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export const REVOKED_TOKENS_FILE = 'revoked-tokens';

export function revokedTokensFile(dataDir: string): string {
  return path.join(dataDir, REVOKED_TOKENS_FILE);
}

function parse(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export class RevokedTokens {
  private jtis = new Set<string>();
  private version = '';
  private checkedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;
  private readonly checkEveryMs: number;
  private readonly clock: () => number;

  constructor(readonly file: string, options: { checkEveryMs?: number; clock?: () => number } = {}) {
    this.checkEveryMs = options.checkEveryMs ?? 1000;
    this.clock = options.clock ?? Date.now;
  }

  async has(jti: string): Promise<boolean> {
    await this.refresh();
    return this.jtis.has(jti);
  }

  private refresh(): Promise<void> | undefined {
    if (this.refreshing) return this.refreshing;
    if (this.clock() - this.checkedAt < this.checkEveryMs) return undefined;
    this.checkedAt = this.clock();
    this.refreshing = this.reload().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  private async reload(): Promise<void> {
    let version: string;
    try {
      const s = await stat(this.file);
      version = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.jtis = new Set();
      this.version = '';
      return;
    }
    if (version === this.version) return;
    // the version is taken before the read: a change between the two is picked up at the next check
    this.jtis = parse(await readFile(this.file, 'utf8'));
    this.version = version;
  }
}

/** Appends a token id to the list (the file is created with mode 0600); false when it was already there. */
export function revokeToken(file: string, jti: string): boolean {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (parse(before).has(jti)) return false;
  // a hand-edited file may lack its last newline
  appendFileSync(file, `${before === '' || before.endsWith('\n') ? '' : '\n'}${jti}\n`, { mode: 0o600 });
  return true;
}
