// `consult verify`: one line per consultation stream, ok or BROKEN at a revision with the reason
// (the walk itself is src/audit/verify-all.ts, shared with the background verifier).
import { z } from 'zod';
import { verifyAll as walk, type VerifyReport } from '../audit/verify-all.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import { openEventStore } from '../store/open-store.ts';
import type { EventStore } from '../store/port.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

export type { VerifyReport };

export async function verifyAll(
  store: EventStore,
  options: { consultationId?: string; progress?: (line: string) => void } = {},
): Promise<VerifyReport> {
  return walk(store, {
    ...(options.consultationId ? { consultationId: options.consultationId } : {}),
    onResult: (result) => options.progress?.(result.ok
      ? `ok      ${result.streamName} (${result.events} events)`
      : `BROKEN  ${result.streamName} at revision ${result.revision}: ${result.reason}`),
  });
}

/** Consultation ids are UUIDs (as in the API's paths). */
const ConsultationId = z.uuid();

export const verifyCommand: Subcommand = {
  name: 'verify',
  usage: 'verify [--consultation ID]',
  summary: 'check the hash chain of every consultation (or one); exit 1 if any is broken',
  help: `Checks the hash chain of every consultation in the event store, or of one, and prints a line per
consultation and a total; exit 1 if any chain is broken (or the named consultation does not exist).
The store is the server's: DATA_DIR/events.sqlite, or EVENTSTORE_URL. A missing SQLite file is an
error naming it; nothing is created.

options:
  --consultation ID   only this consultation (its UUID)
  -h, --help          this help`,
  async run(args, io, config) {
    const { values } = parseCommandArgs({ args, options: { consultation: { type: 'string' }, ...HELP_OPTION } });
    if (values.help) {
      io.out(helpText(verifyCommand));
      return 0;
    }
    let consultationId: string | undefined;
    if (values.consultation !== undefined) {
      const id = ConsultationId.safeParse(values.consultation);
      if (!id.success) throw new UsageError(`not a consultation id (a UUID): "${values.consultation}"`);
      consultationId = id.data;
    }
    const { store, location } = await openEventStore(config(), undefined, { mustExist: true });
    try {
      io.err(`verifying ${location}`);
      if (consultationId && (await store.readStream(streamNameFor(consultationId), { maxCount: 1 })).length === 0) {
        io.err(`no consultation ${consultationId} in ${location}`);
        return 1;
      }
      const report = await verifyAll(store, { ...(consultationId ? { consultationId } : {}), progress: io.out });
      io.out(`${report.streams} consultations, ${report.events} events, ${report.broken.length} broken`);
      return report.broken.length === 0 ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};
