// Bearer tokens for coordinators and auditors: JWTs signed with HS256 by `jose` (no hand-rolled
// crypto), carrying the role and the subject (a person's name or id, recorded as the actor).
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export const Role = z.enum(['coordinator', 'auditor']);
export type Role = z.infer<typeof Role>;

export interface Principal {
  role: Role;
  subject: string;
}

const ISSUER = 'wps-consult';
const Claims = z.object({ role: Role, sub: z.string().min(1) });

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function issueToken(secret: string, principal: Principal, options: { expiresIn?: string } = {}): Promise<string> {
  return new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.subject)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '90d')
    .sign(key(secret));
}

/** The principal of a valid token, or null for a bad, expired or foreign one. */
export async function verifyToken(secret: string, token: string): Promise<Principal | null> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    const claims = Claims.safeParse(payload);
    return claims.success ? { role: claims.data.role, subject: claims.data.sub } : null;
  } catch {
    return null;
  }
}
