// Whether the event store takes writes. A write that failed with EVENT_STORE_UNAVAILABLE (a full
// disk, an I/O error, a read-only file, an unreachable server) marks it not writable: /readyz
// answers 503 so that a load balancer sends this replica no traffic, and /healthz shows it. A
// probe write every few seconds (the store's own, outside every stream) marks it writable again
// once the store takes writes.
import type { FastifyBaseLogger } from 'fastify';
import type { EventStore } from '../store/port.ts';

export interface StoreWritesStatus {
  writable: boolean;
  /** when the failure that made it not writable happened, ISO-8601; null while writable */
  failingSince: string | null;
}

export class StoreWrites {
  private failingSince: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly store: EventStore,
    private readonly log: FastifyBaseLogger,
    /** how often a probe write is tried while the store is not writable */
    private readonly probeIntervalMs = 2000,
  ) {}

  get writable(): boolean {
    return this.failingSince === null;
  }

  status(): StoreWritesStatus {
    return { writable: this.writable, failingSince: this.failingSince };
  }

  /** A write failed because of the store: not writable until a probe succeeds. */
  failed(error: unknown): void {
    if (this.closed || !this.writable) return;
    this.failingSince = new Date().toISOString();
    this.log.error({ err: error }, 'the event store refuses writes; not ready until a probe write succeeds');
    this.scheduleProbe();
  }

  /** Stops probing (the server is closing). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.probe(), this.probeIntervalMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    this.timer = null;
    try {
      await this.store.probeWrite();
    } catch (error) {
      this.log.debug({ err: error }, 'probe write failed; the event store still refuses writes');
      this.scheduleProbe();
      return;
    }
    if (this.closed) return;
    this.log.info({ failingSince: this.failingSince }, 'the event store takes writes again');
    this.failingSince = null;
  }
}
