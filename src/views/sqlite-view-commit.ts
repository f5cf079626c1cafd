// The view store's write transactions on one SQLite connection: a commit (every document change
// and the checkpoint moves in one BEGIN IMMEDIATE transaction) and a drop. SqliteViewStore runs
// them on its own connection, or, with `writerThread`, view-writer-thread.ts runs the commits on a
// worker thread's connection to the same file. The changes arrive checked and serialised
// (normaliseChanges): this only writes them.
import type Database from 'better-sqlite3';
import type { Deletion, Upsert } from './validate.ts';
import { CheckpointConflictError, type CheckpointMove } from './view-store.ts';

export class SqliteViewWrites {
  /** collection name to its id (view_collections); an id, once given, never changes or goes */
  private readonly collectionIds = new Map<string, number>();
  /** names given an id by the transaction under way: forgotten again if it rolls back */
  private readonly idsGivenNow: string[] = [];
  private readonly statements: {
    collectionId: Database.Statement<[string], { id: number }>;
    addCollection: Database.Statement<[string], { id: number }>;
    upsert: Database.Statement<[number, string, number, string]>;
    remove: Database.Statement<[number, string]>;
    dropCollection: Database.Statement<[number]>;
    checkpoint: Database.Statement<[string], { position: string }>;
    setCheckpoint: Database.Statement<[string, string, string]>;
    dropCheckpoint: Database.Statement<[string]>;
  };
  private readonly commitTransaction: Database.Transaction<
    (moves: readonly CheckpointMove[], upserts: readonly Upsert[], deletes: readonly Deletion[]) => void
  >;
  private readonly dropTransaction: Database.Transaction<(collections: readonly string[], consumer: string | undefined) => void>;

  constructor(db: Database.Database) {
    this.statements = {
      collectionId: db.prepare('SELECT id FROM view_collections WHERE name = ?'),
      addCollection: db.prepare('INSERT INTO view_collections (name) VALUES (?) RETURNING id'),
      upsert: db.prepare(
        `INSERT INTO view_docs (collection_id, key, ord, doc) VALUES (?, ?, ?, ?)
         ON CONFLICT (collection_id, key) DO UPDATE SET ord = excluded.ord, doc = excluded.doc`,
      ),
      remove: db.prepare('DELETE FROM view_docs WHERE collection_id = ? AND key = ?'),
      dropCollection: db.prepare('DELETE FROM view_docs WHERE collection_id = ?'),
      checkpoint: db.prepare('SELECT position FROM view_checkpoints WHERE consumer = ?'),
      setCheckpoint: db.prepare(
        `INSERT INTO view_checkpoints (consumer, position, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      ),
      dropCheckpoint: db.prepare('DELETE FROM view_checkpoints WHERE consumer = ?'),
    };
    this.commitTransaction = db.transaction((moves, upserts, deletes) => {
      for (const { consumer, expected } of moves) {
        const actual = this.statements.checkpoint.get(consumer)?.position ?? null;
        if (actual !== expected) throw new CheckpointConflictError(consumer, expected, actual);
      }
      for (const d of deletes) {
        const id = this.idOf(d.collection);
        if (id !== undefined) this.statements.remove.run(id, d.key);
      }
      for (const u of upserts) this.statements.upsert.run(this.givenId(u.collection), u.key, u.order, u.json);
      const updatedAt = new Date().toISOString();
      for (const { consumer, next } of moves) this.statements.setCheckpoint.run(consumer, next, updatedAt);
    });
    this.dropTransaction = db.transaction((collections, consumer) => {
      for (const c of collections) {
        const id = this.idOf(c);
        if (id !== undefined) this.statements.dropCollection.run(id);
      }
      if (consumer !== undefined) this.statements.dropCheckpoint.run(consumer);
    });
  }

  /** Moves the checkpoints (CheckpointConflictError unless each is where expected) and writes the changes, or nothing. */
  commit(moves: readonly CheckpointMove[], upserts: readonly Upsert[], deletes: readonly Deletion[]): void {
    this.inTransaction(() => this.commitTransaction.immediate(moves, upserts, deletes));
  }

  drop(collections: readonly string[], consumer: string | undefined): void {
    this.inTransaction(() => this.dropTransaction.immediate(collections, consumer));
  }

  /**
   * A collection's id, or undefined while it has none (no document was ever written to it, by any
   * connection). Outside a write of this connection it reads only committed rows, so an id it
   * caches was given by a transaction that committed (on this connection or another one).
   */
  idOf(collection: string): number | undefined {
    let id = this.collectionIds.get(collection);
    if (id === undefined) {
      id = this.statements.collectionId.get(collection)?.id;
      if (id !== undefined) this.collectionIds.set(collection, id);
    }
    return id;
  }

  /** A collection's id, given it now if it has none (inside a write transaction: see inTransaction). */
  private givenId(collection: string): number {
    let id = this.idOf(collection);
    if (id === undefined) {
      id = this.statements.addCollection.get(collection)!.id;
      this.collectionIds.set(collection, id);
      this.idsGivenNow.push(collection);
    }
    return id;
  }

  /** Runs a write transaction; the ids it gave are forgotten if it rolled back (another collection may get them). */
  private inTransaction(run: () => void): void {
    try {
      run();
    } catch (error) {
      for (const name of this.idsGivenNow) this.collectionIds.delete(name);
      throw error;
    } finally {
      this.idsGivenNow.length = 0;
    }
  }
}
