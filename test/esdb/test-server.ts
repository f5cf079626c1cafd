// ============================================================================================
// PROTOCOL TEST DOUBLE — NOT an EventStoreDB implementation.
// A small in-memory gRPC server that speaks just enough of EventStoreDB's client protocol for the
// real @eventstore/db-client (6.2.1) to append, read and subscribe against it in tests, on
// machines where no EventStoreDB server can run. Built with @grpc/grpc-js from the service
// definitions the client ships (node_modules/@eventstore/db-client/generated/*_grpc_pb.js).
//
// Implemented: Streams.Append; Streams.Read for stream reads, $all reads (optionally filtered) and
// $all subscriptions (optionally filtered). Everything else — BatchAppend, Delete, Tombstone,
// stream subscriptions, persistent subscriptions, projections, users, gossip, TLS, auth, link
// resolution, stream metadata, $maxAge/$maxCount, max append size — answers UNIMPLEMENTED or is
// ignored. Semantics follow EventStoreDB's documentation (cited where each behaviour lives) and,
// where the documentation is silent, the server's own gRPC service code. One test-only extra with
// no EventStoreDB counterpart: tamper() rewrites a stored event's bytes (damaged-store tests).
// ============================================================================================
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import serverFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import { EventLog, type ExpectedRevision, type LogPosition, type ProposedEvent, type StoredEvent } from './event-log.ts';
import { runAllSubscription, send, type ActiveSubscription, type ReadCall, type SubscriptionFilter } from './subscription.ts';
import {
  AllOptionCase,
  AppendContentCase,
  AppendResp,
  CountOptionCase,
  Empty,
  eventMessage,
  ExpectedRevisionCase,
  FilterCase,
  FilterOptionCase,
  parseUuid,
  positionOf,
  ReadDirection,
  RevisionOptionCase,
  StreamOptionCase,
  streamNameOf,
  streamNotFoundMessage,
  UuidContentCase,
  WindowCase,
  type AppendOptions,
  type AppendReq,
  type AppendRespMessage,
  type FilterOptions,
  type ReadOptions,
  type ReadReq,
  type ReadRespMessage,
} from './wire.ts';

export interface TestEventStoreDBOptions {
  /** port on 127.0.0.1; 0 (default) picks a free one */
  port?: number;
  /**
   * How ServerFeatures.GetSupportedMethods answers. The client calls it (lazily, before its first
   * append) to decide between BatchAppend and Append; either answer makes it use Append.
   * - 'unimplemented' (default): the service is absent, as on EventStoreDB 20.x;
   * - 'without-batch-append': it lists Streams.Read/Append only.
   */
  serverFeatures?: 'unimplemented' | 'without-batch-append';
  /**
   * Seed the log with a system event ($settings), as a real server's $all starts with system
   * records: a read of $all from the start does not begin with your events. Default true.
   */
  systemEvents?: boolean;
}

export interface TestEventStoreDB {
  /** connection string for EventStoreDBClient.connectionString(): esdb://127.0.0.1:<port>?tls=false */
  readonly url: string;
  readonly port: number;
  /**
   * Ends every active subscription with an error status, as the server does when it drops one.
   * Default: ABORTED "Operation timed out: Consumer too slow…" (what the server sends when a
   * subscriber falls too far behind), which the client surfaces as a TimeoutError (type
   * 'timeout'). Returns how many subscriptions were dropped.
   */
  dropSubscriptions(reason?: { code?: grpc.status; details?: string }): number;
  /** stops listening and cuts every connection (like a server crash); the data stays */
  stop(): Promise<void>;
  /** listens again on the same port with the same data */
  start(): Promise<void>;
  /** stop() then start() */
  restart(): Promise<void>;
  /** subscriptions currently open (a client that resubscribed shows up here again) */
  activeSubscriptions(): number;
  /** position of the last event in $all (system events included), or undefined when empty */
  headPosition(): LogPosition | undefined;
  /** how many calls each gRPC method received, by path (e.g. '/event_store.client.streams.Streams/Append') */
  callCounts(): Readonly<Record<string, number>>;
  /**
   * Rewrites the stored bytes of one event's data and/or custom metadata (given as text, stored as
   * UTF-8), as a damaged disk or an intruder would: later reads and subscriptions send the new
   * bytes with the event's original id, revision, position and content type. Not an EventStoreDB
   * operation; for tests of what the client and the adapter make of such bytes.
   */
  tamper(streamName: string, revision: number, change: { data?: string; metadata?: string }): void;
}

const { StreamsService } = streamsGrpc;
const { ServerFeaturesService } = serverFeaturesGrpc;
const { SupportedMethod, SupportedMethods } = serverFeaturesPb;

type ServiceError = Partial<grpc.StatusObject> & Error;

function serviceError(code: grpc.status, details: string, trailers?: Record<string, string>): ServiceError {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(trailers ?? {})) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

function expectedRevisionOf(options: AppendOptions): ExpectedRevision {
  switch (options.getExpectedStreamRevisionCase()) {
    case ExpectedRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    case ExpectedRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    case ExpectedRevisionCase.REVISION:
      return { kind: 'revision', revision: BigInt(options.getRevision()) };
    default:
      return { kind: 'any' };
  }
}

/**
 * The Append answer. A wrong expected version is not a gRPC error: it is the response's
 * wrong_expected_version case carrying the stream's current revision (or current_no_stream) and
 * the expectation as sent, which the client turns into WrongExpectedVersionError
 * { actualVersion, expectedVersion }. The deprecated 20.6.0 fields are left unset (6.2.1 reads
 * only the current ones).
 */
function appendResponse(expected: ExpectedRevision, outcome: ReturnType<EventLog['append']>): AppendRespMessage {
  const response = new AppendResp();
  if (outcome.kind === 'success') {
    const success = new AppendResp.Success();
    if (outcome.currentRevision === undefined) success.setNoStream(new Empty());
    else success.setCurrentRevision(outcome.currentRevision.toString(10));
    if (outcome.position === undefined) success.setNoPosition(new Empty());
    else {
      const position = new AppendResp.Position()
        .setCommitPosition(outcome.position.toString(10))
        .setPreparePosition(outcome.position.toString(10));
      success.setPosition(position);
    }
    return response.setSuccess(success);
  }
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.currentRevision === undefined) wrong.setCurrentNoStream(new Empty());
  else wrong.setCurrentRevision(outcome.currentRevision.toString(10));
  switch (expected.kind) {
    case 'any':
      wrong.setExpectedAny(new Empty());
      break;
    case 'no_stream':
      wrong.setExpectedNoStream(new Empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new Empty());
      break;
    case 'revision':
      wrong.setExpectedRevision(expected.revision.toString(10));
      break;
  }
  return response.setWrongExpectedVersion(wrong);
}

/** Streams.Append: one options message, then the proposed events (client-streaming). */
function appendHandler(log: EventLog): grpc.handleClientStreamingCall<AppendReq, AppendRespMessage> {
  return (call, callback) => {
    let options: AppendOptions | undefined;
    const proposed: ProposedEvent[] = [];
    let failed: ServiceError | undefined;
    call.on('data', (request: AppendReq) => {
      if (failed) return;
      if (request.getContentCase() === AppendContentCase.OPTIONS && options === undefined) {
        options = request.getOptions();
        return;
      }
      const message = request.getProposedMessage();
      if (options === undefined || message === undefined) {
        failed = serviceError(grpc.status.INVALID_ARGUMENT, 'Append expects one options message, then proposed messages');
        return;
      }
      const metadata = message.getMetadataMap();
      const type = metadata.get('type');
      const contentType = metadata.get('content-type');
      if (type === undefined || contentType === undefined) {
        // The server requires both system metadata entries on every proposed message.
        const missing = type === undefined ? 'type' : 'content-type';
        failed = serviceError(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${missing}' is missing`, {
          exception: 'missing-required-metadata-property',
          'required-metadata-properties': 'type,content-type',
        });
        return;
      }
      const id = parseUuid(message.getId());
      if (id === undefined) {
        failed = serviceError(grpc.status.INVALID_ARGUMENT, 'Proposed message has no valid UUID');
        return;
      }
      proposed.push({
        id,
        type,
        isJson: contentType === 'application/json',
        data: message.getData_asU8(),
        customMetadata: message.getCustomMetadata_asU8(),
      });
    });
    call.on('end', () => {
      if (failed) return callback(failed);
      if (options === undefined) return callback(serviceError(grpc.status.INVALID_ARGUMENT, 'Append without options'));
      const expected = expectedRevisionOf(options);
      const outcome = log.append(streamNameOf(options.getStreamIdentifier()), expected, proposed);
      callback(null, appendResponse(expected, outcome));
    });
  };
}

/** Server-side filters of $all (https://developers.eventstore.com/clients/grpc/subscriptions.html#server-side-filtering). */
function filterOf(options: ReadOptions): SubscriptionFilter | undefined {
  if (options.getFilterOptionCase() !== FilterOptionCase.FILTER) return undefined;
  const filter: FilterOptions | undefined = options.getFilter();
  if (filter === undefined) return undefined;
  const byStream = filter.getFilterCase() === FilterCase.STREAM_IDENTIFIER;
  const expression = byStream ? filter.getStreamIdentifier() : filter.getEventType();
  const regex = expression?.getRegex() ?? '';
  const prefixes = expression?.getPrefixList() ?? [];
  const pattern = regex === '' ? undefined : new RegExp(regex);
  // A regex, when given, wins over prefixes (as in the server's ConvertToEventFilter).
  const test = (value: string): boolean =>
    pattern ? pattern.test(value) : prefixes.some((prefix) => value.startsWith(prefix));
  // checkpoint interval = checkpointIntervalMultiplier × maxSearchWindow; the window defaults to
  // the server's read batch size, 32, when the client sends `count`.
  const window = filter.getWindowCase() === WindowCase.MAX ? filter.getMax() : 32;
  const multiplier = Math.max(1, filter.getCheckpointintervalmultiplier());
  return {
    matches: (e) => test(byStream ? e.streamName : e.type),
    interval: Math.max(1, multiplier * window),
  };
}

function readHandler(
  log: EventLog,
  subscriptions: Set<ActiveSubscription>,
): grpc.handleServerStreamingCall<ReadReq, ReadRespMessage> {
  return (call: ReadCall) => {
    const options = call.request.getOptions();
    if (options === undefined) {
      call.emit('error', serviceError(grpc.status.INVALID_ARGUMENT, 'Read without options'));
      return;
    }
    const structuredUuid = options.getUuidOption()?.getContentCase() === UuidContentCase.STRUCTURED;
    const backwards = options.getReadDirection() === ReadDirection.BACKWARDS;
    const isSubscription = options.getCountOptionCase() === CountOptionCase.SUBSCRIPTION;
    const isAll = options.getStreamOptionCase() === StreamOptionCase.ALL;

    if (isSubscription) {
      if (!isAll || backwards) {
        call.emit('error', serviceError(grpc.status.UNIMPLEMENTED, 'The test double implements only forward subscriptions to $all'));
        return;
      }
      runAllSubscription(call, log, options, filterOf(options), structuredUuid, subscriptions);
      return;
    }

    const closed = new AbortController();
    call.on('cancelled', () => closed.abort());
    const count = BigInt(options.getCount() || '0');
    const selection = isAll ? readAll(log, options, backwards) : readStream(log, options, backwards);
    const write = async (): Promise<void> => {
      if (selection.kind === 'not-found') {
        // A missing stream is not a gRPC error: the read answers one stream_not_found message,
        // which the client raises as StreamNotFoundError
        // (https://developers.eventstore.com/clients/grpc/reading-events.html, "Checking if the stream exists").
        await send(call, streamNotFoundMessage(selection.streamName), closed.signal);
      } else {
        const filter = isAll ? filterOf(options) : undefined;
        let sent = 0n;
        for (const e of selection.events) {
          if (sent >= count) break;
          if (filter && !filter.matches(e)) continue;
          if (!(await send(call, eventMessage(e, { fromAll: isAll, structuredUuid }), closed.signal))) return;
          sent += 1n;
        }
      }
      call.end();
    };
    write().catch((error: unknown) => {
      call.emit('error', serviceError(grpc.status.UNKNOWN, error instanceof Error ? error.message : String(error)));
    });
  };
}

type Selection =
  | { kind: 'events'; events: readonly StoredEvent[] }
  | { kind: 'not-found'; streamName: string };

/**
 * Reading a stream (https://developers.eventstore.com/clients/grpc/reading-events.html):
 * forwards from START (revision 0), a revision (inclusive) or END (nothing after the last event);
 * backwards from END (the last event), a revision (inclusive) or START (just the first event).
 */
function readStream(log: EventLog, options: ReadOptions, backwards: boolean): Selection {
  const streamOptions = options.getStream();
  const streamName = streamNameOf(streamOptions?.getStreamIdentifier());
  const events = log.stream(streamName);
  if (events === undefined || events.length === 0) return { kind: 'not-found', streamName };
  const last = events.length - 1;
  let from: number;
  switch (streamOptions?.getRevisionOptionCase()) {
    case RevisionOptionCase.END:
      from = backwards ? last : events.length;
      break;
    case RevisionOptionCase.REVISION: {
      const revision = BigInt(streamOptions.getRevision());
      from = revision > BigInt(events.length) ? events.length : Number(revision);
      break;
    }
    default:
      from = 0;
  }
  if (!backwards) return { kind: 'events', events: events.slice(from) };
  return { kind: 'events', events: events.slice(0, Math.min(from, last) + 1).reverse() };
}

/**
 * Reading $all (https://developers.eventstore.com/clients/grpc/reading-events.html, "Reading from
 * the $all stream"). The page does not say whether a position is inclusive; the server's index
 * reader (EventStore.Core, AllReader) takes records at or after the position going forwards, and
 * records that end at or before it going backwards. So forwards from an event's position starts
 * with that event; backwards from it starts with the one before. START/END as expected. (A
 * subscription from a position is exclusive instead; see subscription.ts.)
 */
function readAll(log: EventLog, options: ReadOptions, backwards: boolean): Selection {
  const all = options.getAll();
  const kind = all?.getAllOptionCase();
  if (!backwards) {
    const from =
      kind === AllOptionCase.END
        ? log.all.length
        : kind === AllOptionCase.POSITION
          ? log.firstIndexAtOrAfter(positionOf(all?.getPosition()))
          : 0;
    return { kind: 'events', events: log.all.slice(from) };
  }
  const end =
    kind === AllOptionCase.START
      ? 0
      : kind === AllOptionCase.POSITION
        ? log.endIndexBefore(positionOf(all?.getPosition()))
        : log.all.length;
  return { kind: 'events', events: log.all.slice(0, end).reverse() };
}

/** ServerFeatures.GetSupportedMethods without BatchAppend, so the client appends with Append. */
function supportedMethodsHandler(): grpc.handleUnaryCall<unknown, unknown> {
  return (_call, callback) => {
    const method = (serviceName: string, methodName: string) =>
      new SupportedMethod().setServiceName(serviceName).setMethodName(methodName);
    const methods = new SupportedMethods()
      .setEventStoreServerVersion('0.0.0-protocol-test-double')
      .setMethodsList([
        method('event_store.client.streams.streams', 'read'),
        method('event_store.client.streams.streams', 'append'),
        method('event_store.client.server_features.serverfeatures', 'getsupportedmethods'),
      ]);
    callback(null, methods);
  };
}

function countingCalls(
  counts: Map<string, number>,
  service: grpc.ServiceDefinition,
  handlers: grpc.UntypedServiceImplementation,
): grpc.UntypedServiceImplementation {
  const counted: grpc.UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const path = service[name]?.path ?? name;
    counted[name] = ((call: unknown, callback: unknown) => {
      counts.set(path, (counts.get(path) ?? 0) + 1);
      return (handler as (call: unknown, callback: unknown) => void)(call, callback);
    }) as grpc.UntypedHandleCall;
  }
  return counted;
}

async function listen(server: grpc.Server, port: number): Promise<number> {
  // A port just released by stop() may linger for a moment: retry briefly.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await new Promise<number>((resolve, reject) => {
        server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        );
      });
    } catch (error) {
      if (port === 0 || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export async function startTestEventStoreDB(options: TestEventStoreDBOptions = {}): Promise<TestEventStoreDB> {
  const log = new EventLog();
  if (options.systemEvents ?? true) {
    const settings = new TextEncoder().encode(
      JSON.stringify({ $userStreamAcl: { $r: '$all', $w: '$all' }, $systemStreamAcl: { $r: '$admins', $w: '$admins' } }),
    );
    log.append('$settings', { kind: 'any' }, [
      { id: randomUUID(), type: '$settings', isJson: true, data: settings, customMetadata: new Uint8Array() },
    ]);
  }
  const subscriptions = new Set<ActiveSubscription>();
  const counts = new Map<string, number>();
  let server: grpc.Server | undefined;
  let port = options.port ?? 0;

  const start = async (): Promise<void> => {
    if (server) return;
    const next = new grpc.Server();
    next.addService(
      StreamsService,
      countingCalls(counts, StreamsService, {
        read: readHandler(log, subscriptions) as grpc.UntypedHandleCall,
        append: appendHandler(log) as grpc.UntypedHandleCall,
      }),
    );
    if (options.serverFeatures === 'without-batch-append') {
      next.addService(
        ServerFeaturesService,
        countingCalls(counts, ServerFeaturesService, {
          getSupportedMethods: supportedMethodsHandler() as grpc.UntypedHandleCall,
        }),
      );
    }
    port = await listen(next, port);
    server = next;
  };

  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (!current) return;
    // Like a crash: connections are cut without a status; every open call ends on the client
    // with whatever grpc-js makes of that.
    current.forceShutdown();
  };

  await start();

  return {
    get url() {
      return `esdb://127.0.0.1:${port}?tls=false`;
    },
    get port() {
      return port;
    },
    dropSubscriptions(reason = {}) {
      const dropped = [...subscriptions];
      for (const subscription of dropped) {
        subscription.drop(
          reason.code ?? grpc.status.ABORTED,
          reason.details ??
            'Operation timed out: Consumer too slow to handle event while live. Client resubscription required.',
        );
      }
      return dropped.length;
    },
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    activeSubscriptions: () => subscriptions.size,
    headPosition() {
      const last = log.all.at(-1);
      return last === undefined ? undefined : { commit: last.position, prepare: last.position };
    },
    callCounts: () => Object.fromEntries(counts),
    tamper(streamName, revision, change) {
      const encoder = new TextEncoder();
      log.rewrite(streamName, BigInt(revision), {
        ...(change.data !== undefined ? { data: encoder.encode(change.data) } : {}),
        ...(change.metadata !== undefined ? { customMetadata: encoder.encode(change.metadata) } : {}),
      });
    },
  };
}
