// Composition root of the `consult` command line.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { openEventStore } from '../store/open-store.ts';
import { projectionsRebuild } from './projections-rebuild.ts';
import { STORE_COPY_USAGE, storeCopy } from './store-copy.ts';
import { printToken, TOKEN_USAGE } from './token.ts';
import { verifyAll } from './verify.ts';

const USAGE = `usage: consult <command> [options]

commands:
  ${TOKEN_USAGE}
                               print a bearer token for the API
  verify [--consultation ID]   check the hash chain of every consultation (or one); exit 1 if any is broken
  projections rebuild [--name NAME]
                               replay the views from the start, with progress (events applied, events/s)
  ${STORE_COPY_USAGE}
                               copy every consultation stream (resumable; running it twice copies nothing twice)

settings come from the environment (DATA_DIR, EVENTSTORE_URL, ...), as for the server`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  switch (command) {
    case 'token':
      return printToken(loadConfig(), rest, (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`));
    case 'verify': {
      const config = loadConfig();
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
    case 'projections': {
      if (rest[0] !== 'rebuild') {
        process.stderr.write(`unknown projections command "${rest[0] ?? ''}"\n${USAGE}\n`);
        return 2;
      }
      const { store, location } = await openEventStore(loadConfig());
      try {
        process.stderr.write(`rebuilding views from ${location}\n`);
        return await projectionsRebuild(store, rest.slice(1), (line) => process.stdout.write(`${line}\n`));
      } finally {
        await store.close();
      }
    }
    case 'store':
      if (rest[0] === 'copy') return storeCopy(rest.slice(1), (line) => process.stdout.write(`${line}\n`));
      process.stderr.write(`unknown store command "${rest[0] ?? ''}"\n${USAGE}\n`);
      return 2;
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
