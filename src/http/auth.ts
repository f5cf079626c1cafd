// Bearer-token access for the API's routes: coordinators may do everything, auditors only read
// (GET, HEAD). 401 without a token (UNAUTHENTICATED), with a bad, expired or too long-lived one
// (INVALID_TOKEN) or a revoked one (TOKEN_REVOKED); 403 for a role that may not do it. A verified
// token is kept until its exp (token-cache.ts); its jti is looked up in the revocation list on every
// request, a kept one's too. The hook is
// registered inside the API plugin only: liveness, readiness and the documentation are open, and a
// later plugin (pages reached by a signed link) brings its own. Tokens never reach the logs (no
// header is logged, and a query string only by its allow-listed names: see request-log.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RevokedTokens } from '../auth/revocations.ts';
import { VerifiedTokenCache } from '../auth/token-cache.ts';
import { checkToken, DEFAULT_TOKEN_MAX_LIFETIME_SECONDS, type Principal } from '../auth/tokens.ts';
import { AppError } from '../errors/catalogue.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/** What a token must satisfy beyond its signature. */
export interface AuthPolicy {
  /** the longest accepted lifetime (exp - iat) in seconds; default 30 days */
  maxLifetimeSeconds?: number;
  /** the revocation list (DATA_DIR/revoked-tokens); none: nothing is revoked */
  revoked?: RevokedTokens;
  /** the tokens verified already (default: one of its own, 1,000 tokens at most) */
  verified?: VerifiedTokenCache;
  /** the time in ms tokens are checked against (default: Date.now); the cache given must share it */
  clock?: () => number;
}

export function registerAuth(app: FastifyInstance, secret: string, policy: AuthPolicy = {}): void {
  const revoked = policy.revoked;
  const clock = policy.clock;
  const maxLifetimeSeconds = policy.maxLifetimeSeconds ?? DEFAULT_TOKEN_MAX_LIFETIME_SECONDS;
  const verified = policy.verified ?? new VerifiedTokenCache(clock ? { clock } : {});
  const refuse = (request: FastifyRequest, reason: 'invalid' | 'revoked', detail: string): never => {
    request.log.info({ reason: detail }, 'bearer token refused');
    if (reason === 'revoked') throw new AppError('TOKEN_REVOKED', 'the bearer token has been revoked');
    throw new AppError('INVALID_TOKEN', 'the bearer token is invalid or expired');
  };
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new AppError('UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)');
    const token = match[1]!;
    let principal = verified.get(token);
    if (!principal) {
      const result = await checkToken(secret, token, { maxLifetimeSeconds, ...(clock ? { now: new Date(clock()) } : {}) });
      if (!result.ok) return refuse(request, result.reason, result.detail);
      verified.set(token, result.principal, result.exp);
      principal = result.principal;
    }
    // on every request, a cached token too: a revocation takes effect at the list's next re-read
    if (revoked && (await revoked.has(principal.jti))) return refuse(request, 'revoked', `token ${principal.jti} is revoked`);
    if (principal.role === 'auditor' && !READ_METHODS.has(request.method)) {
      throw new AppError('FORBIDDEN', 'auditors may only read');
    }
    request.principal = principal;
  });
}

/** The signed-in principal of a request that passed the hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'a bearer token is required');
  return request.principal;
}
