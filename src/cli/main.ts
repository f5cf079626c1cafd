// Composition root of the `consult` command line (bin/consult.js): the process's arguments,
// standard streams, settings from the environment, and its exit code.
import { loadConfig } from '../config/config.ts';
import { runConsult } from './consult.ts';

runConsult(
  process.argv.slice(2),
  { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
  () => loadConfig(),
).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
