// Bearer tokens for coordinators and auditors: JWTs signed with HS256 by `jose` (no hand-rolled
// crypto), carrying the role, the subject (a person's name or id, recorded as the actor), an id
// (`jti`, so that one token can be revoked) and a bounded lifetime (`iat` and `exp` both required).
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { Actor } from '../domain/schemas.ts';
import { formatDuration } from '../config/duration.ts';

export const Role = z.enum(['coordinator', 'auditor']);
export type Role = z.infer<typeof Role>;

export interface Principal {
  role: Role;
  subject: string;
  /** the token's id, for revocation and for the logs */
  jti: string;
}

/** TOKEN_MAX_LIFETIME's default: 30 days. */
export const DEFAULT_TOKEN_MAX_LIFETIME_SECONDS = 30 * 86_400;
/** How far a token's `iat` may lie ahead of this server's clock (and `exp` behind it). */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

const ISSUER = 'wps-consult';
/**
 * The subject becomes the actor id of every event the token causes, so it is checked as one, and it
 * must already be in the form that schema gives (no CR to normalise, no spaces to trim): a signed
 * claim is taken as it is or refused, never rewritten.
 */
export const TokenSubject = z.string().refine((sub) => {
  const parsed = Actor.shape.id.safeParse(sub);
  return parsed.success && parsed.data === sub;
}, 'a valid actor id: one line, not empty, at most 200 characters, no surrounding spaces');
const Claims = z.strictObject({
  iss: z.literal(ISSUER),
  sub: TokenSubject,
  role: Role,
  jti: z.uuid(),
  iat: z.number().int(),
  exp: z.number().int(),
});

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

/** Signs a token for `who` that lives `lifetimeSeconds` (default 30 days) from `now`. Throws on a subject the server would refuse. */
export async function mintToken(
  secret: string,
  who: Pick<Principal, 'role' | 'subject'>,
  options: { lifetimeSeconds?: number; now?: Date } = {},
): Promise<IssuedToken> {
  const subject = TokenSubject.safeParse(who.subject);
  if (!subject.success) throw new Error(`not a valid subject: ${subject.error.issues.map((i) => i.message).join('; ')}`);
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const exp = iat + (options.lifetimeSeconds ?? DEFAULT_TOKEN_MAX_LIFETIME_SECONDS);
  const jti = randomUUID();
  const token = await new SignJWT({ role: who.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject.data)
    .setIssuer(ISSUER)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key(secret));
  return { token, jti, expiresAt: new Date(exp * 1000) };
}

/** A signed token string (see mintToken). */
export async function issueToken(secret: string, who: Pick<Principal, 'role' | 'subject'>, options: { lifetimeSeconds?: number } = {}): Promise<string> {
  return (await mintToken(secret, who, options)).token;
}

export interface TokenPolicy {
  /** the longest accepted exp - iat, in seconds (TOKEN_MAX_LIFETIME) */
  maxLifetimeSeconds: number;
  /** whether a token id has been revoked */
  isRevoked?: (jti: string) => boolean | Promise<boolean>;
  /** the time to check against (default: now) */
  now?: Date;
}

export type TokenCheck =
  /** `exp`: the token's expiry (seconds since the epoch), for a cache of verified tokens */
  | { ok: true; principal: Principal; exp: number }
  /** `detail` says why, for the logs (never the token itself) */
  | { ok: false; reason: 'invalid' | 'revoked'; detail: string };

/** Checks signature, issuer, iat (present, not in the future), exp (present, not past), the lifetime, the claims' shapes and revocation. */
export async function checkToken(secret: string, token: string, policy: TokenPolicy): Promise<TokenCheck> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key(secret), {
      issuer: ISSUER,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      // with maxTokenAge jose also refuses an iat further ahead than the tolerance
      maxTokenAge: policy.maxLifetimeSeconds,
      clockTolerance: TOKEN_CLOCK_SKEW_SECONDS,
      ...(policy.now ? { currentDate: policy.now } : {}),
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError) return { ok: false, reason: 'invalid', detail: error.message };
    throw error;
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) {
    return { ok: false, reason: 'invalid', detail: `claims: ${claims.error.issues.map((i) => `${i.path.join('.') || '(token)'}: ${i.message}`).join('; ')}` };
  }
  const { sub, role, jti, iat, exp } = claims.data;
  if (exp - iat > policy.maxLifetimeSeconds) {
    return { ok: false, reason: 'invalid', detail: `lifetime ${formatDuration(exp - iat)} is longer than TOKEN_MAX_LIFETIME (${formatDuration(policy.maxLifetimeSeconds)})` };
  }
  if (policy.isRevoked && (await policy.isRevoked(jti))) return { ok: false, reason: 'revoked', detail: `token ${jti} is revoked` };
  return { ok: true, principal: { role, subject: sub, jti }, exp };
}

/** The principal of a valid token, or null for a bad, expired, revoked or foreign one (default lifetime bound: 30 days). */
export async function verifyToken(secret: string, token: string, policy: TokenPolicy = { maxLifetimeSeconds: DEFAULT_TOKEN_MAX_LIFETIME_SECONDS }): Promise<Principal | null> {
  const result = await checkToken(secret, token, policy);
  return result.ok ? result.principal : null;
}
