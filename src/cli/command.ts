// What every `consult` subcommand is: a name, a usage line, a help text and a run function that
// gets its arguments, where to print, and the settings (read only when it needs them, so that
// `--help` works whatever the environment holds). Exit codes: 0 done, 1 failed, 2 wrong usage.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config/config.ts';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface Subcommand {
  /** one or two words: "verify", "token revoke" */
  name: string;
  /** the usage line after "consult " */
  usage: string;
  /** one line for the command list */
  summary: string;
  /** the rest of `--help`: what it does, its options, what it reads */
  help: string;
  run(args: string[], io: CliIo, config: () => Config): Promise<number>;
}

/** Wrong usage: a missing or unknown option, a bad value. Exit 2 with the message and the usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export function helpText(command: Subcommand): string {
  return `usage: consult ${command.usage}\n\n${command.help}`;
}

function isParseArgsError(error: unknown): error is Error {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

/** node:util parseArgs (strict), with its errors (unknown option, missing value, stray argument) as UsageError. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (error) {
    if (isParseArgsError(error)) {
      // node's first sentence ("Unknown option '--x'", "Option '--role <value>' argument missing") is the clear part
      const first = error.message.split('. ')[0]!;
      throw new UsageError(first.charAt(0).toLowerCase() + first.slice(1));
    }
    throw error;
  }
}
