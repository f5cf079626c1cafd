// PROTOCOL TEST DOUBLE — part of test/esdb/test-server.ts, not an EventStoreDB implementation.
// The in-memory log behind the double: streams with revisions from 0, one global order ($all) with
// byte-offset-like positions, expected-revision checks and idempotent appends, as EventStoreDB
// documents them. It knows nothing about gRPC (see wire.ts and test-server.ts).

/** A position in $all as EventStoreDB reports it: a commit/prepare pair. */
export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

export interface StoredEvent {
  readonly streamName: string;
  readonly revision: bigint;
  /** lowercase canonical UUID, as the server's Guid.ToString() gives it */
  readonly id: string;
  readonly type: string;
  /** the server keeps only "is JSON" and answers application/json or application/octet-stream */
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the `created` metadata entry carries it */
  readonly created: bigint;
  /** log position of the event's record; commit == prepare for every event (see below) */
  readonly position: bigint;
  /** position just after the record: where the next record starts */
  readonly postPosition: bigint;
}

export interface ProposedEvent {
  id: string;
  type: string;
  isJson: boolean;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: bigint };

export type AppendOutcome =
  | {
      kind: 'success';
      /** the revision of the last event of the write; undefined when the stream has no events */
      currentRevision: bigint | undefined;
      /** undefined for a write of zero events (the server answers no_position) */
      position: bigint | undefined;
    }
  /** currentRevision undefined: the stream does not exist */
  | { kind: 'wrong_expected_version'; currentRevision: bigint | undefined };

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function eventPosition(e: StoredEvent): LogPosition {
  return { commit: e.position, prepare: e.position };
}

// .NET ticks are 100 ns: 10 000 per millisecond.
const TICKS_PER_MS = 10_000n;
// A log does not start with a user event at 0 (chunk header, epoch records come first).
const FIRST_RECORD_POSITION = 1024n;
// A prepare record's fixed part; the rest of a record is its variable-length fields. Positions are
// "byte-offset-like": strictly increasing and not dense, so nothing may assume position + 1.
const RECORD_OVERHEAD = 96n;

const encoder = new TextEncoder();

function lastWithId(events: readonly StoredEvent[], id: string): StoredEvent | undefined {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const e = events[i];
    if (e?.id === id) return e;
  }
  return undefined;
}

export class EventLog {
  /** every event in global ($all) order; positions strictly increase along it */
  readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private nextPosition = FIRST_RECORD_POSITION;
  private readonly listeners = new Set<() => void>();

  /** Called (synchronously, after the write) whenever events are appended. Returns an unsubscribe. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lastRevision(streamName: string): bigint | undefined {
    const events = this.streams.get(streamName);
    return events && events.length > 0 ? BigInt(events.length - 1) : undefined;
  }

  stream(streamName: string): readonly StoredEvent[] | undefined {
    return this.streams.get(streamName);
  }

  /**
   * Appends atomically with EventStoreDB's optimistic concurrency check and idempotence rules.
   *
   * Expected revision (https://developers.eventstore.com/clients/grpc/appending-events.html,
   * "Handling concurrency"): no_stream = the stream must not exist; stream_exists = it must exist;
   * a revision = its last event must have that revision; any = no check.
   *
   * Idempotence (eventId in https://developers.eventstore.com/clients/grpc/appending-events.html;
   * the rules in http://docs.geteventstore.com/dotnet-api/4.0.0/optimistic-concurrency-and-idempotence/,
   * linked from https://developers.eventstore.com/clients/dotnet/20.10/appending/):
   * - expected revision E below the current one: the ids of the write are compared with the events
   *   at E+1, E+2, ...; all equal → success without writing (the original write's result); the
   *   first differs → wrong expected version; some equal then one differs (or runs past the end)
   *   → wrong expected version ("corrupted idempotency"). no_stream counts as E = -1.
   * - any / stream_exists: the server does "best effort" through a cache of recent event ids;
   *   this double never forgets, so a retry with `any` is always recognised here. Do not rely on
   *   that against a real server.
   * - E equal to the current revision: written.
   */
  append(streamName: string, expected: ExpectedRevision, proposed: readonly ProposedEvent[]): AppendOutcome {
    const existing = this.streams.get(streamName) ?? [];
    const current = existing.length > 0 ? BigInt(existing.length - 1) : undefined;
    const wrong: AppendOutcome = { kind: 'wrong_expected_version', currentRevision: current };

    if (expected.kind === 'any' || expected.kind === 'stream_exists') {
      if (expected.kind === 'stream_exists' && current === undefined) return wrong;
      const firstId = proposed[0]?.id;
      const first = firstId === undefined ? undefined : lastWithId(existing, firstId);
      if (first !== undefined) {
        // every id must be found in this stream, else "corrupted idempotency"
        let last = first;
        for (const p of proposed.slice(1)) {
          const found = lastWithId(existing, p.id);
          if (found === undefined) return wrong;
          last = found;
        }
        return { kind: 'success', currentRevision: last.revision, position: last.position };
      }
      return this.write(streamName, existing, proposed);
    }

    const expectedRevision = expected.kind === 'no_stream' ? -1n : expected.revision;
    const currentOrMinusOne = current ?? -1n;
    if (expectedRevision > currentOrMinusOne) return wrong;
    if (expectedRevision === currentOrMinusOne) return this.write(streamName, existing, proposed);

    // expectedRevision < current: a retry of a write that already happened?
    let revision = expectedRevision;
    let lastMatched: StoredEvent | undefined;
    for (const p of proposed) {
      revision += 1n;
      const stored = existing[Number(revision)];
      if (stored === undefined || stored.id !== p.id) return wrong;
      lastMatched = stored;
    }
    return {
      kind: 'success',
      currentRevision: lastMatched?.revision ?? (expectedRevision >= 0n ? expectedRevision : undefined),
      position: lastMatched?.position,
    };
  }

  private write(streamName: string, existing: StoredEvent[], proposed: readonly ProposedEvent[]): AppendOutcome {
    if (proposed.length === 0) {
      const current = existing.length > 0 ? BigInt(existing.length - 1) : undefined;
      return { kind: 'success', currentRevision: current, position: undefined };
    }
    const created = BigInt(Date.now()) * TICKS_PER_MS;
    const streamBytes = BigInt(encoder.encode(streamName).length);
    let last: StoredEvent | undefined;
    for (const p of proposed) {
      const size =
        RECORD_OVERHEAD +
        streamBytes +
        BigInt(encoder.encode(p.type).length) +
        BigInt(p.data.length) +
        BigInt(p.customMetadata.length);
      // Each event is its own record: since EventStoreDB 20.x a write is a run of prepare records
      // flagged as committed, and reading $all reports each one at (its log position, its log
      // position). So events written in one append get distinct positions with commit == prepare.
      const event: StoredEvent = {
        streamName,
        revision: BigInt(existing.length),
        id: p.id,
        type: p.type,
        isJson: p.isJson,
        data: p.data,
        customMetadata: p.customMetadata,
        created,
        position: this.nextPosition,
        postPosition: this.nextPosition + size,
      };
      this.nextPosition = event.postPosition;
      existing.push(event);
      this.all.push(event);
      last = event;
    }
    this.streams.set(streamName, existing);
    for (const listener of [...this.listeners]) listener();
    // The append's result carries the revision and the position of the write's last event.
    return { kind: 'success', currentRevision: last?.revision, position: last?.position };
  }

  /**
   * Replaces the stored bytes of one event in place, keeping its id, revision and position: how a
   * test stands for a damaged or tampered store. EventStoreDB has no such operation (events are
   * immutable); this is the double's way to put bytes on the wire that the client must cope with.
   */
  rewrite(streamName: string, revision: bigint, change: { data?: Uint8Array; customMetadata?: Uint8Array }): void {
    const events = this.streams.get(streamName);
    const old = events?.[Number(revision)];
    if (events === undefined || old === undefined) throw new Error(`no event ${streamName}@${revision} to rewrite`);
    const replaced: StoredEvent = { ...old, data: change.data ?? old.data, customMetadata: change.customMetadata ?? old.customMetadata };
    events[Number(revision)] = replaced;
    this.all[this.all.indexOf(old)] = replaced;
  }

  /**
   * Index of the first event a forward read of $all from `from` returns: the first event whose
   * position is at or after it (the server includes the record at exactly `from`).
   */
  firstIndexAtOrAfter(from: LogPosition): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.all[mid];
      if (e !== undefined && comparePositions(eventPosition(e), from) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Index one past the last event a backward read of $all from `from` returns: the server takes
   * records that end at or before `from`, so the event at exactly `from` is excluded.
   */
  endIndexBefore(from: LogPosition): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.all[mid];
      const post = e === undefined ? undefined : { commit: e.postPosition, prepare: e.postPosition };
      if (post !== undefined && comparePositions(post, from) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
