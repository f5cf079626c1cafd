// The one loop behind every adapter's waitForCheckpoint: note what has changed so far, read the
// checkpoint, and if it has not reached the position yet, wait for the next change (or a poll
// interval) — the note is taken BEFORE the read, so a commit between the read and the wait is not
// missed. Bounded by the caller's timeout; a closing store ends the wait.
import { CheckpointTimeoutError, ViewStoreClosedError } from './view-store.ts';

/** setTimeout's largest delay (a larger one fires at once) */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Changes<Token> {
  /** what has changed so far; take it BEFORE reading */
  snapshot(): Token;
  /** resolves when something may have changed since `token`, or when `signal` aborts */
  wait(token: Token, signal: AbortSignal): Promise<void>;
}

export interface WaitArguments<Token> {
  consumer: string;
  reached: (position: string) => boolean;
  timeoutMs: number;
  changes: Changes<Token>;
  /** the consumer's checkpoint position now, or null */
  read(): Promise<string | null>;
  /** aborted when the store closes */
  closing: AbortSignal;
}

export async function waitForCheckpointLoop<Token>(args: WaitArguments<Token>): Promise<void> {
  const { consumer, reached, timeoutMs, changes, read, closing } = args;
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, Math.min(timeoutMs, MAX_TIMER_MS));
  const onClose = () => stop.abort();
  closing.addEventListener('abort', onClose, { once: true });
  let last: string | null = null;
  try {
    for (;;) {
      if (closing.aborted) throw new ViewStoreClosedError();
      const token = changes.snapshot();
      last = await read();
      if (last !== null && reached(last)) return;
      if (timedOut) throw new CheckpointTimeoutError(consumer, timeoutMs, last);
      await changes.wait(token, stop.signal);
    }
  } finally {
    clearTimeout(timer);
    closing.removeEventListener('abort', onClose);
  }
}

/**
 * Changes announced in this process (a local commit, a NOTIFY received), optionally with a
 * heartbeat: `wait` also resolves after `maxWaitMs`, which turns the loop into polling when
 * announcements may be missed (a dropped LISTEN connection).
 */
export class ChangeSignal implements Changes<number> {
  private version = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly maxWaitMs: number | null = null) {}

  snapshot(): number {
    return this.version;
  }

  notify(): void {
    this.version += 1;
    for (const wake of [...this.waiters]) wake();
  }

  wait(token: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted || token !== this.version) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.maxWaitMs === null ? null : setTimeout(() => wake(), this.maxWaitMs);
      const wake = () => {
        if (timer) clearTimeout(timer);
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      signal.addEventListener('abort', wake, { once: true });
      this.waiters.add(wake);
    });
  }
}
