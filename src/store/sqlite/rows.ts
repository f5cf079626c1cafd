// The events table's rows and their mapping to the port's RecordedEvent. Rows are read in
// better-sqlite3's raw mode (arrays, not objects): a fold reads 200,000 of them.
import type { RecordedEvent } from '../port.ts';
import { parseJsonObject, withDecoded } from '../unreadable.ts';
import { positionAt } from './position.ts';

/** The columns of EVENT_COLUMNS, in order. */
export type EventRow = [sequence: number, stream: string, revision: number, eventId: string, type: string, data: string, metadata: string, created: string];

export const EVENT_COLUMNS = 'sequence, stream, revision, event_id, type, data, metadata, created';

/** Never throws for a row whose JSON does not parse: that event comes back marked `unreadable`. */
export function toRecordedEvent(row: EventRow): RecordedEvent {
  const [sequence, stream, revision, eventId, type, data, metadata, created] = row;
  return withDecoded(
    { streamName: stream, revision, id: eventId, type, position: positionAt(sequence), created },
    parseJsonObject('data', data),
    parseJsonObject('metadata', metadata),
    { data, metadata },
  );
}
