// `consult verify`: one line per consultation stream, ok or BROKEN at a revision with the reason
// (the walk itself is src/audit/verify-all.ts, shared with the background verifier).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { checkBundle } from '../../verifier/verify-bundle.mjs';
import { replayFindings } from '../audit/bundle-replay.ts';
import type { Bundle } from '../audit/export.ts';
import { checkHead, SignedHead } from '../audit/heads.ts';
import { MissingSigningKeyError, resolveAuditSigningKey } from '../audit/signing-key.ts';
import { verifyAll as walk, type VerifyReport } from '../audit/verify-all.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import { openEventStore } from '../store/open-store.ts';
import type { EventStore } from '../store/port.ts';
import { HELP_OPTION, helpText, parseCommandArgs, UsageError, type Subcommand } from './command.ts';

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

/** Consultation ids are UUIDs (as in the API's paths). */
const ConsultationId = z.uuid();

export const verifyCommand: Subcommand = {
  name: 'verify',
  usage: 'verify [--consultation ID] [--expect HEADS.json [--public-key KEY.pem]] | verify --bundle FILE --public-key KEY.pem',
  summary: 'check the hash chain of every consultation (or one), and that each still reaches the heads kept; exit 1 if not',
  help: `Checks the hash chain of every consultation in the event store, or of one, and prints a line per
consultation and a total; exit 1 if any chain is broken (or the named consultation does not exist).
The store is the server's: DATA_DIR/events.sqlite, or EVENTSTORE_URL. A missing SQLite file is an
error naming it; nothing is created.

With --expect FILE (what \`consult heads\` printed, or one head from GET /consultations/:id/head),
it also checks that each consultation's history still reaches the head recorded for it: a cut-off
tail, or a history rewritten with a valid chain of its own, no longer does and is reported. Each
head's signature is checked with --public-key (the PEM from GET /audit/public-key, kept by the
auditor), else with the server's own key; a head that does not verify is reported too.

With --bundle FILE (an export: GET /consultations/:id/export or \`consult export\`) it checks that
file alone, with no store and no server: the chain, that the signed head names the last event, the
head's signature against --public-key (required: the bundle's own key proves nothing; without one
the exit code is 2, "no trusted key"), and that replaying its events with this version's reducers
gives the views it carries. Each failed check is named; exit 0 or 1.

options:
  --bundle FILE          check this export bundle (needs --public-key)
  --consultation ID      only this consultation (its UUID)
  --expect FILE          the signed heads to check against
  --public-key FILE      the trusted public key (SPKI PEM) for the heads' signatures
  -h, --help             this help`,
  async run(args, io, config) {
    const { values } = parseCommandArgs({
      args, options: { consultation: { type: 'string' }, expect: { type: 'string' }, bundle: { type: 'string' }, 'public-key': { type: 'string' }, ...HELP_OPTION },
    });
    if (values.help) {
      io.out(helpText(verifyCommand));
      return 0;
    }
    if (values.bundle !== undefined) {
      if (values.expect !== undefined || values.consultation !== undefined) throw new UsageError('--bundle checks one file alone; it takes no --expect or --consultation');
      return verifyBundleFile(values.bundle, values['public-key'], io);
    }
    let consultationId: string | undefined;
    if (values.consultation !== undefined) {
      const id = ConsultationId.safeParse(values.consultation);
      if (!id.success) throw new UsageError(`not a consultation id (a UUID): "${values.consultation}"`);
      consultationId = id.data;
    }
    if (values['public-key'] !== undefined && values.expect === undefined) throw new UsageError('--public-key checks the heads of --expect or a --bundle; give one');
    const expected = values.expect === undefined ? null : readHeads(values.expect);
    const publicKey = expected === null ? null : trustedKey(values['public-key'], config, io);
    const { store, location } = await openEventStore(config(), undefined, { mustExist: true, personalKeys: false });
    try {
      io.err(`verifying ${location}`);
      if (consultationId && (await store.readStream(streamNameFor(consultationId), { maxCount: 1 })).length === 0) {
        io.err(`no consultation ${consultationId} in ${location}`);
        return 1;
      }
      const report = await verifyAll(store, { ...(consultationId ? { consultationId } : {}), progress: io.out });
      io.out(`${report.streams} consultations, ${report.events} events, ${report.broken.length} broken`);
      let unreached = 0;
      for (const head of expected ?? []) {
        if (consultationId && head.consultationId !== consultationId) continue;
        const problem = await checkHead(store, head, publicKey);
        if (problem) unreached++;
        io.out(problem === null
          ? `ok      ${streamNameFor(head.consultationId)} reaches its head at revision ${head.revision}`
          : `CHANGED ${streamNameFor(head.consultationId)}: ${problem}`);
      }
      if (expected) io.out(`${expected.length} heads expected, ${unreached} not reached`);
      return report.broken.length === 0 && unreached === 0 ? 0 : 1;
    } finally {
      await store.close();
    }
  },
};

/** The heads of a file: an array (consult heads), `{ heads: [...] }`, or one head (the route's answer). */
function readHeads(file: string): SignedHead[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--expect ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const list = Array.isArray(json) ? json : typeof json === 'object' && json !== null && 'heads' in json ? (json as { heads: unknown }).heads : [json];
  const parsed = z.array(SignedHead).safeParse(list);
  if (!parsed.success) throw new UsageError(`--expect ${file} is not a list of signed heads: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The key heads are checked with: the auditor's, else the server's; none: signatures are not checked (said on stderr). */
function trustedKey(file: string | undefined, config: Parameters<Subcommand['run']>[2], io: Parameters<Subcommand['run']>[1]): KeyObject | null {
  if (file !== undefined) {
    try {
      return createPublicKey({ key: readFileSync(file, 'utf8'), format: 'pem' });
    } catch (error) {
      throw new UsageError(`--public-key ${file} is not a PEM public key: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    return resolveAuditSigningKey(config(), { create: false }).publicKey;
  } catch (error) {
    if (!(error instanceof MissingSigningKeyError)) throw error;
    io.err('signatures not checked: no --public-key and no server key in DATA_DIR');
    return null;
  }
}

/** `verify --bundle`: the file alone, against the auditor's key; exit 2 without one. */
async function verifyBundleFile(file: string, keyFile: string | undefined, io: Parameters<Subcommand['run']>[1]): Promise<number> {
  if (keyFile === undefined) {
    io.err('no trusted key: give --public-key KEY.pem (the key fetched from GET /audit/public-key and kept); the bundle\'s own key proves nothing');
    return 2;
  }
  let key: string;
  let bundle: unknown;
  try {
    key = readFileSync(keyFile, 'utf8');
  } catch (error) {
    throw new UsageError(`--public-key ${keyFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    io.err(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const findings = checkBundle(bundle, key);
  const shaped = !findings.some((f) => f.startsWith('not a bundle') || f.startsWith('the bundle has no'));
  if (shaped) findings.push(...await replayFindings(bundle as Bundle));
  for (const f of findings) io.out(`FAILED  ${f}`);
  if (findings.length === 0) {
    const b = bundle as Bundle;
    io.out(`ok      ${b.events.length} events chain, the head at revision ${b.head.revision} is signed by the trusted key, the views replay`);
  }
  return findings.length === 0 ? 0 : 1;
}
