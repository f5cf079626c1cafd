// `consult verify`: walks every consultation stream (or one) and checks its hash chain.
import { verifyStream, type VerifyResult } from '../audit/hash-chain.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import { CONSULTATION_STREAM_PREFIX, type EventStore } from '../store/port.ts';

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
