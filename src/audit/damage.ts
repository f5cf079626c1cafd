// A consultation whose stored history cannot be trusted: an event that cannot be read, or a link of
// its hash chain that does not hold. Whoever finds it (the command handler as it folds, the
// projections as they apply, the background verifier) marks it here; the HTTP layer answers that
// consultation's requests with HISTORY_DAMAGED and the handler appends nothing to it, while every
// other consultation goes on. One registry per process, built by the composition root.
import type { Logger } from 'pino';
import { AppError } from '../errors/catalogue.ts';

export type DamageDetector = 'handler' | 'projections' | 'verifier';

/** Where a stream's history stops holding, and why. */
export interface DamageSite {
  streamName: string;
  /** the first revision that does not hold (the revision expected where an event is missing) */
  revision: number;
  /** e.g. "hash does not match the event's content", "data is not valid JSON: …" */
  reason: string;
}

export interface Damage extends DamageSite {
  consultationId: string;
  detectedBy: DamageDetector;
  /** ISO-8601 */
  detectedAt: string;
}

/** A request on a damaged consultation: 503, with where and why in `details`. Nothing was appended. */
export class HistoryDamagedError extends AppError {
  constructor(readonly consultationId: string, readonly site: DamageSite) {
    super(
      'HISTORY_DAMAGED',
      `the history of consultation ${consultationId} is damaged at ${site.streamName}@${site.revision}: ${site.reason}`,
      { streamName: site.streamName, revision: site.revision, reason: site.reason },
    );
    this.name = 'HistoryDamagedError';
  }
}

export interface DamageRegistryOptions {
  logger?: Logger;
  clock?: () => Date;
}

export class DamageRegistry {
  private readonly damaged = new Map<string, Damage>();
  private readonly logger: Logger | undefined;
  private readonly clock: () => Date;

  constructor(options: DamageRegistryOptions = {}) {
    this.logger = options.logger;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Records damage found in a consultation's history and returns what the registry now holds for
   * it: the first report is kept, unless a later one names a lower revision (the earliest broken
   * point is where the history stops being trustworthy). Logged once per change.
   */
  mark(consultationId: string, found: DamageSite & { detectedBy: DamageDetector }): Damage {
    const known = this.damaged.get(consultationId);
    if (known && known.revision <= found.revision) return known;
    const damage: Damage = {
      consultationId,
      streamName: found.streamName,
      revision: found.revision,
      reason: found.reason,
      detectedBy: found.detectedBy,
      detectedAt: this.clock().toISOString(),
    };
    this.damaged.set(consultationId, damage);
    this.logger?.error(
      { consultationId, streamName: damage.streamName, revision: damage.revision, reason: damage.reason, detectedBy: damage.detectedBy },
      'history damaged: this consultation is refused until it is restored (consult verify)',
    );
    return damage;
  }

  get(consultationId: string): Damage | undefined {
    return this.damaged.get(consultationId);
  }

  /** Every damaged consultation, in the order they were first marked. */
  list(): Damage[] {
    return [...this.damaged.values()];
  }

  get size(): number {
    return this.damaged.size;
  }
}
