// The background check of every consultation's hash chain (VERIFY_INTERVAL): the handler checks
// a stream only when a command reads it, and the projections only the events they apply, so a
// stored event altered later, in a consultation nobody writes to, would go unnoticed without it.
// A first pass runs soon after start (never delaying readiness), then one every interval; passes
// never overlap. Damage found is marked in the registry; each pass logs a summary.
import type { Logger } from 'pino';
import { consultationIdOf } from '../domain/stream-name.ts';
import type { EventStore } from '../store/port.ts';
import type { DamageRegistry } from './damage.ts';
import { verifyAll, type VerifyReport } from './verify-all.ts';

export interface HistoryVerifierOptions {
  store: EventStore;
  damage: DamageRegistry;
  logger?: Logger;
  /** between the end of one pass and the start of the next */
  intervalMs: number;
  /** before the first pass (default 10 s, or the interval when that is shorter) */
  firstPassDelayMs?: number;
}

export class HistoryVerifier {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<VerifyReport | null> | null = null;
  private readonly stopping = new AbortController();

  constructor(private readonly options: HistoryVerifierOptions) {}

  /** Schedules the first pass; the rest follow every interval. */
  start(): void {
    this.schedule(Math.min(this.options.firstPassDelayMs ?? 10_000, this.options.intervalMs));
  }

  /**
   * One pass now (or the one already running): walks every consultation stream, marks each damaged
   * one and logs a summary. Resolves with the report, or null when the store could not be read.
   */
  runOnce(): Promise<VerifyReport | null> {
    this.running ??= this.pass().finally(() => { this.running = null; });
    return this.running;
  }

  /** Cancels the next pass and ends a running one before its next stream. */
  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce().then(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref(); // never what keeps the process alive
  }

  private async pass(): Promise<VerifyReport | null> {
    const { store, damage, logger } = this.options;
    const started = performance.now();
    try {
      const report = await verifyAll(store, {
        signal: this.stopping.signal,
        onResult: (result) => {
          if (result.ok) return;
          const consultationId = consultationIdOf(result.streamName) ?? result.streamName;
          damage.mark(consultationId, { streamName: result.streamName, revision: result.revision, reason: result.reason, detectedBy: 'verifier' });
        },
      });
      const summary = { streams: report.streams, events: report.events, broken: report.broken.length, ms: Math.round(performance.now() - started) };
      if (this.stopping.signal.aborted) logger?.info(summary, 'history check stopped by shutdown');
      else if (summary.broken > 0) logger?.warn(summary, `history check: ${summary.broken} of ${summary.streams} consultations damaged`);
      else logger?.info(summary, `history check: all ${summary.streams} consultations hold`);
      return report;
    } catch (error) {
      logger?.warn({ err: error }, 'history check could not read the store; the next pass tries again');
      return null;
    }
  }
}
