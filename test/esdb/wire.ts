// PROTOCOL TEST DOUBLE — part of test/esdb/test-server.ts, not an EventStoreDB implementation.
// Protobuf plumbing: the message classes that @eventstore/db-client ships (generated/*_pb.js, the
// very copies its own gRPC client serialises with) and conversions between them and the log.
import { randomUUID } from 'node:crypto';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { LogPosition, StoredEvent } from './event-log.ts';

// google-protobuf's CommonJS output is not visible to ESM named imports: take the classes off the
// module object. Types come from the .d.ts files next to them.
export const { Empty, StreamIdentifier, UUID } = sharedPb;
export const { AppendResp, ReadResp } = streamsPb;
export type ReadReq = StreamsPb.ReadReq;
export type ReadRespMessage = StreamsPb.ReadResp;
export type AppendReq = StreamsPb.AppendReq;
export type AppendOptions = StreamsPb.AppendReq.Options;
export type AppendRespMessage = StreamsPb.AppendResp;
export type ReadOptions = StreamsPb.ReadReq.Options;
export type FilterOptions = StreamsPb.ReadReq.Options.FilterOptions;

export const ReadDirection = streamsPb.ReadReq.Options.ReadDirection;
export const StreamOptionCase = streamsPb.ReadReq.Options.StreamOptionCase;
export const CountOptionCase = streamsPb.ReadReq.Options.CountOptionCase;
export const FilterOptionCase = streamsPb.ReadReq.Options.FilterOptionCase;
export const RevisionOptionCase = streamsPb.ReadReq.Options.StreamOptions.RevisionOptionCase;
export const AllOptionCase = streamsPb.ReadReq.Options.AllOptions.AllOptionCase;
export const FilterCase = streamsPb.ReadReq.Options.FilterOptions.FilterCase;
export const WindowCase = streamsPb.ReadReq.Options.FilterOptions.WindowCase;
export const UuidContentCase = streamsPb.ReadReq.Options.UUIDOption.ContentCase;
export const ExpectedRevisionCase = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
export const AppendContentCase = streamsPb.AppendReq.ContentCase;

const decoder = new TextDecoder();
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function streamNameOf(identifier: SharedPb.StreamIdentifier | undefined): string {
  return identifier === undefined ? '' : decoder.decode(identifier.getStreamName_asU8());
}

function streamIdentifier(name: string): SharedPb.StreamIdentifier {
  return new StreamIdentifier().setStreamName(new TextEncoder().encode(name));
}

const INT64_RANGE = 1n << 64n;

/** A proposed event's id (string or structured form) as a lowercase canonical UUID, or undefined. */
export function parseUuid(uuid: SharedPb.UUID | undefined): string | undefined {
  if (uuid === undefined) return undefined;
  let text: string;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured();
    if (structured === undefined) return undefined;
    // two signed 64-bit halves, most significant first (the Java UUID layout)
    const msb = BigInt.asUintN(64, BigInt(structured.getMostSignificantBits()));
    const lsb = BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits()));
    const hex = ((msb << 64n) | lsb).toString(16).padStart(32, '0');
    text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  } else {
    text = uuid.getString().toLowerCase();
  }
  return UUID_PATTERN.test(text) ? text : undefined;
}

function formatUuid(id: string, structured: boolean): SharedPb.UUID {
  if (!structured) return new UUID().setString(id);
  const value = BigInt(`0x${id.replaceAll('-', '')}`);
  const toSigned = (v: bigint): string => (v >= INT64_RANGE / 2n ? v - INT64_RANGE : v).toString(10);
  const parts = new UUID.Structured()
    .setMostSignificantBits(toSigned(value >> 64n))
    .setLeastSignificantBits(toSigned(value & (INT64_RANGE - 1n)));
  return new UUID().setStructured(parts);
}

export function positionOf(p: StreamsPb.ReadReq.Options.Position | undefined): LogPosition {
  return { commit: BigInt(p?.getCommitPosition() ?? '0'), prepare: BigInt(p?.getPreparePosition() ?? '0') };
}

/**
 * A recorded event as the server sends it: system metadata `type`, `created` (.NET ticks since the
 * Unix epoch) and `content-type` (application/json when the event was appended as JSON, else
 * application/octet-stream), data and custom metadata as stored, the event's commit/prepare
 * position. See https://developers.eventstore.com/clients/grpc/reading-events.html.
 */
function recordedEvent(e: StoredEvent, structuredUuid: boolean): StreamsPb.ReadResp.ReadEvent.RecordedEvent {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(formatUuid(e.id, structuredUuid))
    .setStreamIdentifier(streamIdentifier(e.streamName))
    .setStreamRevision(e.revision.toString(10))
    .setCommitPosition(e.position.toString(10))
    .setPreparePosition(e.position.toString(10))
    .setData(e.data)
    .setCustomMetadata(e.customMetadata);
  const metadata = recorded.getMetadataMap();
  metadata.set('type', e.type);
  metadata.set('created', e.created.toString(10));
  metadata.set('content-type', e.isJson ? 'application/json' : 'application/octet-stream');
  return recorded;
}

/**
 * One event of a read or subscription. Events read from $all carry their position as the
 * ReadEvent's commit_position too; events read from a stream carry no_position there (their
 * RecordedEvent still has the event's position).
 */
export function eventMessage(e: StoredEvent, opts: { fromAll: boolean; structuredUuid: boolean }): ReadRespMessage {
  const readEvent = new ReadResp.ReadEvent().setEvent(recordedEvent(e, opts.structuredUuid));
  if (opts.fromAll) readEvent.setCommitPosition(e.position.toString(10));
  else readEvent.setNoPosition(new Empty());
  return new ReadResp().setEvent(readEvent);
}

export function streamNotFoundMessage(streamName: string): ReadRespMessage {
  return new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(streamName)));
}

export function confirmationMessage(): ReadRespMessage {
  return new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()));
}

export function caughtUpMessage(): ReadRespMessage {
  return new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
}

export function checkpointMessage(position: bigint): ReadRespMessage {
  const checkpoint = new ReadResp.Checkpoint()
    .setCommitPosition(position.toString(10))
    .setPreparePosition(position.toString(10));
  return new ReadResp().setCheckpoint(checkpoint);
}
