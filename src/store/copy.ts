// Copies every consultation stream from one event store to another (SQLite → EventStoreDB when a
// deployment outgrows one machine), preserving event ids, types, data, metadata, revisions and
// the global order. Resumable and idempotent: what the target has already is checked (same ids at
// the same revisions) and skipped, so running it twice copies nothing twice.
import { CONSULTATION_STREAM_PREFIX, type EventStore, type Position, type RecordedEvent } from './port.ts';

export interface CopyProgress {
  scanned: number;
  copied: number;
  skipped: number;
  streams: number;
  eventsPerSecond: number;
}

export interface CopyReport extends CopyProgress {
  /** per-stream counts that differ between source and target after the copy (empty when all match) */
  mismatches: { streamName: string; source: number; target: number }[];
}

export interface CopyOptions {
  pageSize?: number;
  /** called at most every `progressEveryMs` (default 1000) and once at the end */
  progress?: (p: CopyProgress) => void;
  progressEveryMs?: number;
  /** stop after this many copied events (for a resumption test, or a partial run) */
  maxEvents?: number;
}

export class CopyConflictError extends Error {
  readonly code = 'COPY_CONFLICT';
  constructor(readonly streamName: string, readonly revision: number) {
    super(`the target's ${streamName} differs from the source at revision ${revision}: it is not a copy of this source`);
    this.name = 'CopyConflictError';
  }
}

export async function copyConsultations(source: EventStore, target: EventStore, options: CopyOptions = {}): Promise<CopyReport> {
  const pageSize = options.pageSize ?? 500;
  const started = performance.now();
  const counts = new Map<string, number>(); // source events per stream
  const targetNext = new Map<string, number>(); // next revision the target expects per stream
  const p: CopyProgress = { scanned: 0, copied: 0, skipped: 0, streams: 0, eventsPerSecond: 0 };
  let lastReport = 0;
  const report = (force = false) => {
    const now = performance.now();
    if (!options.progress || (!force && now - lastReport < (options.progressEveryMs ?? 1000))) return;
    lastReport = now;
    p.eventsPerSecond = Math.round(p.scanned / Math.max(0.001, (now - started) / 1000));
    options.progress({ ...p });
  };

  /** How many events of the stream the target has, after checking they are the source's, id for id. */
  const nextRevisionInTarget = async (streamName: string): Promise<number> => {
    const known = targetNext.get(streamName);
    if (known !== undefined) return known;
    const existing = await target.readStream(streamName);
    if (existing.length > 0) {
      const mine = await source.readStream(streamName, { maxCount: existing.length });
      existing.forEach((e, i) => {
        if (mine[i]?.id !== e.id) throw new CopyConflictError(streamName, i);
      });
    }
    targetNext.set(streamName, existing.length);
    return existing.length;
  };

  let from: Position | 'start' = 'start';
  copying: for (;;) {
    const page = await source.readAll({ from, streamPrefix: CONSULTATION_STREAM_PREFIX, maxCount: pageSize });
    if (page.length === 0) break;
    // runs of consecutive events of one stream are appended together, keeping the global order
    for (let i = 0; i < page.length; ) {
      const streamName = page[i]!.streamName;
      let j = i;
      while (j < page.length && page[j]!.streamName === streamName) j++;
      const run = page.slice(i, j);
      i = j;
      if (!counts.has(streamName)) p.streams++;
      counts.set(streamName, (counts.get(streamName) ?? 0) + run.length);
      p.scanned += run.length;
      const next = await nextRevisionInTarget(streamName);
      const todo = run.filter((e) => e.revision >= next);
      p.skipped += run.length - todo.length;
      if (todo.length === 0) {
        report();
        continue;
      }
      if (todo[0]!.revision !== next) throw new CopyConflictError(streamName, next);
      const room = options.maxEvents === undefined ? todo.length : options.maxEvents - p.copied;
      const batch = todo.slice(0, room);
      if (batch.length > 0) {
        await target.append(
          streamName,
          batch.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
          next === 0 ? 'no_stream' : next - 1,
        );
        p.copied += batch.length;
        targetNext.set(streamName, next + batch.length);
      }
      if (batch.length < todo.length) break copying;
      report();
    }
    from = page.at(-1)!.position;
    if (page.length < pageSize) break;
  }
  report(true);

  const mismatches: CopyReport['mismatches'] = [];
  if (options.maxEvents === undefined || p.copied < options.maxEvents) {
    for (const [streamName, n] of counts) {
      const inTarget = (await target.readStream(streamName)).length;
      if (inTarget !== n) mismatches.push({ streamName, source: n, target: inTarget });
    }
  }
  return { ...p, mismatches };
}
