// The embedded adapter of the event store port: one SQLite file (WAL) that several processes may
// share. Writes go through the group-commit writer; reads and subscriptions read the same
// connection (better-sqlite3 is synchronous, so they never interleave with a write). With
// `writerThread` the writer runs on a worker thread with its own connection, so the fsync of each
// commit no longer blocks this thread's event loop.
import type Database from 'better-sqlite3';
import type {
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../port.ts';
import { ChangeNotifier } from './change-notifier.ts';
import { GroupCommitWriter } from './group-commit.ts';
import { ThreadWriter } from './thread-writer.ts';
import { ORIGIN_SEQUENCE, positionAt, sequenceOf, sqlitePositions } from './position.ts';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows.ts';
import { openDatabase, type Synchronous } from './schema.ts';
import { SqliteSubscription } from './subscription.ts';
import { checkCount, checkEvents, checkExpected, checkStreamName, checkTypes } from './validate.ts';

export interface SqliteEventStoreOptions {
  /** path of the database file; its directory is created if missing */
  file: string;
  /** FULL (default): an acknowledged append survives power loss. NORMAL: it survives a process crash only. */
  synchronous?: Synchronous;
  /** how often live subscriptions look for commits made by other connections (default 25 ms) */
  pollIntervalMs?: number;
  /** how long a write waits for another process's write lock before failing (default 5000 ms) */
  busyTimeoutMs?: number;
  /**
   * Commit on a worker thread (thread-writer.ts) with its own connection, instead of on this
   * thread (default false). Same results and durability; the event loop goes on during fsyncs.
   */
  writerThread?: boolean;
}

const NO_LIMIT = -1; // SQLite's LIMIT -1

export class SqliteEventStore implements EventStore {
  readonly positions = sqlitePositions;
  private readonly db: Database.Database;
  private readonly writer: GroupCommitWriter | ThreadWriter;
  private readonly changes: ChangeNotifier;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private closed = false;
  private readonly statements: {
    stream: Database.Statement<[string, number, number], EventRow>;
    all: Database.Statement<[number, number], EventRow>;
    allWithPrefix: Database.Statement<[{ after: number; prefix: string; limit: number }], EventRow>;
    ofTypes: Database.Statement<[{ after: number; prefix: string | null; types: string; limit: number }], EventRow>;
    head: Database.Statement<[], { sequence: number | null }>;
    headWithPrefix: Database.Statement<[{ prefix: string }], { sequence: number }>;
    ping: Database.Statement<[], { one: number }>;
  };

  constructor(options: SqliteEventStoreOptions) {
    const synchronous = options.synchronous ?? 'FULL';
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.db = openDatabase(options.file, synchronous, busyTimeoutMs); // migrates before the writer thread opens it
    // An exact prefix test in SQLite's own character counting (LIKE would treat % and _ as wildcards).
    const prefixMatches = 'substr(stream, 1, length(@prefix)) = @prefix';
    this.statements = {
      stream: this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`,
      ),
      all: this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?`),
      allWithPrefix: this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE sequence > @after AND ${prefixMatches} ORDER BY sequence LIMIT @limit`,
      ),
      ofTypes: this.db.prepare(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE sequence > @after AND (@prefix IS NULL OR ${prefixMatches})
           AND type IN (SELECT value FROM json_each(@types)) ORDER BY sequence LIMIT @limit`,
      ),
      head: this.db.prepare('SELECT max(sequence) AS sequence FROM events'),
      headWithPrefix: this.db.prepare(
        `SELECT sequence FROM events WHERE ${prefixMatches} ORDER BY sequence DESC LIMIT 1`,
      ),
      ping: this.db.prepare('SELECT 1 AS one'),
    };
    for (const read of [this.statements.stream, this.statements.all, this.statements.allWithPrefix, this.statements.ofTypes]) read.raw(true);
    const dataVersion = this.db.prepare<[], number>('PRAGMA data_version').pluck();
    this.changes = new ChangeNotifier(() => dataVersion.get()!, options.pollIntervalMs ?? 25);
    const committed = () => this.changes.notifyLocal();
    this.writer = options.writerThread
      ? new ThreadWriter({ file: options.file, synchronous, busyTimeoutMs }, committed)
      : new GroupCommitWriter(this.db, committed);
  }

  /** The constructor as a promise, for symmetry with adapters that must connect first. */
  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    return new SqliteEventStore(options);
  }

  async append(streamName: string, events: EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    checkStreamName(streamName);
    checkEvents(events);
    checkExpected(expected);
    return this.writer.submit(streamName, events, expected);
  }

  async readStream(streamName: string, options: { fromRevision?: number; maxCount?: number } = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkStreamName(streamName);
    const { fromRevision = 0, maxCount } = options;
    checkCount('fromRevision', fromRevision);
    if (maxCount !== undefined) checkCount('maxCount', maxCount);
    return this.statements.stream.all(streamName, fromRevision, maxCount ?? NO_LIMIT).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { from = 'start', streamPrefix, maxCount, types } = options;
    if (maxCount !== undefined) checkCount('maxCount', maxCount);
    const after = from === 'start' ? ORIGIN_SEQUENCE : sequenceOf(from);
    if (types !== undefined) {
      checkTypes(types);
      const rows = this.statements.ofTypes.all({ after, prefix: streamPrefix || null, types: JSON.stringify(types), limit: maxCount ?? NO_LIMIT });
      return rows.map(toRecordedEvent);
    }
    return this.readPage(after, streamPrefix, maxCount ?? NO_LIMIT);
  }

  async headPosition(options: { streamPrefix?: string } = {}): Promise<Position | null> {
    this.assertOpen();
    const { streamPrefix } = options;
    const row = streamPrefix ? this.statements.headWithPrefix.get({ prefix: streamPrefix }) : this.statements.head.get();
    return row?.sequence == null ? null : positionAt(row.sequence);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const { from = 'start', streamPrefix } = options;
    const after = from === 'start' ? ORIGIN_SEQUENCE : sequenceOf(from);
    const source = { readPage: this.readPage.bind(this), changes: this.changes };
    const subscription = new SqliteSubscription(source, after, streamPrefix, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.statements.ping.get();
  }

  async probeWrite(): Promise<void> {
    this.assertOpen();
    await this.writer.probe();
  }

  /** Ends every subscription, writes the appends already queued, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.writer.close();
    this.changes.close();
    this.db.close();
  }

  private readPage(afterSequence: number, streamPrefix: string | undefined, limit: number): RecordedEvent[] {
    const rows = streamPrefix
      ? this.statements.allWithPrefix.all({ after: afterSequence, prefix: streamPrefix, limit })
      : this.statements.all.all(afterSequence, limit);
    return rows.map(toRecordedEvent);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
