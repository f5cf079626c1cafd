// `consult <args>` in this process: the real command line (src/cli/consult.ts) with its output
// collected, settings read from the given environment only (none of the caller's), and its exit
// code. Tests that need the process itself (bin/consult.js) spawn it.
import { runConsult } from '../../src/cli/consult.ts';
import { loadConfig } from '../../src/config/config.ts';

export interface ConsultRun {
  status: number;
  stdout: string;
  stderr: string;
}

export async function consult(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<ConsultRun> {
  let stdout = '';
  let stderr = '';
  const status = await runConsult(
    args,
    { out: (line) => { stdout += `${line}\n`; }, err: (line) => { stderr += `${line}\n`; } },
    () => loadConfig({ NODE_ENV: 'development', ...options.env }, options.cwd ?? process.cwd()),
  );
  return { status, stdout, stderr };
}
