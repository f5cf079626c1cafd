// Composition root of the `consult` command line.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { openEventStore } from '../store/open-store.ts';
import { verifyAll } from './verify.ts';

const USAGE = `usage: consult <command> [options]

commands:
  verify [--consultation ID]   check the hash chain of every consultation (or one); exit 1 if any is broken

settings come from the environment (DATA_DIR, EVENTSTORE_URL, ...), as for the server`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  switch (command) {
    case 'verify': {
      const { values } = parseArgs({ args: rest, options: { consultation: { type: 'string' } } });
      const { store, location } = await openEventStore(config);
      try {
        process.stderr.write(`verifying ${location}\n`);
        const report = await verifyAll(store, {
          ...(values.consultation ? { consultationId: values.consultation } : {}),
          progress: (line) => process.stdout.write(`${line}\n`),
        });
        process.stdout.write(`${report.streams} consultations, ${report.events} events, ${report.broken.length} broken\n`);
        return report.broken.length === 0 ? 0 : 1;
      } finally {
        await store.close();
      }
    }
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
