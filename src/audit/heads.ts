// A consultation's head: the revision, hash and time of its last event, signed by the server
// (Ed25519, node:crypto) so that an auditor who keeps it can later show that the history still
// reaches it: a cut-off tail, or a rewritten history with a valid chain of its own, no longer does.
// What is signed: the UTF-8 bytes of the RFC 8785 canonical JSON of
// { consultationId, revision, hash, recordedAt, signedAt } (every field but `signature`).
import { sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { streamNameFor } from '../domain/stream-name.ts';
import type { EventStore } from '../store/port.ts';
import { canonicalJson, verifyStream } from './hash-chain.ts';

export const Head = z.object({
  consultationId: z.string(),
  revision: z.number().int().nonnegative().describe('the stream revision of the last event'),
  hash: z.string().regex(/^[0-9a-f]{64}$/).describe('that event\'s hash in the chain (metadata.hash)'),
  recordedAt: z.string().describe('when that event was recorded'),
});
export type Head = z.infer<typeof Head>;

export const SignedHead = Head.extend({
  signedAt: z.string().describe('when the server signed it'),
  signature: z.string().describe('Ed25519 over the canonical JSON of the other five fields, base64'),
});
export type SignedHead = z.infer<typeof SignedHead>;

/** The bytes a head's signature covers. */
export function headMessage(h: Omit<SignedHead, 'signature'>): Buffer {
  const { consultationId, revision, hash, recordedAt, signedAt } = h;
  return Buffer.from(canonicalJson({ consultationId, revision, hash, recordedAt, signedAt }), 'utf8');
}

export function signHead(privateKey: KeyObject, head: Head, signedAt: Date): SignedHead {
  const unsigned = { ...head, signedAt: signedAt.toISOString() };
  return { ...unsigned, signature: sign(null, headMessage(unsigned), privateKey).toString('base64') };
}

/** Whether the signature is this key's over these fields (false for a malformed one, never a throw). */
export function verifyHeadSignature(publicKey: KeyObject, h: SignedHead): boolean {
  try {
    return verify(null, headMessage(h), publicKey, Buffer.from(h.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The head at `revision` (the event there), or null when the stream has no such event. */
export async function headAt(store: EventStore, consultationId: string, revision: number): Promise<Head | null> {
  const [e] = await store.readStream(streamNameFor(consultationId), { fromRevision: revision, maxCount: 1 });
  if (!e || e.revision !== revision || typeof e.metadata.hash !== 'string') return null;
  return { consultationId, revision, hash: e.metadata.hash, recordedAt: String(e.metadata.recordedAt) };
}

/** What a recorded head finds in the store now: null when the history still reaches it, else why not. */
export async function checkHead(store: EventStore, head: SignedHead, publicKey: KeyObject | null): Promise<string | null> {
  if (publicKey && !verifyHeadSignature(publicKey, head)) return 'the head\'s signature does not verify with the trusted key';
  const chain = await verifyStream(store, streamNameFor(head.consultationId));
  if (chain.events === 0) return `the stream is gone: the head recorded revision ${head.revision}`;
  if (!chain.ok && chain.revision <= head.revision) return `the chain breaks at revision ${chain.revision} (${chain.reason}), before the recorded head at revision ${head.revision}`;
  if (chain.events <= head.revision) {
    return `history ends at revision ${chain.events - 1}: the recorded head at revision ${head.revision} is no longer reached (a cut-off tail)`;
  }
  const now = await headAt(store, head.consultationId, head.revision);
  if (!now || now.hash !== head.hash) {
    return `the event at revision ${head.revision} is not the one the head recorded (hash ${now?.hash ?? 'none'}, recorded ${head.hash}): history was rewritten`;
  }
  return null;
}
