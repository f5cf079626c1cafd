// `consult export`: one consultation's bundle (src/audit/export.ts) to a file, signed with the
// server's key (AUDIT_SIGNING_KEY, or the development key in DATA_DIR; never one of its own).
import { renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { bundleText, exportBundle } from '../audit/export.ts';
import { resolveAuditSigningKey } from '../audit/signing-key.ts';
import { openEventStore } from '../store/open-store.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

export const exportCommand: Subcommand = {
  name: 'export',
  usage: 'export --consultation ID --out FILE',
  summary: 'write one consultation\'s verifiable bundle (events, signed head, views) to a JSON file',
  help: `Writes the export bundle of one consultation to FILE ("-" for standard output): one plain JSON
file holding every event exactly as stored, the head signed with the server's key, the public key
(for information), the views at the head and a manifest. Check it anywhere with
\`node verifier/verify-bundle.mjs FILE --public-key KEY.pem\` (Node alone) or
\`consult verify --bundle FILE --public-key KEY.pem\` (also replays the views). A consultation whose
chain is broken is refused (exit 1): the server's key never vouches for a damaged history.

options:
  --consultation ID   the consultation (its UUID)
  --out FILE          where to write it ("-": standard output)
  -h, --help          this help`,
  async run(args, io, config) {
    const { values } = parseCommandArgs({ args, options: { consultation: { type: 'string' }, out: { type: 'string' }, ...HELP_OPTION } });
    if (values.help) {
      io.out(helpText(exportCommand));
      return 0;
    }
    if (values.consultation === undefined || !z.uuid().safeParse(values.consultation).success) {
      throw new UsageError(values.consultation === undefined ? '--consultation ID is required' : `not a consultation id (a UUID): "${values.consultation}"`);
    }
    if (values.out === undefined) throw new UsageError('--out FILE is required ("-" for standard output)');
    const key = resolveAuditSigningKey(config(), { create: false });
    const { store, location } = await openEventStore(config(), undefined, { mustExist: true });
    try {
      io.err(`exporting consultation ${values.consultation} from ${location}`);
      const bundle = await exportBundle(store, values.consultation, key, new Date());
      const text = bundleText(bundle);
      if (values.out === '-') io.out(text.trimEnd());
      else {
        // written whole or not at all: a temporary file beside it, then renamed
        const tmp = `${values.out}.${process.pid}.tmp`;
        writeFileSync(tmp, text, { flag: 'wx' });
        renameSync(tmp, values.out);
      }
      io.err(`${bundle.events.length} events, head at revision ${bundle.head.revision}${values.out === '-' ? '' : `, written to ${values.out}`}`);
      return 0;
    } finally {
      await store.close();
    }
  },
};
