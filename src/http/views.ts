// Serving views: 404 for a consultation the views do not know, a weak ETag per representation
// (If-None-Match → 304 is answered for every GET by the hook in app.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PerConsultationView } from '../projections/projection.ts';
import { DomainError } from '../domain/errors.ts';

export function consultationSlot<T>(view: PerConsultationView<T>, consultationId: string): { view: T; lastRevision: number } {
  const slot = view.consultations.find((s) => s.consultationId === consultationId);
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
