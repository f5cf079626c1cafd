// Bearer-token access: coordinators may do everything, auditors only read (GET, HEAD).
// Liveness, readiness and the API documentation are open. 401 without or with a bad token,
// 403 for a role that may not do it. Tokens never reach the logs (the logger redacts the header).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyToken, type Principal } from '../auth/tokens.ts';
import { HttpProblem } from './problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const OPEN = [/^\/healthz(\?|$)/, /^\/readyz(\?|$)/, /^\/docs(\/|\?|$)/];
const READ_METHODS = new Set(['GET', 'HEAD']);

export function registerAuth(app: FastifyInstance, secret: string): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (OPEN.some((re) => re.test(request.url))) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new HttpProblem(401, 'UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)');
    const principal = await verifyToken(secret, match[1]!);
    if (!principal) throw new HttpProblem(401, 'INVALID_TOKEN', 'the bearer token is invalid or expired');
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
