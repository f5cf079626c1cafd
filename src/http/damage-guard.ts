// A consultation whose history is damaged (src/audit/damage.ts) is refused over HTTP: every route
// under /consultations/:id answers 503 HISTORY_DAMAGED (problem+json, `details`: streamName,
// revision, reason) before its handler runs, whatever the method, so nothing is read from or
// appended to it. The consultations list flags it instead of hiding it; /healthz lists them all.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HistoryDamagedError, type Damage, type DamageRegistry } from '../audit/damage.ts';

/** Registered once, after authentication (a caller without a token learns nothing about damage). */
export function registerDamageGuard(app: FastifyInstance, damage: DamageRegistry): void {
  app.addHook('onRequest', async (request) => {
    if (damage.size === 0 || !request.routeOptions.url?.startsWith('/consultations/:id')) return;
    const id = (request.params as { id?: unknown } | undefined)?.id;
    const found = typeof id === 'string' ? damage.get(id) : undefined;
    if (found) throw new HistoryDamagedError(id as string, found);
  });
}

/** One damaged consultation, as /healthz lists it. */
export const DamageHealth = z.object({
  consultationId: z.string(),
  streamName: z.string(),
  revision: z.number().int().describe('the first revision that does not hold (where an event is missing, the one expected there)'),
  reason: z.string(),
  detectedBy: z.enum(['handler', 'projections', 'verifier']),
  detectedAt: z.string(),
});

/** What the consultations list says of a damaged one (its summary stops before the damage). */
export const DamagedFlag = z.object({
  revision: z.number().int(),
  reason: z.string(),
  detectedAt: z.string(),
}).describe('present only when the consultation\'s history is damaged: its other routes answer 503 HISTORY_DAMAGED and the summary shows it as it was before that revision');

/** Adds `damaged` to the list entries of damaged consultations. */
export function flagDamaged<T extends { id: string }>(entries: T[], damage: DamageRegistry): (T & { damaged?: z.infer<typeof DamagedFlag> })[] {
  if (damage.size === 0) return entries;
  return entries.map((entry) => {
    const found: Damage | undefined = damage.get(entry.id);
    return found ? { ...entry, damaged: { revision: found.revision, reason: found.reason, detectedAt: found.detectedAt } } : entry;
  });
}
