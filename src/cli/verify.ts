// `consult verify`: one line per consultation stream, ok or BROKEN at a revision with the reason
// (the walk itself is src/audit/verify-all.ts, shared with the background verifier).
import { verifyAll as walk, type VerifyReport } from '../audit/verify-all.ts';
import type { EventStore } from '../store/port.ts';

export type { VerifyReport };

export async function verifyAll(
  store: EventStore,
  options: { consultationId?: string; progress?: (line: string) => void } = {},
): Promise<VerifyReport> {
  return walk(store, {
    ...(options.consultationId ? { consultationId: options.consultationId } : {}),
    onResult: (result) => options.progress?.(result.ok
      ? `ok      ${result.streamName} (${result.events} events)`
      : `BROKEN  ${result.streamName} at revision ${result.revision}: ${result.reason}`),
  });
}
