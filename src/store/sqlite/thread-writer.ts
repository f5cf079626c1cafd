// The main thread's side of the writer thread (writer-thread.ts): the same promises as
// GroupCommitWriter (an append settles only after its COMMIT returned; a wrong expected revision
// fails only its own append; a refused write is EventStoreUnavailableError), while the commits and
// their fsyncs run on another thread with their own connection to the file. The main thread keeps
// its connection for reads and subscriptions (WAL lets them read while the writer writes).
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../../threads/start-worker.ts';
import { ThreadRequests } from '../../threads/thread-requests.ts';
import { otherFromWire } from '../../threads/wire-error.ts';
import { WrongExpectedVersionError, type AppendResult, type EventData, type ExpectedRevision } from '../port.ts';
import { asStoreError, serialiseEvents } from './group-commit.ts';
import { positionAt } from './position.ts';
import type { FromWriter, ToWriter, WireError, WireResult, WriterThreadSettings } from './writer-messages.ts';

function startWorker(settings: WriterThreadSettings): Worker {
  return startSiblingWorker(import.meta.url, 'writer-thread', settings);
}

export function fromWire(error: WireError): unknown {
  switch (error.kind) {
    case 'wrong-version':
      return new WrongExpectedVersionError(error.streamName, error.expected, error.actual);
    case 'unavailable':
      return asStoreError(Object.assign(new Error(error.message), { code: error.code }));
    case 'other':
      return otherFromWire(error);
  }
}

export class ThreadWriter {
  private readonly requests: ThreadRequests<WireResult>;

  constructor(
    settings: WriterThreadSettings,
    /** called after a commit that wrote at least one event, before its appends settle */
    private readonly onCommitted: () => void,
  ) {
    const worker = startWorker(settings);
    this.requests = new ThreadRequests(worker);
    worker.on('message', (message: FromWriter) => this.receive(message));
    worker.on('error', (error) => this.requests.fail(asStoreError(error)));
    worker.on('exit', (code) => this.requests.fail(new Error(`the event store's writer thread ended (exit code ${code})`)));
  }

  submit(streamName: string, events: EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.requests.closed) return Promise.reject(new Error('the event store is closed'));
    const serialised = serialiseEvents(events); // here, so a bad payload fails its own append
    return this.requests.send((id) => ({ kind: 'append', id, streamName, events: serialised, expected } satisfies ToWriter)).then((result) => ({
      nextExpectedRevision: result!.nextExpectedRevision,
      position: positionAt(result!.sequence),
    }));
  }

  async probe(): Promise<void> {
    if (this.requests.closed) throw new Error('the event store is closed');
    await this.requests.send((id) => ({ kind: 'probe', id } satisfies ToWriter));
  }

  /** Writes what is queued (its appends settle), then ends the thread. */
  close(): Promise<void> {
    return this.requests.close({ kind: 'close' } satisfies ToWriter);
  }

  private receive(message: FromWriter): void {
    switch (message.kind) {
      case 'settled':
        if (message.committed) this.onCommitted();
        for (const settlement of message.settlements) {
          this.requests.settle(settlement.id, settlement.ok ? { ok: true, result: settlement.result } : { ok: false, error: fromWire(settlement.error) });
        }
        return;
      case 'failed':
        this.requests.fail(asStoreError(fromWire(message.error)));
        return;
      case 'closed':
        this.requests.fail(new Error('the event store is closed'));
        return;
    }
  }
}
