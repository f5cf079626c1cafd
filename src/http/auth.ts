// Bearer-token access for the API's routes: coordinators may do everything, auditors only read
// (GET, HEAD). 401 without or with a bad token, 403 for a role that may not do it. The hook is
// registered inside the API plugin only: liveness, readiness and the documentation are open, and a
// later plugin (pages reached by a signed link) brings its own. Tokens never reach the logs (no
// header is logged, and a query string only by its allow-listed names: see request-log.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyToken, type Principal } from '../auth/tokens.ts';
import { AppError } from '../errors/catalogue.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);

export function registerAuth(app: FastifyInstance, secret: string): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new AppError('UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)');
    const principal = await verifyToken(secret, match[1]!);
    if (!principal) throw new AppError('INVALID_TOKEN', 'the bearer token is invalid or expired');
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
