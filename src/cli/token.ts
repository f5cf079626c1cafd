// `consult token --role coordinator|auditor --subject NAME [--expires 90d]`: prints a bearer token
// signed with the server's secret (AUTH_SECRET, or the development secret in the data directory).
import { parseArgs } from 'node:util';
import { resolveAuthSecret } from '../auth/secret.ts';
import { issueToken, Role } from '../auth/tokens.ts';
import type { Config } from '../config/config.ts';

export const TOKEN_USAGE = 'token --role coordinator|auditor --subject NAME [--expires 90d]';

export async function printToken(config: Config, args: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: { role: { type: 'string' }, subject: { type: 'string' }, expires: { type: 'string' } } });
  const role = Role.safeParse(values.role);
  if (!role.success || !values.subject?.trim()) {
    err(`usage: consult ${TOKEN_USAGE}`);
    return 2;
  }
  if (values.expires !== undefined && !/^\d+\s?(s|m|h|d|w|y)$/.test(values.expires)) {
    err('--expires takes a duration such as 12h, 30d or 1y');
    return 2;
  }
  const { secret, source, file } = resolveAuthSecret(config);
  if (source !== 'AUTH_SECRET') err(`signed with the development secret in ${file}`);
  out(await issueToken(secret, { role: role.data, subject: values.subject.trim() }, values.expires ? { expiresIn: values.expires } : {}));
  return 0;
}
