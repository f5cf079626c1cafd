// `consult store copy --from <sqlite file> --to <esdb url>`
import { parseArgs } from 'node:util';
import { copyConsultations } from '../store/copy.ts';
import { openStoreAt } from '../store/open-store-at.ts';
import { redactedUrl } from '../store/esdb/connection.ts';

export const STORE_COPY_USAGE = 'store copy --from <sqlite file | esdb url> --to <esdb url | sqlite file>';

export async function storeCopy(args: string[], out: (line: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from || !values.to) {
    out(`usage: consult ${STORE_COPY_USAGE}`);
    return 2;
  }
  const source = await openStoreAt(values.from, { mustExist: true });
  try {
    const target = await openStoreAt(values.to, { mustExist: false });
    try {
      out(`copying consultation streams from ${redactedUrl(values.from)} to ${redactedUrl(values.to)}`);
      const report = await copyConsultations(source, target, {
        progress: (p) => out(`  ${p.scanned} events read (${p.streams} consultations), ${p.copied} copied, ${p.skipped} already there, ${p.eventsPerSecond} events/s`),
      });
      for (const m of report.mismatches) out(`  MISMATCH ${m.streamName}: ${m.source} events in the source, ${m.target} in the target`);
      out(`${report.streams} consultations, ${report.scanned} events: ${report.copied} copied, ${report.skipped} already there; counts ${report.mismatches.length === 0 ? 'verified' : 'DIFFER'}`);
      return report.mismatches.length === 0 ? 0 : 1;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
