// The `consult token` command line the server prints at start (development secret only): one that
// works exactly as printed, pasted into a shell in the directory the server was started from. It
// names the settings that make the CLI sign what this server accepts: DATA_DIR when it is not the
// CLI's default there, TOKEN_MAX_LIFETIME when it is not the default; `cd` to the repository when
// the server was started from outside it (npx finds `consult` only inside).
import path from 'node:path';
import { formatDuration } from '../config/duration.ts';
import { DEFAULT_TOKEN_MAX_LIFETIME_SECONDS } from '../auth/tokens.ts';

/** A word for a POSIX shell: as it is when safe, single-quoted otherwise. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export function tokenCommandHint(options: { dataDir: string; tokenMaxLifetimeSeconds: number; cwd: string; repoRoot: string }): string {
  const relative = path.relative(options.repoRoot, options.cwd);
  const inRepo = relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  const runsIn = inRepo ? options.cwd : options.repoRoot;
  const words: string[] = inRepo ? [] : ['cd', shellWord(options.repoRoot), '&&'];
  if (path.resolve(options.dataDir) !== path.resolve(runsIn, 'data')) words.push(`DATA_DIR=${shellWord(path.resolve(options.dataDir))}`);
  if (options.tokenMaxLifetimeSeconds !== DEFAULT_TOKEN_MAX_LIFETIME_SECONDS) words.push(`TOKEN_MAX_LIFETIME=${formatDuration(options.tokenMaxLifetimeSeconds)}`);
  words.push('npx', 'consult', 'token', '--role', 'coordinator', '--subject', 'developer');
  return words.join(' ');
}
