#!/usr/bin/env node
// Checks a wps-consult export bundle with Node alone: no packages, no store, no server. Read it in
// one sitting; run it as
//
//   node verify-bundle.mjs consultation-<id>.json --public-key consult-public.pem
//
// It checks (1) the hash chain: every event's hash is SHA-256 over the RFC 8785 canonical JSON of
// { streamName, revision, type, data, metadata without hash }, and each event's metadata.prevHash is
// the hash before it (64 zeros for the first); (2) that the signed head names the last event (its
// revision, hash and time); (3) the head's Ed25519 signature, over the canonical JSON of
// { consultationId, revision, hash, recordedAt, signedAt }, against the key YOU trust (the bundle's
// own `publicKey` is there for information only: a forger would put theirs). It does not replay the
// views: that needs the product's reducers (`npx consult verify --bundle FILE --public-key KEY`).
// Exit codes: 0 every check holds; 1 a check failed (each named); 2 wrong usage or no trusted key.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const BUNDLE_FORMAT = 'wps-consult-export/1';
const ZERO_HASH = '0'.repeat(64);

/** RFC 8785 (JSON Canonicalization Scheme) for values that JSON.parse gives: keys sorted by UTF-16 code units, no whitespace, ECMAScript number and string forms. */
export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('not JSON: a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every finding about the bundle (a parsed JSON value) against the trusted public key (PEM text);
 * [] when everything holds.
 */
export function checkBundle(bundle, trustedPublicKeyPem) {
  const findings = [];
  if (!isObject(bundle) || bundle.format !== BUNDLE_FORMAT) return [`not a bundle of format ${BUNDLE_FORMAT}`];
  const { head, events } = bundle;
  if (!isObject(head) || !Array.isArray(events)) return ['the bundle has no head or no events'];
  const stream = `consultation-${head.consultationId}`;

  // (1) the chain
  let prev = ZERO_HASH;
  for (const [i, e] of events.entries()) {
    const where = `event ${i}`;
    if (!isObject(e) || !isObject(e.data) || !isObject(e.metadata)) {
      findings.push(`${where}: not an event (type, data and metadata)`);
      break;
    }
    const { hash, ...rest } = e.metadata;
    if (e.revision !== i) findings.push(`${where}: revision ${e.revision}, expected ${i} (an event is missing or out of order)`);
    if (e.streamName !== stream) findings.push(`${where}: stream ${e.streamName}, expected ${stream}`);
    if (rest.prevHash !== prev) findings.push(`${where}: prevHash does not match the previous event's hash`);
    const actual = sha256(canonicalJson({ streamName: e.streamName, revision: e.revision, type: e.type, data: e.data, metadata: rest }));
    if (actual !== hash) findings.push(`${where} (revision ${e.revision}, ${e.type}): hash does not match the event's content`);
    prev = typeof hash === 'string' ? hash : '';
  }

  // (2) the head names the last event
  const last = events.at(-1);
  if (!last) findings.push('the bundle holds no event');
  else {
    if (head.revision !== last.revision) findings.push(`the head is at revision ${head.revision}, the last event at ${last.revision} (events were added or dropped)`);
    if (head.hash !== last.metadata?.hash) findings.push('the head\'s hash is not the last event\'s');
    if (head.recordedAt !== last.metadata?.recordedAt) findings.push('the head\'s recordedAt is not the last event\'s');
  }
  if (isObject(bundle.manifest) && bundle.manifest.events !== events.length) {
    findings.push(`the manifest lists ${bundle.manifest.events} events, the bundle holds ${events.length}`);
  }

  // (3) the signature, against the key the auditor trusts
  let key;
  try {
    key = createPublicKey({ key: trustedPublicKeyPem, format: 'pem' });
  } catch {
    return [...findings, 'the trusted public key is not a PEM public key'];
  }
  const { consultationId, revision, hash, recordedAt, signedAt, signature } = head;
  let valid = false;
  try {
    const signed = Buffer.from(canonicalJson({ consultationId, revision, hash, recordedAt, signedAt }), 'utf8');
    valid = typeof signature === 'string' && verify(null, signed, key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) findings.push('the head\'s signature does not verify with the trusted public key');
  return findings;
}

/** The command line: prints each finding, or "ok", and exits 0, 1 or 2. */
export function main(argv) {
  const file = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--public-key');
  const at = argv.indexOf('--public-key');
  const keyFile = at >= 0 ? argv[at + 1] : undefined;
  if (!file) {
    console.error('usage: node verify-bundle.mjs BUNDLE.json --public-key KEY.pem');
    return 2;
  }
  if (!keyFile) {
    console.error('no trusted key: give --public-key KEY.pem (the key you fetched from GET /audit/public-key and kept); the bundle\'s own key proves nothing');
    return 2;
  }
  let bundle;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`${file}: ${error.message}`);
    return 1;
  }
  const findings = checkBundle(bundle, readFileSync(keyFile, 'utf8'));
  for (const f of findings) console.log(`FAILED  ${f}`);
  if (findings.length === 0) console.log(`ok      ${bundle.events.length} events chain, the head at revision ${bundle.head.revision} is signed by the trusted key`);
  return findings.length === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2));
