// The main thread's side of the writer thread (writer-thread.ts): the same promises as
// GroupCommitWriter (an append settles only after its COMMIT returned; a wrong expected revision
// fails only its own append; a refused write is EventStoreUnavailableError), while the commits and
// their fsyncs run on another thread with their own connection to the file. The main thread keeps
// its connection for reads and subscriptions (WAL lets them read while the writer writes).
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../../threads/start-worker.ts';
import { WrongExpectedVersionError, type AppendResult, type EventData, type ExpectedRevision } from '../port.ts';
import { asStoreError, serialiseEvents } from './group-commit.ts';
import { positionAt } from './position.ts';
import type { FromWriter, ToWriter, WireError, WireResult, WriterThreadSettings } from './writer-messages.ts';

interface Pending {
  resolve(result: WireResult | undefined): void;
  reject(error: unknown): void;
}

function startWorker(settings: WriterThreadSettings): Worker {
  return startSiblingWorker(import.meta.url, 'writer-thread', settings);
}

export function fromWire(error: WireError): unknown {
  switch (error.kind) {
    case 'wrong-version':
      return new WrongExpectedVersionError(error.streamName, error.expected, error.actual);
    case 'unavailable':
      return asStoreError(Object.assign(new Error(error.message), { code: error.code }));
    case 'other': {
      const rebuilt = new Error(error.message);
      rebuilt.name = error.name;
      return error.code === undefined ? rebuilt : Object.assign(rebuilt, { code: error.code });
    }
  }
}

export class ThreadWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing: Promise<void> | null = null;
  /** set once the thread is gone (closed or failed): every later request fails with it */
  private gone: unknown = null;

  constructor(
    settings: WriterThreadSettings,
    /** called after a commit that wrote at least one event, before its appends settle */
    private readonly onCommitted: () => void,
  ) {
    this.worker = startWorker(settings);
    this.worker.unref(); // referenced only while a request is in flight (see track)
    this.worker.on('message', (message: FromWriter) => this.receive(message));
    this.worker.on('error', (error) => this.fail(asStoreError(error)));
    this.worker.on('exit', (code) => this.fail(new Error(`the event store's writer thread ended (exit code ${code})`)));
  }

  submit(streamName: string, events: EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new Error('the event store is closed'));
    const serialised = serialiseEvents(events); // here, so a bad payload fails its own append
    return this.request((id) => ({ kind: 'append', id, streamName, events: serialised, expected })).then((result) => ({
      nextExpectedRevision: result!.nextExpectedRevision,
      position: positionAt(result!.sequence),
    }));
  }

  async probe(): Promise<void> {
    if (this.closing) throw new Error('the event store is closed');
    await this.request((id) => ({ kind: 'probe', id }));
  }

  /** Writes what is queued (its appends settle), then ends the thread. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.gone !== null) return resolve();
      this.worker.ref();
      this.worker.once('exit', () => resolve());
      this.worker.postMessage({ kind: 'close' } satisfies ToWriter);
    });
    return this.closing;
  }

  private request(message: (id: number) => ToWriter): Promise<WireResult | undefined> {
    if (this.gone !== null) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(message(id));
    });
  }

  private receive(message: FromWriter): void {
    switch (message.kind) {
      case 'settled':
        if (message.committed) this.onCommitted();
        for (const settlement of message.settlements) {
          const pending = this.pending.get(settlement.id);
          if (!pending) continue;
          this.pending.delete(settlement.id);
          if (settlement.ok) pending.resolve(settlement.result);
          else pending.reject(fromWire(settlement.error));
        }
        if (this.pending.size === 0 && !this.closing) this.worker.unref();
        return;
      case 'failed':
        this.fail(asStoreError(fromWire(message.error)));
        return;
      case 'closed':
        this.fail(new Error('the event store is closed'));
        return;
    }
  }

  /** The thread is gone: what it still held cannot be answered by it. */
  private fail(error: unknown): void {
    this.gone ??= error;
    for (const pending of this.pending.values()) pending.reject(this.gone);
    this.pending.clear();
  }
}
