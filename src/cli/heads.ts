// `consult heads`: the signed head of every consultation (or one) as JSON, for an auditor to keep
// and later hand to `consult verify --expect`. Each head is signed only after its chain verifies:
// the server's key never vouches for a damaged history. Signs with the server's key
// (AUDIT_SIGNING_KEY, or the development key in DATA_DIR); never makes one of its own.
import { z } from 'zod';
import { headAt, signHead, type SignedHead } from '../audit/heads.ts';
import { verifyStream } from '../audit/hash-chain.ts';
import { resolveAuditSigningKey } from '../audit/signing-key.ts';
import { consultationStreams } from '../audit/verify-all.ts';
import { consultationIdOf, streamNameFor } from '../domain/stream-name.ts';
import { openEventStore } from '../store/open-store.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

const ConsultationId = z.uuid();

export const headsCommand: Subcommand = {
  name: 'heads',
  usage: 'heads [--consultation ID]',
  summary: 'print the signed head of every consultation (or one) as JSON, to keep for `verify --expect`',
  help: `Prints a JSON array with the signed head of every consultation in the event store, or of one:
{ consultationId, revision, hash, recordedAt, signedAt, signature }. Keep the file where the
server cannot change it; \`consult verify --expect FILE\` later reports any consultation whose
history no longer reaches its head. A consultation whose chain is broken gets no head (it is named
on stderr) and the exit code is 1. Signed with the server's key: AUDIT_SIGNING_KEY, or the
development key in DATA_DIR.

options:
  --consultation ID   only this consultation (its UUID)
  -h, --help          this help`,
  async run(args, io, config) {
    const { values } = parseCommandArgs({ args, options: { consultation: { type: 'string' }, ...HELP_OPTION } });
    if (values.help) {
      io.out(helpText(headsCommand));
      return 0;
    }
    if (values.consultation !== undefined && !ConsultationId.safeParse(values.consultation).success) {
      throw new UsageError(`not a consultation id (a UUID): "${values.consultation}"`);
    }
    const key = resolveAuditSigningKey(config(), { create: false });
    const { store, location } = await openEventStore(config(), undefined, { mustExist: true, personalKeys: false });
    try {
      const streams = values.consultation ? [streamNameFor(values.consultation)] : await consultationStreams(store);
      const heads: SignedHead[] = [];
      let failed = 0;
      for (const stream of streams) {
        const chain = await verifyStream(store, stream);
        const id = consultationIdOf(stream) ?? stream;
        if (chain.events === 0) {
          io.err(`no consultation ${id} in ${location}`);
          failed++;
        } else if (!chain.ok) {
          io.err(`BROKEN  ${stream} at revision ${chain.revision}: ${chain.reason}; no head signed`);
          failed++;
        } else {
          const head = await headAt(store, id, chain.events - 1);
          if (head) heads.push(signHead(key.privateKey, head, new Date()));
        }
      }
      io.out(JSON.stringify(heads, null, 2));
      io.err(`${heads.length} heads signed from ${location}${failed ? `, ${failed} refused` : ''}`);
      return failed === 0 ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};
