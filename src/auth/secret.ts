// The token-signing secret: AUTH_SECRET, or outside production one created once in the data
// directory (so a developer's tokens survive restarts). Production refuses to start without it.
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

export function resolveAuthSecret(config: Pick<Config, 'AUTH_SECRET' | 'NODE_ENV' | 'dataDir'>): ResolvedSecret {
  if (config.AUTH_SECRET) return { secret: config.AUTH_SECRET, source: 'AUTH_SECRET' };
  if (config.NODE_ENV === 'production') {
    throw new Error('AUTH_SECRET is required when NODE_ENV=production (at least 32 characters; e.g. `openssl rand -hex 32`)');
  }
  const file = path.join(config.dataDir, 'auth-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), source: 'data-dir', file };
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, source: 'created', file };
}
