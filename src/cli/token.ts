// `consult token --role coordinator|auditor --subject NAME [--expires 30d]`: prints a bearer token
// signed with the server's secret (AUTH_SECRET, or the development secret in the data directory),
// and on stderr its id and expiry, so that it can be revoked.
import { parseArgs } from 'node:util';
import { resolveAuthSecret } from '../auth/secret.ts';
import { mintToken, Role, TokenSubject } from '../auth/tokens.ts';
import type { Config } from '../config/config.ts';
import { Duration, formatDuration } from '../config/duration.ts';

export const TOKEN_USAGE = 'token --role coordinator|auditor --subject NAME [--expires DURATION]';

export async function printToken(config: Config, args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: { role: { type: 'string' }, subject: { type: 'string' }, expires: { type: 'string' } } });
  const role = Role.safeParse(values.role);
  if (!role.success || !values.subject?.trim()) {
    err(`usage: consult ${TOKEN_USAGE}`);
    return 2;
  }
  const subject = TokenSubject.safeParse(values.subject.trim());
  if (!subject.success) {
    err(`--subject: ${subject.error.issues.map((i) => i.message).join('; ')}`);
    return 2;
  }
  const longest = config.TOKEN_MAX_LIFETIME;
  let lifetime = longest;
  if (values.expires !== undefined) {
    const asked = Duration.safeParse(values.expires);
    if (!asked.success) {
      err('--expires takes a duration such as 8h, 30d or 2w');
      return 2;
    }
    if (asked.data > longest) {
      err(`--expires ${values.expires} is longer than the longest lifetime the server accepts, TOKEN_MAX_LIFETIME=${formatDuration(longest)}`);
      return 2;
    }
    lifetime = asked.data;
  }
  const { secret, source, file } = resolveAuthSecret(config);
  if (source !== 'AUTH_SECRET') err(`signed with the development secret in ${file}`);
  const issued = await mintToken(secret, { role: role.data, subject: subject.data }, { lifetimeSeconds: lifetime });
  out(issued.token);
  err(`token id (jti) ${issued.jti}, expires ${issued.expiresAt.toISOString()} (in ${formatDuration(lifetime)})`);
  return 0;
}
