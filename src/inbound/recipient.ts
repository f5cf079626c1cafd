// Which inbound recipients are taken: reply+<token>@INBOUND_DOMAIN and bounces+<token>@INBOUND_DOMAIN
// whose token holds against the consultation it names (its signature, then what it still allows,
// judged on the current state: src/domain/link-access.ts). A reply address allows while the link
// would (full or read-only access: whether the reply counts, or is held, is the command's to say);
// a bounce address also while the contact or the stakeholder is gone (a late report about a message
// sent to them is still recorded), not once expired. Everything else is refused at RCPT time.
import { parseReplyAddress, resolveReplyToken, type AddressPurpose, type StakeholderTokenKeys } from '../auth/stakeholder-tokens.ts';
import type { ReadonlyState } from '../domain/consultation.ts';
import { linkAccess, type LinkSubject } from '../domain/link-access.ts';

export interface Recipient {
  purpose: AddressPurpose;
  subject: LinkSubject;
}

export type RecipientCheck =
  | { ok: true; recipient: Recipient }
  /** `reason` is for the logs (it never holds the token) */
  | { ok: false; reason: string };

export interface RecipientRules {
  domain: string;
  keys: Pick<StakeholderTokenKeys, 'replyAddress'>;
  load(consultationId: string): Promise<ReadonlyState>;
}

/** Whether mail for `address` is taken at `now`; a failure to read the store is thrown (a temporary refusal). */
export async function checkRecipient(rules: RecipientRules, address: string, now: string): Promise<RecipientCheck> {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== rules.domain.toLowerCase()) return { ok: false, reason: 'not this server\'s domain' };
  const parsed = parseReplyAddress(address);
  if (!parsed.ok) return { ok: false, reason: parsed.detail };
  const state = await rules.load(parsed.token.consultationId);
  const resolved = resolveReplyToken(rules.keys, parsed.token, state);
  if (!resolved.ok) return { ok: false, reason: resolved.detail };
  const access = linkAccess(state, resolved.subject, now);
  const purpose = parsed.token.purpose;
  if (!access.ok && !(purpose === 'bounces' && access.reason === 'revoked')) return { ok: false, reason: `${access.reason}: ${access.detail}` };
  return { ok: true, recipient: { purpose, subject: resolved.subject } };
}
