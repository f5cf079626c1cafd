// Walking the hash chain of every consultation stream (or one): what `consult verify` prints and
// what the background verifier runs. A damaged stream is reported and the walk goes on with the
// others; a stream's unreadable event is reported at its revision with the store's reason.
import { streamNameFor } from '../domain/stream-name.ts';
import { CONSULTATION_STREAM_PREFIX, type EventStore } from '../store/port.ts';
import { verifyStream, type VerifyResult } from './hash-chain.ts';

export interface VerifyReport {
  streams: number;
  events: number;
  broken: Extract<VerifyResult, { ok: false }>[];
}

/** Lets the event loop serve other work between streams (a pass may hash a whole store). */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

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
    await yieldToOthers();
  }
}

export interface VerifyAllOptions {
  /** only this consultation */
  consultationId?: string;
  /** called with each stream's result as soon as it is known */
  onResult?: (result: VerifyResult) => void;
  /** stops the walk before the next stream; the report then covers the streams walked */
  signal?: AbortSignal;
}

export async function verifyAll(store: EventStore, options: VerifyAllOptions = {}): Promise<VerifyReport> {
  const streams = options.consultationId ? [streamNameFor(options.consultationId)] : await consultationStreams(store);
  const report: VerifyReport = { streams: 0, events: 0, broken: [] };
  for (const stream of streams) {
    if (options.signal?.aborted) break;
    const result = await verifyStream(store, stream);
    report.streams++;
    report.events += result.events;
    if (!result.ok) report.broken.push(result);
    options.onResult?.(result);
    await yieldToOthers();
  }
  return report;
}
