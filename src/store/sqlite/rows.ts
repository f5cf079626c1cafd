// The events table's rows and their mapping to the port's RecordedEvent.
import type { RecordedEvent } from '../port.ts';
import { parseJsonObject, withDecoded } from '../unreadable.ts';
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

/** Never throws for a row whose JSON does not parse: that event comes back marked `unreadable`. */
export function toRecordedEvent(row: EventRow): RecordedEvent {
  return withDecoded(
    {
      streamName: row.stream,
      revision: row.revision,
      id: row.event_id,
      type: row.type,
      position: positionAt(row.sequence),
      created: row.created,
    },
    parseJsonObject('data', row.data),
    parseJsonObject('metadata', row.metadata),
  );
}
