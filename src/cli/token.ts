// `consult token`: prints a bearer token signed with the server's secret (AUTH_SECRET, or the
// development secret the server created in its data directory; never a new one), and its id and
// expiry so that it can be revoked. `consult token revoke <jti>`: adds that id to the data
// directory's revocation list, which a running server re-reads when it changes.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { Duration, formatDuration } from '../config/duration.ts';
import { revokedTokensFile, revokeToken } from '../auth/revocations.ts';
import { resolveAuthSecret } from '../auth/secret.ts';
import { mintToken, Role, TokenSubject } from '../auth/tokens.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

export const tokenCommand: Subcommand = {
  name: 'token',
  usage: 'token --role coordinator|auditor --subject NAME [--expires DURATION]',
  summary: 'print a bearer token for the API (its id and expiry on stderr)',
  help: `Prints a bearer token for the API on stdout, signed with the server's secret: AUTH_SECRET, or
(outside production) the development secret the server created in DATA_DIR/auth-secret. A missing
development secret is an error: run it with the server's DATA_DIR (or AUTH_SECRET). The token's id
(jti) and expiry go to stderr; \`consult token revoke <jti>\` revokes it.

options:
  --role ROLE          coordinator (may do everything) or auditor (may only read)
  --subject NAME       who holds it, recorded as the actor of every event it causes (one line, at most 200 characters)
  --expires DURATION   how long it lives (8h, 7d, 30d, ...); default and maximum: TOKEN_MAX_LIFETIME (30d unless set)
  -h, --help           this help

other: consult token revoke <jti>`,
  async run(args, io, config) {
    const { values } = parseCommandArgs({
      args,
      options: { role: { type: 'string' }, subject: { type: 'string' }, expires: { type: 'string' }, ...HELP_OPTION },
    });
    if (values.help) {
      io.out(helpText(tokenCommand));
      return 0;
    }
    const role = Role.safeParse(values.role);
    if (!role.success) throw new UsageError(values.role === undefined ? '--role is required' : `--role is coordinator or auditor, not "${values.role}"`);
    if (values.subject === undefined) throw new UsageError('--subject is required');
    const subject = TokenSubject.safeParse(values.subject.trim());
    if (!subject.success) throw new UsageError(`--subject: ${subject.error.issues.map((i) => i.message).join('; ')}`);
    const settings = config();
    const longest = settings.TOKEN_MAX_LIFETIME;
    let lifetime = longest;
    if (values.expires !== undefined) {
      const asked = Duration.safeParse(values.expires);
      if (!asked.success) throw new UsageError('--expires takes a duration such as 8h, 30d or 2w');
      if (asked.data > longest) {
        throw new UsageError(`--expires ${values.expires} is longer than the longest lifetime the server accepts, TOKEN_MAX_LIFETIME=${formatDuration(longest)}`);
      }
      lifetime = asked.data;
    }
    const { secret, source, file } = resolveAuthSecret(settings, { create: false });
    if (source !== 'AUTH_SECRET') io.err(`signed with the development secret in ${file}`);
    const issued = await mintToken(secret, { role: role.data, subject: subject.data }, { lifetimeSeconds: lifetime });
    io.out(issued.token);
    io.err(`token id (jti) ${issued.jti}, expires ${issued.expiresAt.toISOString()} (in ${formatDuration(lifetime)}); revoke it with: consult token revoke ${issued.jti}`);
    return 0;
  },
};

export const tokenRevokeCommand: Subcommand = {
  name: 'token revoke',
  usage: 'token revoke <jti>',
  summary: 'revoke a token by its id; a running server refuses it within about a second',
  help: `Revokes one token: appends its id (the jti \`consult token\` printed) to DATA_DIR/revoked-tokens,
created with mode 0600, one id per line. A running server notices the change within about a second,
without a restart, and answers the token with 401 TOKEN_REVOKED. Each server reads the list in its
own DATA_DIR: with replicas on several machines, revoke on each.

options:
  -h, --help   this help`,
  async run(args, io, config) {
    const { values, positionals } = parseCommandArgs({ args, options: { ...HELP_OPTION }, allowPositionals: true });
    if (values.help) {
      io.out(helpText(tokenRevokeCommand));
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('one token id (jti) is required');
    const jti = z.uuid().safeParse(positionals[0]!.trim().toLowerCase());
    if (!jti.success) throw new UsageError(`not a token id (a UUID, as \`consult token\` prints): "${positionals[0]}"`);
    const { dataDir } = config();
    if (!existsSync(dataDir)) throw new Error(`no data directory at ${dataDir}; set DATA_DIR to the server's data directory`);
    const file = revokedTokensFile(dataDir);
    io.out(revokeToken(file, jti.data) ? `revoked ${jti.data} (listed in ${file})` : `${jti.data} was already revoked (listed in ${file})`);
    return 0;
  },
};
