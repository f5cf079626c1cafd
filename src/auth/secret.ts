// The token-signing secret: AUTH_SECRET, or outside production one created once in the data
// directory (so a developer's tokens survive restarts). Production refuses to start without it.
// Only the server creates that file; `consult token` refuses to sign with a secret of its own making.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.ts';

export interface ResolvedSecret {
  secret: string;
  /** where it came from, for the start-up log */
  source: 'AUTH_SECRET' | 'created' | 'data-dir';
  file?: string;
}

/** The development secret is missing and may not be created (the CLI only signs with the server's). */
export class MissingSecretError extends Error {
  constructor(readonly file: string) {
    super(`no development secret at ${file}; set DATA_DIR to the server's data directory (or AUTH_SECRET to its secret)`);
    this.name = 'MissingSecretError';
  }
}

export function resolveAuthSecret(
  config: Pick<Config, 'AUTH_SECRET' | 'NODE_ENV' | 'dataDir'>,
  options: { create?: boolean } = {},
): ResolvedSecret {
  if (config.AUTH_SECRET) return { secret: config.AUTH_SECRET, source: 'AUTH_SECRET' };
  if (config.NODE_ENV === 'production') {
    throw new Error('AUTH_SECRET is required when NODE_ENV=production (at least 32 characters; e.g. `openssl rand -hex 32`)');
  }
  const file = path.join(config.dataDir, 'auth-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), source: 'data-dir', file };
  if (options.create === false) throw new MissingSecretError(file);
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, source: 'created', file };
}
