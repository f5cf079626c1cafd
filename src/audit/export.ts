// An export bundle: one consultation's whole history as one plain-text JSON file a person can read
// without tools, that an auditor verifies elsewhere (verifier/verify-bundle.mjs with Node alone;
// `consult verify --bundle`, which also replays the views). It holds every event exactly as stored
// (type, data, metadata with its hashes), the signed head, the public key (for information: the
// verifier trusts only the key the auditor brings), the views at the head, and a manifest.
import { BUNDLE_FORMAT } from '../../verifier/verify-bundle.mjs';
import { HistoryDamagedError } from './damage.ts';
import { verifyStream } from './hash-chain.ts';
import { signHead, type SignedHead } from './heads.ts';
import type { AuditSigningKey } from './signing-key.ts';
import { AUDITED_VIEWS, viewsAt, type AuditedViewName, type FoldableEvent } from './views-at.ts';
import { DomainError } from '../domain/errors.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import type { EventStore } from '../store/port.ts';
import { openerFor, personalKeysOf, type KeyReader } from '../privacy/personal-store.ts';
import { isSealed } from '../privacy/sealed.ts';

export { BUNDLE_FORMAT };

export interface BundleEvent extends FoldableEvent {
  id: string;
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  manifest: {
    consultationId: string;
    exportedAt: string;
    events: number;
    revision: number;
    /** each view's projection version: the replay needs reducers of these versions */
    views: Record<AuditedViewName, { projection: string; version: number }>;
    viewsAt: string;
    verify: string[];
  };
  head: SignedHead;
  /** the server's public key, for information only: verify against the one you trust */
  publicKey: string;
  events: BundleEvent[];
  views: Record<AuditedViewName, unknown>;
  /** only when a coordinator asked for it (?include=personal): the sealed values opened, outside what the chain and the head cover */
  personal?: PersonalSection;
}

/** The personal values of a bundle's events, opened with the server's keys ([erased] where a key was destroyed). */
export interface PersonalSection {
  note: string;
  values: { revision: number; path: string; keyId: string; value: string }[];
}

/** Every sealed value of the events, where it is and what it reads as with these keys. */
export function personalSection(events: readonly RecordedEventLike[], keys: KeyReader): PersonalSection {
  const open = openerFor(keys);
  const values: PersonalSection['values'] = [];
  const walk = (v: unknown, revision: number, at: string) => {
    if (isSealed(v)) values.push({ revision, path: at, keyId: v.keyId, value: open(v) });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, revision, `${at}.${i}`));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, revision, at === '' ? k : `${at}.${k}`);
  };
  for (const e of events) walk(e.data, e.revision, '');
  return {
    note: 'Personal data, decrypted with the server\'s keys at export: NOT covered by the hash chain or the signed head, and not '
      + 'needed to verify the bundle. Remove this section before passing the bundle on.',
    values,
  };
}

type RecordedEventLike = { revision: number; data: unknown };

/** The bundle of one consultation; its chain is verified first (a damaged history is refused, never signed). */
export async function exportBundle(store: EventStore, consultationId: string, key: AuditSigningKey, now: Date, options: { includePersonal?: boolean } = {}): Promise<Bundle> {
  const streamName = streamNameFor(consultationId);
  const chain = await verifyStream(store, streamName);
  if (chain.events === 0) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${consultationId}`);
  if (!chain.ok) throw new HistoryDamagedError(consultationId, { streamName, revision: chain.revision, reason: chain.reason });
  const stored = await store.readStream(streamName);
  const events: BundleEvent[] = stored.map((e) => ({ streamName: e.streamName, revision: e.revision, id: e.id, type: e.type, data: e.data, metadata: e.metadata, created: e.created }));
  const last = events.at(-1)!;
  const head = signHead(key.privateKey, { consultationId, revision: last.revision, hash: String(last.metadata.hash), recordedAt: String(last.metadata.recordedAt) }, now);
  // the views as they stood at the head: derived fields (is the comment period open?) at the head's time, so a replay gives the same
  const views = await viewsAt(events, consultationId, head.recordedAt);
  const versions = Object.fromEntries(Object.entries(AUDITED_VIEWS).map(([name, p]) => [name, { projection: p.name, version: p.version }])) as Bundle['manifest']['views'];
  return {
    format: BUNDLE_FORMAT,
    manifest: {
      consultationId,
      exportedAt: now.toISOString(),
      events: events.length,
      revision: last.revision,
      views: versions,
      viewsAt: head.recordedAt,
      verify: [
        'node verify-bundle.mjs THIS-FILE --public-key KEY.pem   (Node alone: the chain, the head, its signature)',
        'npx consult verify --bundle THIS-FILE --public-key KEY.pem   (also replays the views with the product\'s reducers)',
      ],
    },
    head,
    publicKey: key.publicKeyPem,
    events,
    views,
    ...(options.includePersonal ? { personal: personalSection(stored, personalKeysOf(store) ?? NO_KEYS) } : {}),
  };
}

const NO_KEYS: KeyReader = { get: () => undefined };

/** The bundle as the file holds it: indented JSON, one trailing newline. */
export function bundleText(bundle: Bundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}
