// The `consult` command line: finds the subcommand, gives it its arguments and settings, and turns
// what goes wrong into a message and an exit code (0 done, 1 failed, 2 wrong usage), never a stack
// trace. The process entry point is main.ts.
import type { Config } from '../config/config.ts';
import { helpText, UsageError, type CliIo, type Subcommand } from './command.ts';
import { exportCommand } from './export.ts';
import { headsCommand } from './heads.ts';
import { projectionsRebuildCommand } from './projections-rebuild.ts';
import { storeCopyCommand } from './store-copy.ts';
import { tokenCommand, tokenRevokeCommand } from './token.ts';
import { verifyCommand } from './verify.ts';

const COMMANDS: readonly Subcommand[] = [tokenCommand, tokenRevokeCommand, verifyCommand, headsCommand, exportCommand, projectionsRebuildCommand, storeCopyCommand];

const USAGE = `usage: consult <command> [options]

commands:
${COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`).join('\n')}

\`consult <command> --help\` explains a command's options. Settings come from the environment
(DATA_DIR, EVENTSTORE_URL, AUTH_SECRET, TOKEN_MAX_LIFETIME, ...), as for the server.`;

/** The command named by the first one or two words ("token revoke" before "token"). */
function find(argv: string[]): { command: Subcommand; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) return { command, rest: argv.slice(words) };
  }
  return undefined;
}

/** Runs `consult <argv>`; `loadSettings` is called only by a command that needs the settings. Resolves with the exit code. */
export async function runConsult(argv: string[], io: CliIo, loadSettings: () => Config): Promise<number> {
  const [first, ...others] = argv;
  if (first === undefined) {
    io.err(USAGE);
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const about = others.length > 0 ? find(others) : undefined;
    io.out(about ? helpText(about.command) : USAGE);
    return 0;
  }
  const found = find(argv);
  if (!found) {
    // a group word alone ("consult projections --help"): its commands
    const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (group.length > 0 && (others.length === 0 || others[0] === '--help' || others[0] === '-h')) {
      const lines = group.map((c) => `usage: consult ${c.usage}\n      ${c.summary}`).join('\n');
      if (others.length === 0) {
        io.err(lines);
        return 2;
      }
      io.out(lines);
      return 0;
    }
    io.err(`unknown command "${group.length > 0 ? `${first} ${others[0] ?? ''}` : first}"\n\n${USAGE}`);
    return 2;
  }
  const { command, rest } = found;
  let config: Config | undefined;
  try {
    return await command.run(rest, io, () => (config ??= loadSettings()));
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`consult ${command.name}: ${error.message}\nusage: consult ${command.usage}\n(consult ${command.name} --help explains the options)`);
      return 2;
    }
    // ConfigError, a missing store or secret, an unreachable server: the message says which
    io.err(`consult ${command.name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
