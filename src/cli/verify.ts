// `consult verify`: walks every consultation stream (or one) and checks its hash chain.
import { z } from 'zod';
import { verifyStream, type VerifyResult } from '../audit/hash-chain.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import { openEventStore } from '../store/open-store.ts';
import { CONSULTATION_STREAM_PREFIX, type EventStore } from '../store/port.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

export interface VerifyReport {
  streams: number;
  events: number;
  broken: Extract<VerifyResult, { ok: false }>[];
}

/** Stream names of all consultations, in order of their first event. */
export async function consultationStreams(store: EventStore): Promise<string[]> {
  const names = new Set<string>();
  let from: Parameters<EventStore['readAll']>[0] = { streamPrefix: CONSULTATION_STREAM_PREFIX, maxCount: 1000 };
  for (;;) {
    const page = await store.readAll(from);
    for (const e of page) names.add(e.streamName);
    const last = page.at(-1);
    if (!last || page.length < 1000) return [...names];
    from = { ...from, from: last.position };
  }
}

export async function verifyAll(
  store: EventStore,
  options: { consultationId?: string; progress?: (line: string) => void } = {},
): Promise<VerifyReport> {
  const streams = options.consultationId ? [streamNameFor(options.consultationId)] : await consultationStreams(store);
  const report: VerifyReport = { streams: 0, events: 0, broken: [] };
  for (const stream of streams) {
    const result = await verifyStream(store, stream);
    report.streams++;
    report.events += result.events;
    if (!result.ok) report.broken.push(result);
    options.progress?.(result.ok
      ? `ok      ${stream} (${result.events} events)`
      : `BROKEN  ${stream} at revision ${result.revision}: ${result.reason}`);
  }
  return report;
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
