// The events table's rows and their mapping to the port's RecordedEvent.
import type { JsonObject, RecordedEvent } from '../port.ts';
import { positionAt } from './position.ts';

export interface EventRow {
  sequence: number;
  stream: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  created: string;
}

export const EVENT_COLUMNS = 'sequence, stream, revision, event_id, type, data, metadata, created';

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamName: row.stream,
    revision: row.revision,
    id: row.event_id,
    type: row.type,
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as JsonObject,
    position: positionAt(row.sequence),
    created: row.created,
  };
}
