// The embedded adapter of the view store port: one SQLite file (DATA_DIR/views.sqlite by default),
// WAL, synchronous=FULL unless told NORMAL. A commit is one BEGIN IMMEDIATE transaction holding
// every document change and the checkpoint, so a restart resumes from the checkpoint. Several
// processes may open the file: the writer lease is a row (owner, pid, heartbeat) that another
// process takes over when its holder released it, died, or stopped heart-beating; commits made by
// other processes reach waitForCheckpoint through PRAGMA data_version polling. With `writerThread`
// the commits run on a worker thread with its own connection to the file (view-writer.ts), so
// their upserts and fsync leave this thread's event loop free; reads stay on this connection.
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ChangeNotifier } from '../store/sqlite/change-notifier.ts';
import { SqliteViewWrites } from './sqlite-view-commit.ts';
import { openViewDatabase, type Synchronous } from './sqlite-view-schema.ts';
import {
  checkListOptions, checkMoves, checkName, checkPrefix, checkText, checkTimeout, normaliseChanges, parseDoc, prefixUpperBound,
  type CheckedListOptions,
} from './validate.ts';
import {
  ViewStoreClosedError, WriterLostError,
  type Checkpoint, type CheckpointMove, type ListOptions, type ViewChange, type ViewDoc, type ViewStore, type WriterLease,
} from './view-store.ts';
import { waitForCheckpointLoop } from './wait-for-checkpoint.ts';
import { ViewWriter } from './view-writer.ts';
import { anySignal, Lease, LocalLocks, sleep } from './writer-lease.ts';

export interface SqliteViewStoreOptions {
  /** path of the database file (e.g. DATA_DIR/views.sqlite); its directory is created if missing */
  file: string;
  /** FULL (default): an acknowledged commit survives power loss. NORMAL: it survives a process crash only. */
  synchronous?: Synchronous;
  /** how long a write waits for another process's write lock before failing (default 5000 ms) */
  busyTimeoutMs?: number;
  /** how often waits look for commits by other processes, and waiting writers for a free lease (default 25 ms) */
  pollIntervalMs?: number;
  /**
   * A lease whose holder has not heart-beaten for this long may be taken over (default 10 s; the
   * holder beats every third of it). A holder whose process has exited is taken over at once.
   */
  leaseTtlMs?: number;
  /**
   * Run commits on a worker thread with its own connection to the file (default false). Same
   * results, errors and durability; changes are still checked and serialised on the calling
   * thread, and the upserts and COMMIT (fsync) run on the other. drop and setMeta stay on this
   * thread, after the commits queued before them.
   */
  writerThread?: boolean;
}

interface DocRow {
  key: string;
  ord: number;
  doc: string;
}

interface WriterRow {
  owner: string;
  host: string;
  pid: number;
  heartbeat_at: number;
}

type Params = Record<string, string | number | null>;

const NO_LIMIT = -1; // SQLite's LIMIT -1
/** WAL pages (4 kB each) after which a commit copies the WAL into the file: SQLite's default, and while catching up */
const LIVE_CHECKPOINT_PAGES = 1000;
const CATCH_UP_CHECKPOINT_PAGES = 16_384;

/**
 * Whether a process with this id exists here. (WAL works only on one host, but containers on it
 * may share the file with pid namespaces of their own: the lease row's host name guards that.)
 */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // it exists but belongs to someone else
  }
}

interface HeldLease {
  lease: Lease;
  owner: string;
  timer: NodeJS.Timeout;
  unlock(): void;
}

export class SqliteViewStore implements ViewStore {
  private readonly db: Database.Database;
  private readonly changes: ChangeNotifier;
  private readonly locks = new LocalLocks();
  private readonly held = new Set<HeldLease>();
  private readonly closing = new AbortController();
  private readonly pollIntervalMs: number;
  private readonly leaseTtlMs: number;
  private readonly host = hostname();
  /** collection ids (read lazily), commits and drops on this connection */
  private readonly writes: SqliteViewWrites;
  /** with `writerThread`: the thread that runs the commits */
  private readonly thread: ViewWriter | null;
  /**
   * With `writerThread`: a drop or setMeta (on this connection) waiting for the commits queued
   * before it. Commits and WAL requests made meanwhile are sent once it ran, so every write
   * happens in the order it was asked for.
   */
  private mainWrite: Promise<void> | null = null;
  private closed: Promise<void> | null = null;
  private readonly selects = new Map<string, Database.Statement<[Params], DocRow>>();
  private readonly counts = new Map<string, Database.Statement<[Params], { n: number }>>();
  private readonly statements: {
    get: Database.Statement<[number, string], DocRow>;
    checkpoint: Database.Statement<[string], { position: string; updated_at: string }>;
    getMeta: Database.Statement<[string], { value: string }>;
    setMeta: Database.Statement<[string, string]>;
    deleteMeta: Database.Statement<[string]>;
    writer: Database.Statement<[string], WriterRow>;
    takeWriter: Database.Statement<[string, string, string, number, number]>;
    beat: Database.Statement<[number, string, string]>;
    releaseWriter: Database.Statement<[string, string]>;
  };
  private readonly takeTransaction: Database.Transaction<(consumer: string, owner: string) => boolean>;

  constructor(options: SqliteViewStoreOptions) {
    const synchronous = options.synchronous ?? 'FULL';
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.db = openViewDatabase(options.file, synchronous, busyTimeoutMs);
    this.pollIntervalMs = options.pollIntervalMs ?? 25;
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
    const db = this.db;
    this.statements = {
      get: db.prepare('SELECT key, ord, doc FROM view_docs WHERE collection_id = ? AND key = ?'),
      checkpoint: db.prepare('SELECT position, updated_at FROM view_checkpoints WHERE consumer = ?'),
      getMeta: db.prepare('SELECT value FROM view_meta WHERE name = ?'),
      setMeta: db.prepare('INSERT INTO view_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      deleteMeta: db.prepare('DELETE FROM view_meta WHERE name = ?'),
      writer: db.prepare('SELECT owner, host, pid, heartbeat_at FROM view_writers WHERE consumer = ?'),
      takeWriter: db.prepare('INSERT OR REPLACE INTO view_writers (consumer, owner, host, pid, heartbeat_at) VALUES (?, ?, ?, ?, ?)'),
      beat: db.prepare('UPDATE view_writers SET heartbeat_at = ? WHERE consumer = ? AND owner = ?'),
      releaseWriter: db.prepare('DELETE FROM view_writers WHERE consumer = ? AND owner = ?'),
    };
    this.writes = new SqliteViewWrites(db);
    this.takeTransaction = db.transaction((consumer, owner) => {
      const free = this.leaseIsFree(this.statements.writer.get(consumer));
      if (free) this.statements.takeWriter.run(consumer, owner, this.host, process.pid, Date.now());
      return free;
    });
    this.changes = new ChangeNotifier(() => Number(db.pragma('data_version', { simple: true })), this.pollIntervalMs);
    // started after this connection migrated the file: the thread's connection finds it current
    this.thread = options.writerThread ? new ViewWriter({ file: options.file, synchronous, busyTimeoutMs }) : null;
  }

  /** The constructor as a promise, for symmetry with the PostgreSQL adapter, which must connect first. */
  static async open(options: SqliteViewStoreOptions): Promise<SqliteViewStore> {
    return new SqliteViewStore(options);
  }

  async get(collection: string, key: string): Promise<ViewDoc | null> {
    this.assertOpen();
    checkName('collection', collection);
    checkName('key', key);
    const id = this.writes.idOf(collection);
    const row = id === undefined ? undefined : this.statements.get.get(id, key);
    return row ? { key: row.key, order: row.ord, doc: parseDoc(row.doc) } : null;
  }

  async list(collection: string, options?: ListOptions): Promise<ViewDoc[]> {
    this.assertOpen();
    checkName('collection', collection);
    const checked = checkListOptions(options);
    const id = this.writes.idOf(collection);
    if (id === undefined) return [];
    const { sql, params } = this.filter(id, checked.prefix, checked.after);
    let statement = this.selects.get(sql);
    if (!statement) this.selects.set(sql, (statement = this.db.prepare(`SELECT key, ord, doc FROM view_docs WHERE ${sql} ORDER BY ord, key LIMIT @limit`)));
    return statement.all({ ...params, limit: checked.limit ?? NO_LIMIT }).map((r) => ({ key: r.key, order: r.ord, doc: parseDoc(r.doc) }));
  }

  async count(collection: string, prefix?: string): Promise<number> {
    this.assertOpen();
    checkName('collection', collection);
    const id = this.writes.idOf(collection);
    if (id === undefined) return 0;
    const { sql, params } = this.filter(id, checkPrefix(prefix), null);
    let statement = this.counts.get(sql);
    if (!statement) this.counts.set(sql, (statement = this.db.prepare(`SELECT count(*) AS n FROM view_docs WHERE ${sql}`)));
    return statement.get(params)?.n ?? 0;
  }

  async checkpoint(consumer: string): Promise<Checkpoint | null> {
    this.assertOpen();
    checkName('consumer', consumer);
    const row = this.statements.checkpoint.get(consumer);
    return row ? { position: row.position, updatedAt: row.updated_at } : null;
  }

  async commit(consumer: string, expected: string | null, next: string, changes: readonly ViewChange[]): Promise<void> {
    await this.commitMany([{ consumer, expected, next }], changes);
  }

  async commitMany(moves: readonly CheckpointMove[], changes: readonly ViewChange[]): Promise<void> {
    this.assertOpen();
    checkMoves(moves);
    const { upserts, deletes } = normaliseChanges(changes);
    if (this.thread) {
      const thread = this.thread;
      await this.afterMainWrite(() => thread.commit(moves, upserts, deletes));
    } else {
      this.writes.commit(moves, upserts, deletes);
    }
    this.changes.notifyLocal();
  }

  async drop(collections: readonly string[], consumer?: string): Promise<void> {
    this.assertOpen();
    collections.forEach((c, i) => checkName(`collections[${i}]`, c));
    if (consumer !== undefined) checkName('consumer', consumer);
    await this.onThisThread(() => this.writes.drop(collections, consumer));
    this.changes.notifyLocal();
  }

  async acquireWriter(consumer: string, options: { signal?: AbortSignal } = {}): Promise<WriterLease> {
    this.assertOpen();
    checkName('consumer', consumer);
    const { signal, dispose } = anySignal([options.signal, this.closing.signal]);
    const reason = () => (this.closing.signal.aborted ? new ViewStoreClosedError() : signal.reason);
    let unlock: () => void;
    try {
      // First among this store's own callers (in the order they asked), then against other processes.
      unlock = await this.locks.acquire(consumer, signal);
    } catch (error) {
      dispose();
      throw this.closing.signal.aborted ? new ViewStoreClosedError() : error;
    }
    const owner = randomUUID();
    try {
      // Look without the write lock first, so that waiting does not contend with the holder's commits.
      while (!(this.leaseIsFree(this.statements.writer.get(consumer)) && this.takeTransaction.immediate(consumer, owner))) {
        await sleep(this.pollIntervalMs, signal).catch(() => {
          throw reason();
        });
      }
    } catch (error) {
      unlock();
      throw error;
    } finally {
      dispose();
    }
    return this.holdLease(consumer, owner, unlock);
  }

  async waitForCheckpoint(consumer: string, reached: (position: string) => boolean, timeoutMs: number): Promise<void> {
    this.assertOpen();
    checkName('consumer', consumer);
    checkTimeout(timeoutMs);
    await waitForCheckpointLoop({
      consumer, reached, timeoutMs,
      changes: this.changes,
      read: async () => (this.closing.signal.aborted ? null : (this.statements.checkpoint.get(consumer)?.position ?? null)),
      closing: this.closing.signal,
    });
  }

  async getMeta(name: string): Promise<string | null> {
    this.assertOpen();
    checkName('name', name);
    return this.statements.getMeta.get(name)?.value ?? null;
  }

  async setMeta(name: string, value: string | null): Promise<void> {
    this.assertOpen();
    checkName('name', name);
    if (value !== null) checkText('value', value);
    await this.onThisThread(() => {
      if (value === null) this.statements.deleteMeta.run(name);
      else this.statements.setMeta.run(name, value);
    });
    this.changes.notifyLocal();
  }

  /**
   * The documents an erasure replaced are zeroed in place (secure_delete), but the WAL still holds
   * the page images written before: copied into the file and truncated here. A reader in another
   * process holding an older snapshot can keep part of it until the next checkpoint. With the
   * writer thread, the thread does it, after the commits queued before.
   */
  async forgetReplaced(): Promise<void> {
    if (this.closing.signal.aborted) return;
    const thread = this.thread;
    if (thread) await this.afterMainWrite(() => thread.truncateWal());
    else this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * While catching up, the WAL is copied into the file (checkpointed) once it holds 64 MB instead
   * of SQLite's default 4 MB: a catch-up commit writes several MB, so the default copied after
   * nearly every commit, and pages written again by the next commit were copied again. Live, the
   * default again (a command's commit never waits on a large copy); the WAL written meanwhile is
   * copied at once, before the views say they caught up, rather than on some command's commit.
   * The setting is per connection. With the writer thread it matters on the thread's (the one
   * that writes the commits; the copy at the end runs there too), and is set on this one as well:
   * this connection's few writes (leases, setMeta, drop) would otherwise copy a catch-up's WAL on
   * this thread as soon as it held SQLite's default.
   */
  async catchingUp(on: boolean): Promise<void> {
    if (this.closing.signal.aborted) return;
    const pages = on ? CATCH_UP_CHECKPOINT_PAGES : LIVE_CHECKPOINT_PAGES;
    this.db.pragma(`wal_autocheckpoint = ${pages}`);
    const thread = this.thread;
    if (thread) await this.afterMainWrite(() => thread.autocheckpoint(pages, !on));
    else if (!on) this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /**
   * Refuses new calls, ends waits, writes the commits already asked for (they settle; with the
   * writer thread, then ends it), gives up held leases (their onLost listeners hear of it), and
   * closes the file. A second call returns the first one's promise.
   */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing.abort();
    this.locks.rejectAll(new ViewStoreClosedError());
    this.changes.close();
    if (this.thread) {
      await this.mainWrite; // drops and setMetas asked for, and the commits waiting behind them, are sent
      await this.thread.close();
    }
    for (const h of [...this.held]) {
      this.endLease(h);
      h.lease.lose(new WriterLostError(h.lease.consumer, 'the view store was closed'));
    }
    this.db.close();
  }

  /** With the writer thread: sends a request once the drop or setMeta asked for before it ran. */
  private afterMainWrite(send: () => Promise<void>): Promise<void> {
    return this.mainWrite ? this.mainWrite.then(send) : send();
  }

  /**
   * Runs a write on this connection: at once without the writer thread; with it, after the
   * requests sent to the thread before (they settled, written or failed), and before those asked
   * for after.
   */
  private onThisThread(run: () => void): Promise<void> {
    const thread = this.thread;
    if (!thread) {
      run();
      return Promise.resolve();
    }
    const before = this.mainWrite;
    const done = (async () => {
      await before;
      await thread.flush().catch(() => {}); // a thread gone failed its requests already; this write is this connection's
      run();
    })();
    const gate = done.then(
      () => {},
      () => {},
    );
    this.mainWrite = gate;
    void gate.then(() => {
      if (this.mainWrite === gate) this.mainWrite = null;
    });
    return done;
  }

  /** Free: nobody holds it, or the holder stopped heart-beating, or its process has exited. */
  private leaseIsFree(row: WriterRow | undefined): boolean {
    if (!row) return true;
    if (Date.now() - row.heartbeat_at > this.leaseTtlMs) return true;
    return row.host === this.host && !processExists(row.pid);
  }

  private holdLease(consumer: string, owner: string, unlock: () => void): WriterLease {
    const lease = new Lease(consumer, async () => this.endLease(h));
    const timer = setInterval(() => this.beat(h), Math.max(1, Math.floor(this.leaseTtlMs / 3)));
    timer.unref();
    const h: HeldLease = { lease, owner, timer, unlock };
    this.held.add(h);
    return lease;
  }

  private beat(h: HeldLease): void {
    if (this.thread) {
      // on the writer thread, between its commits: here it would wait for the thread's write lock
      // (a catch-up commit: 100 ms and more) with the event loop blocked
      this.thread.beat(h.lease.consumer, h.owner, Date.now()).then(
        (changes) => this.beaten(h, changes === 1),
        () => undefined, // busy for longer than busy_timeout, or closing: try again next beat
      );
      return;
    }
    let kept: boolean;
    try {
      kept = this.statements.beat.run(Date.now(), h.lease.consumer, h.owner).changes === 1;
    } catch {
      return; // busy for longer than busy_timeout: try again next beat (the lease may go stale meanwhile)
    }
    this.beaten(h, kept);
  }

  private beaten(h: HeldLease, kept: boolean): void {
    if (kept || !this.held.has(h)) return;
    this.endLease(h);
    h.lease.lose(new WriterLostError(h.lease.consumer, 'another holder took the lease over (this one stopped heart-beating)'));
  }

  /** Stops heart-beating, deletes the lease row if it is still ours, and lets the next local waiter in. */
  private endLease(h: HeldLease): void {
    if (!this.held.delete(h)) return;
    clearInterval(h.timer);
    try {
      this.statements.releaseWriter.run(h.lease.consumer, h.owner);
    } catch {
      // busy or closing: the row goes stale, or the pid check frees it once this process exits
    }
    h.unlock();
  }

  /** The WHERE clause for a collection, an exact key prefix (as an index range) and a keyset cursor. */
  private filter(collectionId: number, prefix: string | null, after: CheckedListOptions['after']): { sql: string; params: Params } {
    const clauses = ['collection_id = @collectionId'];
    const params: Params = { collectionId };
    if (prefix !== null) {
      const upper = prefixUpperBound(prefix);
      clauses.push('key >= @prefix');
      params['prefix'] = prefix;
      if (upper === null) clauses.push('substr(key, 1, length(@prefix)) = @prefix');
      else {
        clauses.push('key < @upper');
        params['upper'] = upper;
      }
    }
    if (after !== null) {
      clauses.push('ord >= @afterOrder AND (ord > @afterOrder OR key > @afterKey)');
      params['afterOrder'] = after.order;
      params['afterKey'] = after.key;
    }
    return { sql: clauses.join(' AND '), params };
  }

  private assertOpen(): void {
    if (this.closing.signal.aborted) throw new ViewStoreClosedError();
  }
}
