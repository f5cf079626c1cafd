// Serving views: 404 for a consultation the views do not know, a weak ETag per representation
// (If-None-Match → 304 is answered for every GET by the hook in app.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConsultationView, DocReader, Projection } from '../projections/projection.ts';
import { DomainError } from '../domain/errors.ts';
import type { HttpContext } from './context.ts';

/** One consultation's view as the last commit holds it, with the stream revision it reflects; 404 when the view does not know it. */
export async function readConsultation<V>(
  ctx: HttpContext, projection: Projection & ConsultationView<V>, consultationId: string,
  source?: { reader(p: Projection): DocReader; now(): string },
): Promise<{ view: V; lastRevision: number; stale: boolean }> {
  const slot = source
    ? await projection.read(source.reader(projection), consultationId, source.now())
    : await projection.read(ctx.runner.reader(projection), consultationId, requestTime(ctx));
  if (!slot) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${consultationId}`);
  return slot;
}

/** The time of the request, as the views read it: the context's clock (the command handler's). */
export function requestTime(ctx: HttpContext): string {
  return ctx.clock().toISOString();
}

/** The field a view's response gains while a new version of the view builds (its reads serve the previous version's documents). */
export const Stale = {
  stale: z.literal(true).optional().describe('present while a new version of this view builds: this is what the previous version holds; absent otherwise'),
};

/** `{ stale: true }` for a stale read, else nothing. */
export function staleMark(slot: { stale: boolean }): { stale?: true } {
  return slot.stale ? { stale: true } : {};
}

/** The view's ETag; a stale read's differs from the fresh one's at the same revision, so a cache does not keep the stale answer. */
export function setEtag(reply: FastifyReply, tag: string, slot?: { stale: boolean }): void {
  reply.header('etag', `W/"${slot?.stale ? 'stale-' : ''}${tag}"`);
}

/** True when If-None-Match names the ETag the reply carries. */
export function matchesIfNoneMatch(request: FastifyRequest, etag: string): boolean {
  const inm = request.headers['if-none-match'];
  return typeof inm === 'string' && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*');
}
