// The writer thread's entry (see thread-writer.ts): its own connection to the file and the same
// group-commit writer the in-thread store uses, so a commit's fsync blocks this thread, not the
// API's event loop. Appends arriving while a group commits are written together in the next group.
import { parentPort, workerData } from 'node:worker_threads';
import { otherToWire } from '../../threads/wire-error.ts';
import { WrongExpectedVersionError } from '../port.ts';
import { EventStoreUnavailableError } from '../unavailable.ts';
import { GroupCommitWriter } from './group-commit.ts';
import { sequenceOf } from './position.ts';
import { openDatabase } from './schema.ts';
import type { FromWriter, Settlement, ToWriter, WireError, WriterThreadSettings } from './writer-messages.ts';

const port = parentPort!;
const settings = workerData as WriterThreadSettings;

function toWire(error: unknown): WireError {
  if (error instanceof WrongExpectedVersionError) {
    return { kind: 'wrong-version', streamName: error.streamName, expected: error.expected, actual: error.actual };
  }
  const refused = error instanceof EventStoreUnavailableError ? error.cause : null;
  const { code, message } = (refused ?? error) as { code?: unknown; message?: unknown };
  if (refused && typeof code === 'string') return { kind: 'unavailable', code, message: String(message) };
  return otherToWire(refused ?? error);
}

const post = (message: FromWriter) => port.postMessage(message);

let db: ReturnType<typeof openDatabase>;
try {
  db = openDatabase(settings.file, settings.synchronous, settings.busyTimeoutMs);
} catch (error) {
  post({ kind: 'failed', error: toWire(error) });
  process.exit(1);
}

// Settlements of one flush go back in one message: the writer settles a group's promises in one
// go, and the microtask queued by the first settlement runs after the rest.
let outbox: Settlement[] = [];
let committed = false;
const settle = (settlement: Settlement) => {
  if (outbox.length === 0) queueMicrotask(sendOutbox);
  outbox.push(settlement);
};
function sendOutbox(): void {
  if (outbox.length === 0) return;
  post({ kind: 'settled', committed, settlements: outbox });
  outbox = [];
  committed = false;
}

const writer = new GroupCommitWriter(db, () => {
  committed = true;
});

port.on('message', (message: ToWriter) => {
  switch (message.kind) {
    case 'append': {
      const { id } = message;
      writer.submitSerialised(message.streamName, message.events, message.expected).then(
        (result) => settle({ id, ok: true, result: { nextExpectedRevision: result.nextExpectedRevision, sequence: sequenceOf(result.position) } }),
        (error: unknown) => settle({ id, ok: false, error: toWire(error) }),
      );
      return;
    }
    case 'probe':
      try {
        writer.probe();
        settle({ id: message.id, ok: true });
      } catch (error) {
        settle({ id: message.id, ok: false, error: toWire(error) });
      }
      return;
    case 'close':
      writer.close();
      // the settlements of that last flush run as microtasks; answer them, then end
      setImmediate(() => {
        sendOutbox();
        db.close();
        post({ kind: 'closed' });
        port.close();
      });
      return;
  }
});
