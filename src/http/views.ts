// Serving views: 404 for a consultation the views do not know, a weak ETag per representation
// (If-None-Match → 304 is answered for every GET by the hook in app.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsultationView, Projection } from '../projections/projection.ts';
import { DomainError } from '../domain/errors.ts';
import type { HttpContext } from './context.ts';

/** One consultation's view as the last commit holds it, with the stream revision it reflects; 404 when the view does not know it. */
export async function readConsultation<V>(ctx: HttpContext, projection: Projection & ConsultationView<V>, consultationId: string): Promise<{ view: V; lastRevision: number }> {
  const slot = await projection.read(ctx.runner.reader(projection), consultationId);
  if (!slot) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${consultationId}`);
  return slot;
}

export function setEtag(reply: FastifyReply, tag: string): void {
  reply.header('etag', `W/"${tag}"`);
}

/** True when If-None-Match names the ETag the reply carries. */
export function matchesIfNoneMatch(request: FastifyRequest, etag: string): boolean {
  const inm = request.headers['if-none-match'];
  return typeof inm === 'string' && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*');
}
