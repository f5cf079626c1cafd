// Bearer-token access: coordinators may do everything, auditors only read (GET, HEAD).
// Liveness, readiness and the API documentation are open. 401 without a token (UNAUTHENTICATED),
// with a bad, expired or too long-lived one (INVALID_TOKEN) or a revoked one (TOKEN_REVOKED);
// 403 for a role that may not do it. Tokens never reach the logs (the logger redacts the header).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RevokedTokens } from '../auth/revocations.ts';
import { checkToken, DEFAULT_TOKEN_MAX_LIFETIME_SECONDS, type Principal } from '../auth/tokens.ts';
import { HttpProblem } from './problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const OPEN = [/^\/healthz(\?|$)/, /^\/readyz(\?|$)/, /^\/docs(\/|\?|$)/];
const READ_METHODS = new Set(['GET', 'HEAD']);

/** What a token must satisfy beyond its signature. */
export interface AuthPolicy {
  /** the longest accepted lifetime (exp - iat) in seconds; default 30 days */
  maxLifetimeSeconds?: number;
  /** the revocation list (DATA_DIR/revoked-tokens); none: nothing is revoked */
  revoked?: RevokedTokens;
}

export function registerAuth(app: FastifyInstance, secret: string, policy: AuthPolicy = {}): void {
  const revoked = policy.revoked;
  const tokenPolicy = {
    maxLifetimeSeconds: policy.maxLifetimeSeconds ?? DEFAULT_TOKEN_MAX_LIFETIME_SECONDS,
    ...(revoked ? { isRevoked: (jti: string) => revoked.has(jti) } : {}),
  };
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (OPEN.some((re) => re.test(request.url))) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new HttpProblem(401, 'UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)');
    const result = await checkToken(secret, match[1]!, tokenPolicy);
    if (!result.ok) {
      request.log.info({ reason: result.detail }, 'bearer token refused');
      if (result.reason === 'revoked') throw new HttpProblem(401, 'TOKEN_REVOKED', 'the bearer token has been revoked');
      throw new HttpProblem(401, 'INVALID_TOKEN', 'the bearer token is invalid or expired');
    }
    const principal = result.principal;
    if (principal.role === 'auditor' && !READ_METHODS.has(request.method)) {
      throw new HttpProblem(403, 'FORBIDDEN', 'auditors may only read');
    }
    request.principal = principal;
  });
}

/** The signed-in principal of a request that passed the hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new HttpProblem(401, 'UNAUTHENTICATED', 'a bearer token is required');
  return request.principal;
}
