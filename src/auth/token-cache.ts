// Bearer tokens already verified, so that a client sending many requests with one token does not
// pay the signature check (jose, WebCrypto HMAC) and the claims' parse on each. Keyed by the whole
// token string (two tokens that differ anywhere are two entries); an entry is dropped once the
// token's exp has passed by this server's clock (a later request verifies it again and is refused);
// at most `maxEntries` are kept, the least recently used dropped first. Revocation is not cached:
// the caller checks the token's jti against the list on every request, hit or miss (src/http/auth.ts).
import type { Principal } from './tokens.ts';

interface Entry {
  principal: Principal;
  /** the token's exp, in ms */
  expiresAtMs: number;
}

export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly clock: () => number;

  constructor(options: { maxEntries?: number; clock?: () => number } = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.clock = options.clock ?? Date.now;
    if (!(Number.isSafeInteger(this.maxEntries) && this.maxEntries > 0)) throw new RangeError(`maxEntries must be a positive integer, got ${this.maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The principal of a token verified before and not expired since, or undefined. */
  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (this.clock() >= entry.expiresAtMs) return undefined;
    this.entries.set(token, entry); // the most recently used last
    return entry.principal;
  }

  /** Keeps a token that has just been verified, until its exp (`expSeconds`, the claim); one already past it is not kept. */
  set(token: string, principal: Principal, expSeconds: number): void {
    const expiresAtMs = expSeconds * 1000;
    if (this.clock() >= expiresAtMs) return; // accepted within the clock skew only: verified again each time
    this.entries.delete(token);
    this.entries.set(token, { principal, expiresAtMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
