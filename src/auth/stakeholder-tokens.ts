// The stakeholder's tokens: its personal link and its reply and bounce addresses. Each names one
// consultation, one stakeholder and one contact, and is signed with a key derived for its purpose
// (keys.ts), never with the key of coordinator tokens. A token says only who it is for; what it
// still allows is judged against the consultation's state at each use (src/domain/link-access.ts),
// so nothing needs revoking or reissuing when a stakeholder is removed or a deadline moves.
//
// The link, PUBLIC_URL/r/<token>: a JWT (HS256, `jose`) with the stakeholder as `sub`, the
// consultation as `cid` and the contact as `ctc`; no `iat` or `exp` (the state decides), so a
// contact's link is the same in every message and preview.
//
// The reply address, reply+<token>@INBOUND_DOMAIN (and bounces+<token>@… for the envelope sender):
// a local part is at most 64 characters and some systems lowercase it, so the token is lowercase
// base32 of 32 bytes, after a version character (53 characters; "bounces+" makes 61):
//   consultation id (16 bytes, in full: it names the stream to read)
//   stakeholder hint (3 bytes) · contact hint (3 bytes): the first bytes of SHA-256 of their ids
//   tag (10 bytes): HMAC-SHA256 over the purpose and the three full ids, truncated to 80 bits.
// The hints find the stakeholder and contact in that consultation's state (current contacts and
// former ones); the tag proves the token was made here and picks the one candidate it was made for,
// should two share a hint. No lookup table is kept anywhere, so any replica decodes any token.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { ReadonlyState } from '../domain/consultation.ts';
import type { LinkSubject } from '../domain/link-access.ts';
import { base32Decode, base32Encode } from './base32.ts';
import { deriveKey } from './keys.ts';

export interface StakeholderTokenKeys {
  link: Uint8Array;
  replyAddress: Uint8Array;
}

/** The keys of both kinds of token, derived from AUTH_SECRET. */
export function stakeholderTokenKeys(secret: string): StakeholderTokenKeys {
  return { link: deriveKey(secret, 'stakeholderLink'), replyAddress: deriveKey(secret, 'replyAddress') };
}

/** A token that does not hold: bad signature or tag, malformed, made for another purpose. */
export interface Tampered {
  ok: false;
  reason: 'tampered';
  /** for the logs (never the token itself) */
  detail: string;
}

const tampered = (detail: string): Tampered => ({ ok: false, reason: 'tampered', detail });

// ---- the personal link ----

const ISSUER = 'wps-consult';
const LINK_AUDIENCE = 'stakeholder-link';
const LINK_TYPE = 'wps-link+jwt';
const LinkClaims = z.strictObject({
  iss: z.literal(ISSUER),
  aud: z.literal(LINK_AUDIENCE),
  sub: z.string().min(1),
  cid: z.uuid(),
  ctc: z.string().min(1),
});

export async function signLinkToken(keys: Pick<StakeholderTokenKeys, 'link'>, subject: LinkSubject): Promise<string> {
  return new SignJWT({ cid: subject.consultationId, ctc: subject.contactId })
    .setProtectedHeader({ alg: 'HS256', typ: LINK_TYPE })
    .setIssuer(ISSUER)
    .setAudience(LINK_AUDIENCE)
    .setSubject(subject.stakeholderId)
    .sign(keys.link);
}

/** Who a link token is for, or why it does not hold. Judge what it allows with linkAccess (src/domain/link-access.ts). */
export async function readLinkToken(
  keys: Pick<StakeholderTokenKeys, 'link'>,
  token: string,
): Promise<{ ok: true; subject: LinkSubject } | Tampered> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keys.link, { algorithms: ['HS256'], issuer: ISSUER, audience: LINK_AUDIENCE, typ: LINK_TYPE }));
  } catch (error) {
    if (error instanceof errors.JOSEError) return tampered(`link token: ${error.code}`);
    throw error;
  }
  const claims = LinkClaims.safeParse(payload);
  if (!claims.success) return tampered(`link token claims: ${claims.error.issues.map((i) => `${i.path.join('.') || '(token)'}: ${i.message}`).join('; ')}`);
  return { ok: true, subject: { consultationId: claims.data.cid, stakeholderId: claims.data.sub, contactId: claims.data.ctc } };
}

/** The personal link: PUBLIC_URL/r/<token>. */
export function personalLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/r/${encodeURIComponent(token)}`;
}

// ---- the reply and bounce addresses ----

/** `reply`: where a stakeholder's answer by e-mail goes (Reply-To); `bounces`: the envelope sender, where delivery reports go. */
export type AddressPurpose = 'reply' | 'bounces';

const VERSION = '1';
const ID_BYTES = 16;
const HINT_BYTES = 3;
const TAG_BYTES = 10;
const TOKEN_BYTES = ID_BYTES + 2 * HINT_BYTES + TAG_BYTES;
/** The token's length: its version character and base32 of 32 bytes. */
export const REPLY_TOKEN_LENGTH = VERSION.length + Math.ceil((TOKEN_BYTES * 8) / 5);
/** An e-mail address's local part is at most 64 characters (RFC 5321). */
export const MAX_LOCAL_PART = 64;

function uuidBytes(id: string): Buffer {
  if (!z.uuid().safeParse(id).success) throw new Error('a reply token names a consultation by its UUID');
  return Buffer.from(id.replaceAll('-', ''), 'hex');
}

function uuidOf(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hint(kind: 'stakeholder' | 'contact', id: string): Buffer {
  return createHash('sha256').update(`${kind}:${id}`).digest().subarray(0, HINT_BYTES);
}

function tag(keys: Pick<StakeholderTokenKeys, 'replyAddress'>, purpose: AddressPurpose, s: LinkSubject): Buffer {
  return createHmac('sha256', keys.replyAddress)
    .update(JSON.stringify([purpose, s.consultationId, s.stakeholderId, s.contactId]))
    .digest()
    .subarray(0, TAG_BYTES);
}

/** The token of a reply or bounce address: lowercase base32, REPLY_TOKEN_LENGTH characters. */
export function replyToken(keys: Pick<StakeholderTokenKeys, 'replyAddress'>, purpose: AddressPurpose, subject: LinkSubject): string {
  const bytes = Buffer.concat([
    uuidBytes(subject.consultationId),
    hint('stakeholder', subject.stakeholderId),
    hint('contact', subject.contactId),
    tag(keys, purpose, subject),
  ]);
  return VERSION + base32Encode(bytes);
}

/** `reply+<token>@domain` or `bounces+<token>@domain`. */
export function replyAddress(keys: Pick<StakeholderTokenKeys, 'replyAddress'>, purpose: AddressPurpose, subject: LinkSubject, domain: string): string {
  const local = `${purpose}+${replyToken(keys, purpose, subject)}`;
  if (local.length > MAX_LOCAL_PART) throw new Error(`local part of ${local.length} characters`); // never: 61 at most
  return `${local}@${domain}`;
}

/** A reply token taken apart (not yet checked: see resolveReplyToken). */
export interface ParsedReplyToken {
  purpose: AddressPurpose;
  consultationId: string;
  stakeholderHint: Buffer;
  contactHint: Buffer;
  tag: Buffer;
}

/**
 * The token of a recipient address `reply+<token>@…` or `bounces+<token>@…` (any case, the domain
 * not checked here), taken apart; tampered when it is not one.
 */
export function parseReplyAddress(address: string): { ok: true; token: ParsedReplyToken } | Tampered {
  const m = /^(reply|bounces)\+([^@]+)@[^@]+$/.exec(address.trim().toLowerCase());
  if (!m) return tampered('not a reply+ or bounces+ address');
  return parseReplyToken(m[1] as AddressPurpose, m[2]!);
}

export function parseReplyToken(purpose: AddressPurpose, token: string): { ok: true; token: ParsedReplyToken } | Tampered {
  const text = token.toLowerCase();
  if (text.length !== REPLY_TOKEN_LENGTH || !text.startsWith(VERSION)) return tampered('not a reply token of this version');
  const bytes = base32Decode(text.slice(VERSION.length));
  if (!bytes || bytes.length !== TOKEN_BYTES) return tampered('not base32');
  const b = Buffer.from(bytes);
  let at = 0;
  const take = (n: number) => b.subarray(at, (at += n));
  return {
    ok: true,
    token: { purpose, consultationId: uuidOf(take(ID_BYTES)), stakeholderHint: take(HINT_BYTES), contactHint: take(HINT_BYTES), tag: take(TAG_BYTES) },
  };
}

/**
 * Who a parsed reply token is for, found in the state of the consultation it names (read that
 * consultation's stream: `token.consultationId`). A former contact of the stakeholder resolves too
 * (a late bounce is still attributed); linkAccess then says it is revoked. Tampered when no
 * stakeholder and contact of this consultation carry the token's tag.
 */
export function resolveReplyToken(
  keys: Pick<StakeholderTokenKeys, 'replyAddress'>,
  token: ParsedReplyToken,
  state: ReadonlyState,
): { ok: true; subject: LinkSubject } | Tampered {
  if (state.id !== token.consultationId) return tampered('no such consultation');
  for (const x of state.stakeholders.values()) {
    if (!hint('stakeholder', x.id).equals(token.stakeholderHint)) continue;
    for (const contactId of [...x.contacts.map((c) => c.contactId), ...x.formerContactIds]) {
      if (!hint('contact', contactId).equals(token.contactHint)) continue;
      const subject = { consultationId: token.consultationId, stakeholderId: x.id, contactId };
      if (timingSafeEqual(tag(keys, token.purpose, subject), token.tag)) return { ok: true, subject };
    }
  }
  return tampered('no stakeholder and contact of this consultation carry this tag');
}
