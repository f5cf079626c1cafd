// Positions of the SQLite adapter: the events table's AUTOINCREMENT sequence, wrapped so that
// nothing outside this folder can treat it as a number.
import { InvalidPositionError, type Position, type PositionCodec } from '../port.ts';

class SqlitePosition {
  constructor(readonly sequence: number) {
    Object.freeze(this);
  }
}

/** Before every event: sequences start at 1. Returned by an empty append to a stream that does not exist. */
export const ORIGIN_SEQUENCE = 0;

export function positionAt(sequence: number): Position {
  return new SqlitePosition(sequence) as unknown as Position;
}

export function sequenceOf(position: Position): number {
  const p: unknown = position;
  if (!(p instanceof SqlitePosition)) throw new InvalidPositionError(`[a position of another store: ${typeof p}]`);
  return p.sequence;
}

// Canonical decimal only (no sign, no leading zeros), so parse(serialise(p)) is the only way in.
const CANONICAL = /^(0|[1-9][0-9]{0,15})$/;

export const sqlitePositions: PositionCodec = {
  compare: (a, b) => sequenceOf(a) - sequenceOf(b),
  distance: (from, to) => Math.max(0, sequenceOf(to) - sequenceOf(from)),
  serialise: (p) => String(sequenceOf(p)),
  parse(text) {
    if (typeof text !== 'string' || !CANONICAL.test(text)) throw new InvalidPositionError(String(text));
    const sequence = Number(text);
    if (!Number.isSafeInteger(sequence)) throw new InvalidPositionError(text);
    return positionAt(sequence);
  },
};
