// What auditors keep to prove later that nothing was altered: a consultation's signed head
// (src/audit/heads.ts), and the public key it verifies with, served openly (it is public).
import { z } from 'zod';
import { bundleText, exportBundle } from '../../audit/export.ts';
import { headAt, SignedHead, signHead } from '../../audit/heads.ts';
import { HistoryDamagedError } from '../../audit/damage.ts';
import { verifyStream } from '../../audit/hash-chain.ts';
import { streamNameFor } from '../../domain/stream-name.ts';
import { DomainError } from '../../domain/errors.ts';
import type { App, HttpContext, ResourcePlugin } from '../context.ts';
import { ConsultationParams, INTERNAL_ERROR, problem, readErrors } from '../schemas.ts';
import { principalOf } from '../auth.ts';
import { AppError } from '../../errors/catalogue.ts';

export const auditRoutes: ResourcePlugin = async (app, { ctx }) => {
  app.get('/consultations/:id/head', {
    schema: {
      operationId: 'getHead',
      tags: ['audit'],
      summary: 'The consultation\'s head (its last event\'s revision, hash and time), signed by the server',
      description: 'Keep it: `consult verify --expect` later reports a history that no longer reaches it (a cut-off tail, or a '
        + 'rewritten history with a valid chain of its own). The signature is Ed25519 over the RFC 8785 canonical JSON of the other '
        + 'five fields; the key is served at `GET /audit/public-key`. The whole chain is verified before signing: a damaged history is '
        + 'answered 503 `HISTORY_DAMAGED`, never signed.',
      params: ConsultationParams,
      response: { 200: SignedHead, ...readErrors },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    // the whole chain is walked first: the server's key never vouches for a history that does not hold
    const chain = await verifyStream(ctx.store, streamNameFor(id));
    if (chain.events === 0) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${id}`);
    if (!chain.ok) {
      const site = { streamName: chain.streamName, revision: chain.revision, reason: chain.reason };
      ctx.damage.mark(id, { ...site, detectedBy: 'verifier' });
      throw new HistoryDamagedError(id, site);
    }
    const head = await headAt(ctx.store, id, chain.events - 1);
    if (!head || head.hash !== chain.lastHash) throw new DomainError('CONSULTATION_NOT_FOUND', `no event at revision ${chain.events - 1}`);
    reply.header('cache-control', 'no-store');
    return signHead(ctx.auditKey.privateKey, head, ctx.clock());
  });
};

/** The export route: in the API (bearer auth: coordinators and auditors). */
export const exportRoutes: ResourcePlugin = async (app, { ctx }) => {
  app.get('/consultations/:id/export', {
    schema: {
      operationId: 'exportConsultation',
      tags: ['audit'],
      summary: 'The consultation\'s verifiable bundle: every event as stored, the signed head, the public key, the views at the head',
      description: 'One indented JSON file (`Content-Disposition: attachment`) to take away and check elsewhere: '
        + '`node verifier/verify-bundle.mjs FILE --public-key KEY.pem` with Node alone (the chain, the head, its signature), or '
        + '`npx consult verify --bundle FILE --public-key KEY.pem`, which also replays the views. A damaged history is answered 503 '
        + '`HISTORY_DAMAGED`, never exported as signed.',
      params: ConsultationParams,
      querystring: z.strictObject({
        include: z.literal('personal').optional()
          .describe('coordinators only: adds a `personal` section with the decrypted personal values, outside what the chain and the head cover (views in the bundle always show them by key id)'),
      }),
      response: { 200: z.unknown().describe('the bundle (see the README: format wps-consult-export/1)'), ...readErrors, 403: problem('FORBIDDEN: only coordinators may ask for `include=personal`') },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const includePersonal = request.query.include === 'personal';
    if (includePersonal && principalOf(request).role !== 'coordinator') throw new AppError('FORBIDDEN', 'only coordinators may export personal data');
    let bundle;
    try {
      bundle = await exportBundle(ctx.store, id, ctx.auditKey, ctx.clock(), { includePersonal });
    } catch (error) {
      if (error instanceof HistoryDamagedError) ctx.damage.mark(id, { ...error.site, detectedBy: 'verifier' });
      throw error;
    }
    reply.header('cache-control', 'no-store');
    reply.header('content-disposition', `attachment; filename="consultation-${id}.json"`);
    reply.type('application/json; charset=utf-8');
    return bundleText(bundle); // a string: sent as it is, indented for a person to read
  });
};

/** GET /audit/public-key: open, like the health checks; PEM (SPKI) text. */
export function publicKeyRoute(app: App, ctx: Pick<HttpContext, 'auditKey'>): void {
  app.get('/audit/public-key', {
    schema: {
      operationId: 'getAuditPublicKey',
      tags: ['audit'],
      summary: 'The Ed25519 public key (SPKI PEM) that signed heads and export bundles verify with',
      description: 'Open: it is public. An auditor fetches it once, keeps it, and passes it to `consult verify --public-key`.',
      security: [], // open: no token needed
      response: {
        200: z.string().describe('PEM text'),
        400: problem('BAD_REQUEST: the HTTP parser could not read the request (bad header bytes, say)'),
        500: INTERNAL_ERROR,
      },
    },
  }, async (_request, reply) => {
    reply.type('application/x-pem-file');
    return ctx.auditKey.publicKeyPem;
  });
}
