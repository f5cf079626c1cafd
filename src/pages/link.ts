// What a personal link allows at this request: the token module says who it is for (or that it
// does not hold), linkAccess judges it against the consultation's state now. Nothing here
// restates either rule.
import { createHash } from 'node:crypto';
import { readLinkToken } from '../auth/stakeholder-tokens.ts';
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';
import { linkAccess, type LinkSubject } from '../domain/link-access.ts';
import type { HttpContext } from '../http/context.ts';

export type LinkUse =
  | { ok: true; subject: LinkSubject; state: ReadonlyState; stakeholder: ReadonlyStakeholder; access: 'full' | 'read-only'; until: string | null }
  /** expired or revoked: the signature holds, so the page knows whose link it was (and may offer to ask for a new one) */
  | { ok: false; reason: 'expired' | 'revoked'; detail: string; subject: LinkSubject; state: ReadonlyState; stakeholder: ReadonlyStakeholder | null }
  /** the signature or format does not hold, or it names no consultation of ours: nothing is known of it */
  | { ok: false; reason: 'tampered'; detail: string };

/** A token as the logs and the rate limiter may name it: a hash, never the token. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}

export async function useLink(ctx: HttpContext, token: string): Promise<LinkUse> {
  const read = await readLinkToken(ctx.mail.keys, token);
  if (!read.ok) return { ok: false, reason: 'tampered', detail: read.detail };
  const { subject } = read;
  const state = await ctx.handler.load(subject.consultationId);
  const access = linkAccess(state, subject, ctx.clock().toISOString());
  if (!access.ok) {
    if (access.reason === 'wrong-consultation') return { ok: false, reason: 'tampered', detail: access.detail };
    return { ok: false, reason: access.reason, detail: access.detail, subject, state, stakeholder: state.stakeholders.get(subject.stakeholderId) ?? null };
  }
  const stakeholder = state.stakeholders.get(subject.stakeholderId)!; // linkAccess found it
  return { ok: true, subject, state, stakeholder, access: access.access, until: access.until };
}
