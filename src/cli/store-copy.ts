// `consult store copy --from <sqlite file | esdb url> --to <esdb url | sqlite file>`
import { copyConsultations } from '../store/copy.ts';
import { openStoreAt } from '../store/open-store-at.ts';
import { redactedUrl } from '../store/esdb/connection.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

export const storeCopyCommand: Subcommand = {
  name: 'store copy',
  usage: 'store copy --from <sqlite file | esdb url> --to <esdb url | sqlite file>',
  summary: 'copy every consultation stream (resumable; running it twice copies nothing twice)',
  help: `Copies every consultation stream, with its event ids, types, data, metadata and global order, from
one event store to another, printing progress, then checks the per-stream counts (exit 1 on a
mismatch). What the target already holds (the same ids at the same revisions) is skipped, so it is
resumable and a second run copies nothing; a target stream holding other events is refused. The
source must exist; an SQLite target file is created if missing.

options:
  --from STORE   an SQLite file or an esdb:// connection string (credentials are never printed)
  --to STORE     an esdb:// connection string or an SQLite file
  -h, --help     this help`,
  async run(args, io) {
    const { values } = parseCommandArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, ...HELP_OPTION } });
    if (values.help) {
      io.out(helpText(storeCopyCommand));
      return 0;
    }
    if (!values.from || !values.to) throw new UsageError('--from and --to are both required');
    const out = io.out;
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
  },
};
