// The projections' check of the hash chain: every consultation stream's links are checked as its
// events are applied, and an event's hash is computed ONCE per process, however many projections
// (each with its own subscription) see it. The tracker keeps, per stream, the last revision whose
// link held and its hash; a projection meeting an event at or below it applies it at once.
//
// A link that does not hold, or an event the store could not read, marks the consultation damaged
// in the registry; from that revision on its events are skipped (never applied) by every
// projection, which carry on with the other consultations. A consultation marked by anyone else
// (the command handler, the background verifier) is skipped from its damaged revision likewise.
import type { DamageRegistry } from '../audit/damage.ts';
import { checkLink, ZERO_HASH } from '../audit/hash-chain.ts';
import { decodeProblem } from '../domain/decode.ts';
import { consultationIdOf } from '../domain/stream-name.ts';
import { SubscriptionDroppedError, type EventStore, type RecordedEvent } from '../store/port.ts';

interface Verified {
  revision: number;
  hash: string;
}

type Verdict = boolean | 'gap';

export class ChainTracker {
  private readonly verified = new Map<string, Verified>();
  /** streams whose missing revisions are being read from the store (one read per stream at a time) */
  private readonly filling = new Map<string, Promise<void>>();
  private checkedEvents = 0;

  constructor(
    private readonly store: EventStore,
    private readonly damage: DamageRegistry,
  ) {}

  /** How many events' links have been checked (each hashed once, whatever the number of projections). */
  get checked(): number {
    return this.checkedEvents;
  }

  /**
   * Whether a projection may apply this event: true once its link holds (checked now, or earlier for
   * another projection), false when its consultation is damaged at or before it. Synchronous except
   * when a projection resumed from a stored position meets a stream past revisions this process has
   * not checked: those are read from the store and checked first.
   */
  admit(e: RecordedEvent): boolean | Promise<boolean> {
    const consultationId = consultationIdOf(e.streamName);
    if (consultationId === null) return true;
    if (this.filling.has(e.streamName)) return this.admitAfterGap(consultationId, e);
    const verdict = this.decide(consultationId, e);
    return verdict === 'gap' ? this.admitAfterGap(consultationId, e) : verdict;
  }

  private decide(consultationId: string, e: RecordedEvent): Verdict {
    const damaged = this.damage.get(consultationId);
    if (damaged && e.revision >= damaged.revision) return false;
    const known = this.verified.get(e.streamName);
    const next = (known?.revision ?? -1) + 1;
    if (e.revision < next) return true;
    if (e.revision > next) return 'gap';
    return this.check(consultationId, e, known);
  }

  private check(consultationId: string, e: RecordedEvent, known: Verified | undefined): boolean {
    const expected = (known?.revision ?? -1) + 1;
    this.checkedEvents++;
    const broken = checkLink(e, known?.hash ?? ZERO_HASH, expected);
    // a link that holds on an event that does not decode (an old shape with no upcaster) is damage too:
    // the views must not show a history that skipped it
    const reason = broken ?? decodeProblem(e);
    if (reason) {
      this.damage.mark(consultationId, { streamName: e.streamName, revision: expected, reason, detectedBy: 'projections' });
      return false;
    }
    this.verified.set(e.streamName, { revision: e.revision, hash: e.metadata.hash as string });
    return true;
  }

  private async admitAfterGap(consultationId: string, e: RecordedEvent): Promise<boolean> {
    for (let pending = this.filling.get(e.streamName); pending; pending = this.filling.get(e.streamName)) await pending;
    const verdict = this.decide(consultationId, e);
    if (verdict !== 'gap') return verdict;
    const fill = this.fill(consultationId, e.streamName, e.revision).finally(() => this.filling.delete(e.streamName));
    this.filling.set(e.streamName, fill);
    await fill;
    const after = this.decide(consultationId, e);
    if (after !== 'gap') return after;
    // the store holds fewer events than the subscription delivered: the ones before this are missing
    const expected = (this.verified.get(e.streamName)?.revision ?? -1) + 1;
    this.damage.mark(consultationId, { streamName: e.streamName, revision: expected, reason: `expected revision ${expected}, found ${e.revision}`, detectedBy: 'projections' });
    return false;
  }

  /** Reads and checks the stream from the first revision not yet checked up to `upTo`. */
  private async fill(consultationId: string, streamName: string, upTo: number): Promise<void> {
    const from = (this.verified.get(streamName)?.revision ?? -1) + 1;
    let events: RecordedEvent[];
    try {
      events = await this.store.readStream(streamName, { fromRevision: from, maxCount: upTo - from + 1 });
    } catch (cause) {
      // as if the feed had dropped: the projection resubscribes from its position and meets this again
      throw new SubscriptionDroppedError(`could not read ${streamName} to check its hash chain: ${String(cause)}`, { cause });
    }
    for (const e of events) {
      if (!this.check(consultationId, e, this.verified.get(streamName))) return;
    }
  }
}

