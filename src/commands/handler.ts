// The one generic command handler: read stream → fold → decide → append expecting the revision read.
//
// Within this process commands for one stream run one at a time (a keyed queue) on a folded state
// cached by revision, so a busy consultation is not re-read per command. Commands that arrive for a
// stream while it is busy wait together, and are then decided one after another on the state each
// leaves and appended together, in one append and so one commit (a fan-out of mail records, a rush
// of comments); whatever the one-at-a-time path would answer otherwise (a replay, a refusal, nothing
// to do, an expected revision) runs that way after them. Another process may have
// appended meanwhile: the append then fails with WrongExpectedVersion, and the handler reads only
// the new tail, folds it and decides again (bounded). A caller-given expected revision fails
// instead (RevisionMismatchError). A repeated command id returns the first result without
// appending, on any store, because the state remembers applied command ids. A link of the hash
// chain that does not hold, or an event the store cannot read, stops the fold: that consultation
// is damaged (HistoryDamagedError), nothing is appended to it, and later commands fail fast.
// Given a Metrics object, each command is counted by its name and outcome.
import { z } from 'zod';
import type { Logger } from 'pino';
import { HistoryDamagedError, type DamageRegistry, type DamageSite } from '../audit/damage.ts';
import { checkLink, eventHash, canonicalJson, sha256Hex } from '../audit/hash-chain.ts';
import { evolve, initialState, type ConsultationState, type FoldableEvent, type ReadonlyState } from '../domain/consultation.ts';
import { DomainError } from '../domain/errors.ts';
import type { DomainEvent, EventMetadata } from '../domain/events.ts';
import { fromRecorded, UndecodableEventError } from '../domain/decode.ts';
import { idFor } from '../domain/ids.ts';
import type { Actor } from '../domain/schemas.ts';
import { consultationIdOf, streamNameFor } from '../domain/stream-name.ts';
import { WrongExpectedVersionError, type EventData, type EventStore, type JsonObject, type Position, type RecordedEvent } from '../store/port.ts';
import type { CommandOutcome, Metrics } from '../metrics.ts';
import type { CommandDefinition } from './command.ts';
import { ContentionError, RevisionMismatchError } from './handler-errors.ts';
import { KeyedQueue } from './keyed-queue.ts';
import type { KeyRef, KeyStore } from '../privacy/key-store.ts';
import { personalSubjects, sealPersonal } from '../privacy/personal-fields.ts';
import { personalKeysOf } from '../privacy/personal-store.ts';
import { seal } from '../privacy/sealed.ts';

export interface CommandRequest {
  consultationId: string;
  /** the idempotency key: the same id again returns the first result */
  commandId: string;
  actor: Actor;
  /** raw input, parsed with the command's schema here */
  input: unknown;
  /** fail with RevisionMismatchError unless the consultation is at exactly this revision */
  expectedRevision?: number;
  /**
   * Wait up to `ms` (or until `upTo` commands wait) for other commands to the same consultation,
   * to be appended with them in one commit: for callers that value throughput over latency (the
   * mail worker's records, when a fan-out's jobs finish close together). Without it, only commands
   * that arrive while the consultation is busy wait together.
   */
  batchWindow?: { ms: number; upTo?: number };
}

export interface AppliedEvent {
  revision: number;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface CommandResult {
  consultationId: string;
  /** the stream's revision after the command (-1: the stream does not exist); for a replay, after its first run */
  revision: number;
  /** the global position of the command's last event (or of the last of those appended together with it), or of the stream's last event when it produced none */
  position: Position | null;
  /** the command's events: new ones, or the first run's when the command id was seen before */
  events: AppliedEvent[];
  /** true when the command id had been applied already and nothing was appended */
  replayed: boolean;
  /** the state after the command, read-only; valid until the next command on this consultation */
  state: ReadonlyState;
}

export interface CommandHandlerOptions {
  store: EventStore;
  clock?: () => Date;
  logger?: Logger;
  /** attempts before ContentionError (default 20) */
  maxAttempts?: number;
  /** consultations whose folded state is kept (default 500) */
  cacheSize?: number;
  /** the process's damaged consultations: damage found while folding is reported there, and a consultation marked there by anyone is refused */
  damage?: DamageRegistry;
  /** counts each command by name and outcome (consult_commands_total) */
  metrics?: Pick<Metrics, 'countCommand'>;
  /** seals personal values with a key per person before they are stored (default: the key store of a PersonalDataStore; none: stored plain) */
  keys?: KeyStore;
}

interface CacheEntry {
  state: ConsultationState;
  position: Position | null;
  /** set when the fold met an unreadable event or a broken link: nothing after it is folded or appended */
  damage: DamageSite | null;
}

const ConsultationId = z.uuid();

/** Commands waiting together for their stream; `release` ends a batch window early. */
interface Batch {
  items: Waiting[];
  upTo: number;
  release: (() => void) | null;
}

/** A command waiting for its stream, parsed. */
interface Waiting {
  command: CommandDefinition;
  request: CommandRequest;
  input: unknown;
  commandHash: CommandHash;
  resolve(result: CommandResult): void;
  reject(error: unknown): void;
}

/** Events read per page when a stream is folded. */
const FOLD_PAGE = 1000;

/** Commands for one stream decided and appended together at most. */
const MAX_BATCH = 100;

/**
 * How a command's input is recorded in its events' metadata (`commandHash`), so that a command id
 * used again with other input is refused. Inputs can hold personal data (an invitation's address,
 * an erasure's), and a plain hash of them would confirm a guessed address to anyone holding the
 * log; so with a key store it is an HMAC under the key store's secret (`hmac:`…), which lives
 * beside the keys, never in the log. Without one (tests, read-only tools) a plain sha-256, as
 * events written before this carry: those still match.
 */
export class CommandHash {
  constructor(private readonly canonical: string, readonly value: string) {}

  matches(recorded: string): boolean {
    return recorded === this.value || recorded === sha256Hex(this.canonical);
  }
}

export class CommandHandler {
  private readonly queue = new KeyedQueue();
  private readonly cache = new Map<string, CacheEntry>();
  /** by stream: the commands that arrived while it was busy, to be run together when its turn comes */
  private readonly waiting = new Map<string, Batch>();
  private readonly store: EventStore;
  private readonly clock: () => Date;
  private readonly logger: Logger | undefined;
  private readonly maxAttempts: number;
  private readonly cacheSize: number;
  private readonly damage: DamageRegistry | undefined;
  private readonly metrics: Pick<Metrics, 'countCommand'> | undefined;
  private readonly keys: KeyStore | undefined;

  constructor(options: CommandHandlerOptions) {
    this.store = options.store;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger;
    this.maxAttempts = options.maxAttempts ?? 20;
    this.cacheSize = options.cacheSize ?? 500;
    this.damage = options.damage;
    this.metrics = options.metrics;
    this.keys = options.keys ?? personalKeysOf(options.store);
  }

  async execute<S extends z.ZodType>(command: CommandDefinition<S>, request: CommandRequest): Promise<CommandResult> {
    if (!this.metrics) return this.executeCommand(command, request);
    let result: CommandResult;
    try {
      result = await this.executeCommand(command, request);
    } catch (error) {
      this.metrics.countCommand(command.name, failureOutcome(error));
      throw error;
    }
    this.metrics.countCommand(command.name, result.replayed ? 'replayed' : result.events.length > 0 ? 'appended' : 'unchanged');
    return result;
  }

  private hashCommand(name: string, input: unknown): CommandHash {
    const canonical = canonicalJson({ command: name, input });
    return new CommandHash(canonical, this.keys ? `hmac:${this.keys.lookupOf(`command:${canonical}`)}` : sha256Hex(canonical));
  }

  private async executeCommand<S extends z.ZodType>(command: CommandDefinition<S>, request: CommandRequest): Promise<CommandResult> {
    ConsultationId.parse(request.consultationId);
    const input = command.schema.parse(request.input);
    const commandHash = this.hashCommand(command.name, input);
    const streamName = streamNameFor(request.consultationId);
    return new Promise<CommandResult>((resolve, reject) => {
      const waiting: Waiting = { command: command as CommandDefinition, request, input, commandHash, resolve, reject };
      const batch = this.waiting.get(streamName);
      if (batch && batch.items.length < MAX_BATCH) {
        batch.items.push(waiting);
        if (batch.items.length >= batch.upTo) batch.release?.();
        return;
      }
      const window = request.batchWindow;
      const next: Batch = { items: [waiting], upTo: Math.min(MAX_BATCH, window?.upTo ?? MAX_BATCH), release: null };
      this.waiting.set(streamName, next);
      const queue = () => {
        next.release = null;
        void this.queue.run(streamName, async () => {
          if (this.waiting.get(streamName) === next) this.waiting.delete(streamName); // later arrivals start the next batch
          await this.runBatch(streamName, next.items);
        });
      };
      if (!window || window.ms <= 0 || next.upTo <= 1) return queue();
      // the window is waited outside the stream's queue: reads (load) and commands already queued go on meanwhile
      const timer = setTimeout(queue, window.ms);
      next.release = () => {
        clearTimeout(timer);
        queue();
      };
    });
  }

  /** The commands that waited together: those that can be, appended together; the others one at a time. Settles each; never throws. */
  private async runBatch(streamName: string, batch: Waiting[]): Promise<void> {
    let alone = batch;
    if (batch.length > 1) {
      try {
        alone = await this.appendTogether(streamName, batch);
      } catch {
        alone = batch; // nothing was decided (the history could not be read, or is damaged): each on its own says why
      }
    }
    for (const w of alone) {
      try {
        w.resolve(await this.run(w.command, w.request, w.input, w.commandHash, streamName));
      } catch (error) {
        w.reject(error);
      }
    }
  }

  /**
   * Decides the commands one after another, each on the state the ones before it leave, and appends
   * all their events in one append expecting the revision read. Returns the commands left for the
   * one-at-a-time path: those with an expected revision, a command id applied already, a refusal (it
   * is made there on the latest state), or no events; and, when another writer appended first,
   * every one (the state is re-read).
   */
  private async appendTogether(streamName: string, batch: readonly Waiting[]): Promise<Waiting[]> {
    const consultationId = batch[0]!.request.consultationId;
    this.assertIntact(consultationId, this.cache.get(streamName));
    const entry = await this.entry(streamName);
    const { state } = entry;
    const expected = state.revision;
    const alone: Waiting[] = [];
    const taken: Array<{ w: Waiting; applied: AppliedEvent[] }> = [];
    const data: EventData[] = [];
    for (const w of batch) {
      const { commandId, actor } = w.request;
      if (w.request.expectedRevision !== undefined || state.commands.has(commandId)) {
        alone.push(w);
        continue;
      }
      const now = this.clock().toISOString();
      let decided: DomainEvent[];
      try {
        decided = w.command.decide(state, w.input, { consultationId, commandId, actor, now });
      } catch {
        alone.push(w);
        continue;
      }
      if (decided.length === 0) {
        alone.push(w);
        continue;
      }
      const toAppend = await this.chain(streamName, state, decided, { commandId, commandHash: w.commandHash.value, actor, recordedAt: now });
      for (const e of toAppend.folded) evolve(state, e); // ahead of the append: the state is forgotten if it fails
      data.push(...toAppend.data);
      taken.push({ w, applied: toAppend.applied });
    }
    if (taken.length === 0) return alone;
    let result;
    try {
      result = await this.store.append(streamName, data, expected === -1 ? 'no_stream' : expected);
    } catch (error) {
      this.cache.delete(streamName); // holds events that are not (or not known to be) stored: re-read next time
      if (error instanceof WrongExpectedVersionError) return [...taken.map((t) => t.w), ...alone];
      for (const { w } of taken) w.reject(error);
      return alone;
    }
    entry.position = result.position;
    for (const { w, applied } of taken) {
      w.resolve({ consultationId, revision: applied.at(-1)!.revision, position: result.position, events: applied, replayed: false, state });
    }
    return alone;
  }

  /** The folded state of a consultation as this handler knows it, caught up with the store. */
  async load(consultationId: string): Promise<ReadonlyState> {
    const streamName = streamNameFor(consultationId);
    return this.queue.run(streamName, async () => {
      this.assertIntact(consultationId, this.cache.get(streamName));
      const entry = await this.entry(streamName);
      await this.catchUp(streamName, entry);
      return entry.state;
    });
  }

  private async run<S extends z.ZodType>(
    command: CommandDefinition<S>,
    request: CommandRequest,
    input: z.output<S>,
    commandHash: CommandHash,
    streamName: string,
  ): Promise<CommandResult> {
    this.assertIntact(request.consultationId, this.cache.get(streamName));
    const entry = await this.entry(streamName);
    for (let attempt = 1; ; attempt++) {
      const { state } = entry;
      if (request.expectedRevision !== undefined && state.revision !== request.expectedRevision && !state.commands.has(request.commandId)) {
        await this.catchUp(streamName, entry);
      }
      // A repeated command returns its first result before anything else is checked: a retry of a
      // request that carried If-Match must not be told that its own write moved the revision on.
      const applied = state.commands.get(request.commandId);
      if (!applied && request.expectedRevision !== undefined && state.revision !== request.expectedRevision) {
        throw new RevisionMismatchError(request.expectedRevision, state.revision);
      }
      if (applied) {
        if (!commandHash.matches(applied.commandHash)) {
          throw new DomainError('COMMAND_ID_REUSED', `command id ${request.commandId} was used for a different command`);
        }
        return this.replay(request.consultationId, streamName, entry, applied.firstRevision, applied.lastRevision);
      }

      const now = this.clock().toISOString();
      let decided: DomainEvent[];
      try {
        decided = command.decide(state, input, {
          consultationId: request.consultationId,
          commandId: request.commandId,
          actor: request.actor,
          now,
        });
      } catch (error) {
        // The cached state may be behind another process's appends: refuse only on the latest state.
        if (error instanceof DomainError && (await this.caughtUpAnything(streamName, entry))) continue;
        throw error;
      }
      if (decided.length === 0) {
        if (await this.caughtUpAnything(streamName, entry)) continue;
        return { consultationId: request.consultationId, revision: state.revision, position: entry.position, events: [], replayed: false, state };
      }

      const toAppend = await this.chain(streamName, state, decided, { commandId: request.commandId, commandHash: commandHash.value, actor: request.actor, recordedAt: now });
      try {
        const result = await this.store.append(streamName, toAppend.data, state.revision === -1 ? 'no_stream' : state.revision);
        for (const e of toAppend.folded) evolve(state, e);
        entry.position = result.position;
        return { consultationId: request.consultationId, revision: state.revision, position: result.position, events: toAppend.applied, replayed: false, state };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) {
          // The outcome of the append is unknown: forget the cached state, re-read next time.
          this.cache.delete(streamName);
          throw error;
        }
        if (attempt >= this.maxAttempts) throw new ContentionError(streamName, attempt);
        if (request.expectedRevision !== undefined) {
          // the top of the loop answers: the first result if this very command got in meanwhile, else 412
          await this.catchUp(streamName, entry);
          continue;
        }
        this.logger?.debug({ streamName, attempt }, 'another writer appended first; re-reading and deciding again');
        await this.catchUp(streamName, entry);
        if (attempt > 2) await sleep(Math.random() * 5 * attempt);
      }
    }
  }

  /**
   * Builds the events to append with ids derived from the command id and the hash chain continued,
   * their personal values sealed with their people's keys (what is hashed is what is stored).
   */
  private async chain(
    streamName: string,
    state: Pick<ReadonlyState, 'revision' | 'lastHash' | 'stakeholders'>,
    decided: DomainEvent[],
    meta: { commandId: string; commandHash: string; actor: Actor; recordedAt: string },
  ): Promise<{ data: EventData[]; applied: AppliedEvent[]; folded: FoldableEvent[] }> {
    let prevHash = state.lastHash;
    const data: EventData[] = [];
    const applied: AppliedEvent[] = [];
    const folded: FoldableEvent[] = [];
    const consultationId = consultationIdOf(streamName) ?? streamName;
    // A JSON round trip drops undefined fields, so what is hashed is exactly what is stored.
    const stored = decided.map((e) => JSON.parse(JSON.stringify(e.data)) as JsonObject);
    if (this.keys) {
      const keys = new Map<string, KeyRef>();
      for (const [i, e] of decided.entries()) {
        for (const who of personalSubjects(consultationId, e.type, stored[i]!, state)) {
          if (!keys.has(who.subject)) keys.set(who.subject, await this.keys.keyFor(who.owner, who.subject));
        }
      }
      decided.forEach((e, i) => sealPersonal(consultationId, e.type, stored[i]!, state, (value, who) => {
        const ref = keys.get(who.subject)!;
        return seal(value, ref.keyId, ref.key);
      }));
    }
    decided.forEach((e, i) => {
      const revision = state.revision + 1 + i;
      const eventData = stored[i]!;
      const metadata = { commandId: meta.commandId, commandHash: meta.commandHash, actor: { ...meta.actor }, recordedAt: meta.recordedAt, prevHash } satisfies Omit<EventMetadata, 'hash'>;
      const hash = eventHash({ streamName, revision, type: e.type, data: eventData, metadata });
      const fullMetadata: EventMetadata = { ...metadata, hash };
      data.push({ id: idFor(meta.commandId, `event-${i}`), type: e.type, data: eventData, metadata: fullMetadata });
      applied.push({ revision, type: e.type, data: eventData, metadata: fullMetadata });
      folded.push({ revision, metadata: fullMetadata, event: e });
      prevHash = hash;
    });
    return { data, applied, folded };
  }

  /**
   * Appends a fact that no decision may refuse, whatever the consultation's state: a closed one, or
   * a damaged one, whose history this handler will not fold (PersonalDataErased: an erasure is
   * usually asked after the end, and a damaged history must not keep personal data readable). It
   * continues the hash chain from the last stored event. Once per command id: a repeat returns the
   * revision of its event. The cached state is forgotten, so the next command folds the fact.
   */
  async appendFact(
    consultationId: string,
    request: { commandId: string; actor: Actor; commandName: string; input: unknown },
    event: DomainEvent,
  ): Promise<{ revision: number; position: Position | null; replayed: boolean }> {
    ConsultationId.parse(consultationId);
    const streamName = streamNameFor(consultationId);
    const commandHash = this.hashCommand(request.commandName, request.input).value;
    return this.queue.run(streamName, async () => {
      for (let attempt = 1; ; attempt++) {
        const stored = await this.store.readStream(streamName);
        const last = stored.at(-1);
        if (!last) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${consultationId}`);
        const earlier = stored.find((e) => e.metadata['commandId'] === request.commandId);
        if (earlier) return { revision: earlier.revision, position: earlier.position, replayed: true };
        const lastHash = typeof last.metadata['hash'] === 'string' ? last.metadata['hash'] : '';
        const toAppend = await this.chain(streamName, { revision: last.revision, lastHash, stakeholders: new Map() }, [event], {
          commandId: request.commandId, commandHash, actor: request.actor, recordedAt: this.clock().toISOString(),
        });
        try {
          const result = await this.store.append(streamName, toAppend.data, last.revision);
          this.cache.delete(streamName);
          return { revision: result.nextExpectedRevision, position: result.position, replayed: false };
        } catch (error) {
          this.cache.delete(streamName);
          if (!(error instanceof WrongExpectedVersionError) || attempt >= this.maxAttempts) throw error;
        }
      }
    });
  }

  private async replay(consultationId: string, streamName: string, entry: CacheEntry, first: number, last: number): Promise<CommandResult> {
    const events = await this.store.readStream(streamName, { fromRevision: first, maxCount: last - first + 1 });
    const lastEvent = events.at(-1);
    return {
      consultationId,
      // the revision the first run left the stream at, matching its events and position
      revision: last,
      position: lastEvent ? lastEvent.position : entry.position,
      events: events.map((e) => ({ revision: e.revision, type: e.type, data: e.data, metadata: e.metadata })),
      replayed: true,
      state: entry.state,
    };
  }

  private async entry(streamName: string): Promise<CacheEntry> {
    const cached = this.cache.get(streamName);
    if (cached) {
      // keep the most recently used at the end of the map (LRU order)
      this.cache.delete(streamName);
      this.cache.set(streamName, cached);
      return cached;
    }
    const entry: CacheEntry = { state: initialState(), position: null, damage: null };
    try {
      await this.catchUp(streamName, entry);
    } catch (error) {
      if (entry.damage) this.cache.set(streamName, entry); // remembered, so later commands fail fast
      throw error;
    }
    this.cache.set(streamName, entry);
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    return entry;
  }

  private async caughtUpAnything(streamName: string, entry: CacheEntry): Promise<boolean> {
    const before = entry.state.revision;
    await this.catchUp(streamName, entry);
    return entry.state.revision !== before;
  }

  /**
   * Folds what other writers appended after the cached revision, checking each link of the hash
   * chain first: the first one that does not hold (or an unreadable event) marks the consultation
   * damaged and throws, so nothing is ever decided or appended on top of it.
   */
  private async catchUp(streamName: string, entry: CacheEntry): Promise<void> {
    // a page at a time: a big consultation's fold holds its state and one page, not its whole history
    for (;;) {
      const page = await this.store.readStream(streamName, { fromRevision: entry.state.revision + 1, maxCount: FOLD_PAGE });
      this.foldPage(streamName, entry, page);
      if (page.length < FOLD_PAGE) return;
    }
  }

  private foldPage(streamName: string, entry: CacheEntry, events: readonly RecordedEvent[]): void {
    for (const e of events) {
      const expected = entry.state.revision + 1;
      const broken = checkLink(e, entry.state.lastHash, expected);
      if (broken) throw this.damaged(entry, { streamName, revision: expected, reason: broken });
      let decoded;
      try {
        decoded = fromRecorded(e);
      } catch (error) {
        // the chain holds but the event does not decode (no upcaster for an old shape, or a bug):
        // deciding on a state that skipped it would be deciding on a history that is not the stored one
        if (error instanceof UndecodableEventError) throw this.damaged(entry, { streamName, revision: expected, reason: error.reason });
        throw error;
      }
      evolve(entry.state, decoded);
      entry.position = e.position;
    }
  }

  /** Refuses a consultation whose history this handler, or anyone reporting to the registry, found damaged. */
  private assertIntact(consultationId: string, entry: CacheEntry | undefined): void {
    const site = this.damage?.get(consultationId) ?? entry?.damage; // the registry keeps the lowest revision anyone found
    if (site) throw new HistoryDamagedError(consultationId, { streamName: site.streamName, revision: site.revision, reason: site.reason });
  }

  private damaged(entry: CacheEntry, site: DamageSite): HistoryDamagedError {
    entry.damage = site;
    const consultationId = consultationIdOf(site.streamName) ?? site.streamName;
    if (!this.damage) {
      this.logger?.error({ ...site, consultationId }, 'history damaged: the hash chain does not hold; nothing is appended to this consultation');
      return new HistoryDamagedError(consultationId, site);
    }
    return new HistoryDamagedError(consultationId, this.damage.mark(consultationId, { ...site, detectedBy: 'handler' }));
  }
}

/** How a command that threw ended, for the commands counter. */
function failureOutcome(error: unknown): CommandOutcome {
  if (error instanceof z.ZodError) return 'invalid';
  if (error instanceof DomainError || error instanceof RevisionMismatchError || error instanceof HistoryDamagedError) return 'refused';
  return 'failed';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
