// Group commit: every append() made in the same tick is written in ONE `BEGIN IMMEDIATE`
// transaction, so the fsync that synchronous=FULL costs per commit is shared by the group.
// Each append is still checked and applied on its own (inside a savepoint): a wrong expected
// revision fails that append only, and later appends in the group see earlier ones' events.
// A commit the storage refuses (disk full, I/O error, read-only file) rejects every append it held
// with EventStoreUnavailableError; an append is resolved only after its COMMIT returned.
import type Database from 'better-sqlite3';
import { WrongExpectedVersionError, type AppendResult, type EventData, type ExpectedRevision } from '../port.ts';
import { canonicalText } from '../../audit/canonical-json.ts';
import { EventStoreUnavailableError } from '../unavailable.ts';
import { ORIGIN_SEQUENCE, positionAt } from './position.ts';

/** An event as it is stored: ids lower-cased, data and metadata as JSON text. */
export interface SerialisedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

/** Serialises on the caller's side, so a bad payload fails its own append before any transaction starts. */
export function serialiseEvents(events: EventData[]): SerialisedEvent[] {
  return events.map((e) => ({
    id: e.id.toLowerCase(),
    type: e.type,
    data: storedJson(e.data),
    metadata: storedJson(e.metadata),
  }));
}

interface PendingAppend {
  streamName: string;
  events: SerialisedEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** Bounds one transaction's size; a larger backlog is written in several consecutive groups. */
const MAX_EVENTS_PER_GROUP = 5000;

/**
 * SQLite's result codes (and their extended forms, e.g. SQLITE_IOERR_FSYNC) that say the storage
 * refuses to write now, not that the append is wrong: full disk, I/O error, read-only or
 * unopenable file, no permission, a lock held past the busy timeout.
 */
const STORAGE_REFUSED = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM|BUSY|PROTOCOL|NOLFS)(_|$)/;

/** The error an append is rejected with: a storage failure becomes EventStoreUnavailableError; others stay as they are. */
export function asStoreError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !STORAGE_REFUSED.test(code)) return error;
  return new EventStoreUnavailableError(`the SQLite event store refused the write (${code})`, { cause: error });
}

/**
 * Data and metadata are stored as RFC 8785 canonical text, the form the hash chain is taken over,
 * so a fold checks an event's hash on the stored text as it is (audit/hash-chain.ts,
 * hashTextOfStored) instead of serialising the parsed values again. A value canonical JSON refuses
 * (NaN, a lone surrogate) is stored as JSON.stringify writes it, as before; its hash cannot be
 * checked on the stored text, and the full check says why.
 */
function storedJson(value: unknown): string {
  try {
    const text = canonicalText(value);
    if (text !== undefined) return text;
  } catch {
    // as JSON.stringify would, below
  }
  return JSON.stringify(value);
}

export class GroupCommitWriter {
  private queue: PendingAppend[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private closed = false;
  private readonly lastOfStream: Database.Statement<[string], { revision: number; sequence: number }>;
  private readonly rangeOfStream: Database.Statement<[string, number, number], { event_id: string; sequence: number }>;
  private readonly insert: Database.Statement<[string, number, string, string, string, string, string]>;
  private readonly writeGroup: Database.Transaction<(group: PendingAppend[]) => Outcome[]>;
  private readonly applyOne: (append: PendingAppend, created: string) => AppendResult;

  constructor(
    private readonly db: Database.Database,
    /** called after a commit that wrote at least one event */
    private readonly onCommitted: () => void,
  ) {
    this.lastOfStream = db.prepare(
      'SELECT revision, sequence FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
    );
    this.rangeOfStream = db.prepare(
      'SELECT event_id, sequence FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
    );
    this.insert = db.prepare(
      'INSERT INTO events (stream, revision, event_id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // better-sqlite3 turns a transaction function called inside another into a SAVEPOINT.
    this.applyOne = db.transaction((append: PendingAppend, created: string) => this.apply(append, created));
    this.writeGroup = db.transaction((group: PendingAppend[]) => {
      const created = new Date().toISOString();
      return group.map((append): Outcome => {
        try {
          return { ok: true, result: this.applyOne(append, created) };
        } catch (error) {
          // Some SQLite errors (disk full, I/O) roll back the whole transaction: then the group fails.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      });
    });
  }

  submit(streamName: string, events: EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('the event store is closed')); // before serialising
    return this.submitSerialised(streamName, serialiseEvents(events), expected);
  }

  /** Queues an append whose events are already serialised (the writer thread gets them so). */
  submitSerialised(streamName: string, events: SerialisedEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ streamName, events, expected, resolve, reject });
      this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Writes everything queued (synchronously). Called on the scheduled tick and on close. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    while (this.queue.length > 0) {
      const group = this.takeGroup();
      let outcomes: Outcome[];
      try {
        outcomes = this.writeGroup.immediate(group);
      } catch (error) {
        this.rollBackLeftovers();
        const failure = asStoreError(error);
        for (const append of group) append.reject(failure);
        continue;
      }
      // Settle only after COMMIT returned: an acknowledged append is durable.
      if (outcomes.some((o) => o.ok)) this.onCommitted();
      outcomes.forEach((outcome, i) => {
        const append = group[i]!;
        if (outcome.ok) append.resolve(outcome.result);
        else append.reject(asStoreError(outcome.error));
      });
    }
  }

  /**
   * One small write in its own transaction, to a side table that no read returns: proves that the
   * file takes writes again (after a full disk, say). Runs between groups (better-sqlite3 is
   * synchronous), so it never joins an append's transaction.
   */
  probe(): void {
    if (this.closed) throw new Error('the event store is closed');
    try {
      this.db.transaction(() => {
        // Created on first use, not by a migration: it holds nothing anyone reads, and an older
        // version of this code must still open the file. (Prepared each time: a probe is rare.)
        this.db.exec('CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL) STRICT');
        this.db.prepare('INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(new Date().toISOString());
      }).immediate();
    } catch (error) {
      this.rollBackLeftovers();
      throw asStoreError(error);
    }
  }

  /** Writes what is queued, then refuses further appends. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  /** A failed COMMIT whose rollback failed too would leave the connection in a transaction that every later BEGIN trips over. */
  private rollBackLeftovers(): void {
    if (!this.db.inTransaction) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // nothing more to do: the next BEGIN reports the connection's state
    }
  }

  private takeGroup(): PendingAppend[] {
    let events = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || events + this.queue[n]!.events.length <= MAX_EVENTS_PER_GROUP)) {
      events += this.queue[n]!.events.length;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private apply(append: PendingAppend, created: string): AppendResult {
    const { streamName, events, expected } = append;
    const last = this.lastOfStream.get(streamName);
    const actual = last?.revision ?? -1;
    const satisfied =
      expected === 'any' ||
      (expected === 'no_stream' && actual === -1) ||
      (expected === 'stream_exists' && actual >= 0) ||
      expected === actual;
    if (!satisfied) {
      const retried = this.retriedResult(append, actual);
      if (retried) return retried;
      throw new WrongExpectedVersionError(streamName, expected, actual === -1 ? 'no_stream' : actual);
    }
    let revision = actual;
    let sequence = last?.sequence ?? ORIGIN_SEQUENCE;
    for (const e of events) {
      revision += 1;
      const info = this.insert.run(streamName, revision, e.id, e.type, e.data, e.metadata, created);
      sequence = Number(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position: positionAt(sequence) };
  }

  /**
   * EventStoreDB's idempotent write: when the events right after the expected revision carry
   * exactly this batch's ids, the batch was already written (a retry), so report that write again.
   */
  private retriedResult(append: PendingAppend, actual: number): AppendResult | null {
    const { streamName, events, expected } = append;
    const after = expected === 'no_stream' ? -1 : typeof expected === 'number' ? expected : null;
    if (after === null || events.length === 0 || actual < after + events.length) return null;
    const stored = this.rangeOfStream.all(streamName, after + 1, events.length);
    if (stored.length !== events.length || stored.some((row, i) => row.event_id !== events[i]!.id)) return null;
    return { nextExpectedRevision: after + events.length, position: positionAt(stored[stored.length - 1]!.sequence) };
  }
}
