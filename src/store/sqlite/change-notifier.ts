// Wakes live subscriptions when the events table may have grown. Two sources:
// - commits by this store's own writer (notifyLocal), delivered at once;
// - commits by any other connection (another process, or another store on the same file),
//   noticed by polling `PRAGMA data_version`, which changes only when ANOTHER connection has
//   committed. The poll is one cheap pragma per interval and runs only while someone is waiting.

/** What a subscriber saw before reading: waiting on it returns at once if anything changed since. */
export interface ChangeToken {
  readonly local: number;
  readonly dataVersion: number;
}

interface Waiter {
  token: ChangeToken;
  wake(): void;
}

export class ChangeNotifier {
  private local = 0;
  private readonly waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly readDataVersion: () => number,
    private readonly pollIntervalMs: number,
  ) {}

  /** Take this BEFORE reading, so a commit between the read and the wait is not missed. */
  snapshot(): ChangeToken {
    return { local: this.local, dataVersion: this.readDataVersion() };
  }

  notifyLocal(): void {
    this.local += 1;
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  /** Resolves when something may have changed since `token`, or when `signal` aborts. */
  wait(token: ChangeToken, signal: AbortSignal): Promise<void> {
    if (signal.aborted || token.local !== this.local) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        token,
        wake: () => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', waiter.wake);
          if (this.waiters.size === 0) this.stopPolling();
          resolve();
        },
      };
      signal.addEventListener('abort', waiter.wake, { once: true });
      this.waiters.add(waiter);
      this.timer ??= setTimeout(() => this.poll(), this.pollIntervalMs);
    });
  }

  /** Wakes every waiter and stops polling. */
  close(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
    this.stopPolling();
  }

  private poll(): void {
    this.timer = null;
    let dataVersion: number | null = null;
    try {
      dataVersion = this.readDataVersion();
    } catch {
      // The connection is gone: wake everyone; their next read fails and drops the subscription.
    }
    for (const waiter of [...this.waiters]) {
      if (dataVersion === null || waiter.token.dataVersion !== dataVersion) waiter.wake();
    }
    if (this.waiters.size > 0) this.timer = setTimeout(() => this.poll(), this.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
