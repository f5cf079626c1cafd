// Positions of the EventStoreDB adapter: the server's commit/prepare pair in the transaction log,
// wrapped so that nothing outside this folder sees the pair.
import { InvalidPositionError, type Position, type PositionCodec } from '../port.ts';

class EsdbPosition {
  constructor(readonly commit: bigint, readonly prepare: bigint) {
    Object.freeze(this);
  }
}

export function positionOf(pair: { commit: bigint; prepare: bigint }): Position {
  return new EsdbPosition(pair.commit, pair.prepare) as unknown as Position;
}

export function pairOf(position: Position): { commit: bigint; prepare: bigint } {
  const p: unknown = position;
  if (!(p instanceof EsdbPosition)) throw new InvalidPositionError(`[a position of another store: ${typeof p}]`);
  return { commit: p.commit, prepare: p.prepare };
}

// The form EventStoreDB itself prints: C:<commit>/P:<prepare>, canonical decimals.
const CANONICAL = /^C:(0|[1-9][0-9]{0,19})\/P:(0|[1-9][0-9]{0,19})$/;
const MAX = 2n ** 64n - 1n;

export const esdbPositions: PositionCodec = {
  compare(a, b) {
    const x = pairOf(a);
    const y = pairOf(b);
    if (x.commit !== y.commit) return x.commit < y.commit ? -1 : 1;
    if (x.prepare !== y.prepare) return x.prepare < y.prepare ? -1 : 1;
    return 0;
  },
  serialise(p) {
    const { commit, prepare } = pairOf(p);
    return `C:${commit}/P:${prepare}`;
  },
  parse(text) {
    const m = typeof text === 'string' ? CANONICAL.exec(text) : null;
    if (!m) throw new InvalidPositionError(String(text));
    const commit = BigInt(m[1]!);
    const prepare = BigInt(m[2]!);
    if (commit > MAX || prepare > MAX) throw new InvalidPositionError(text);
    return positionOf({ commit, prepare });
  },
  distance(from, to) {
    const d = pairOf(to).commit - pairOf(from).commit;
    return d > 0n ? Number(d) : 0;
  },
};
