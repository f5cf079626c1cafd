// Runs a domain command for an HTTP request: the Idempotency-Key header becomes the command id (a
// retried request returns the first result and appends nothing; the same key with another body is
// 422 COMMAND_ID_REUSED), If-Match: "<revision>" makes a stale request fail with 412 instead of
// being decided again, and the response is sent only once every view reflects the command.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { CommandDefinition } from '../commands/command.ts';
import type { CommandResult } from '../commands/handler.ts';
import type { Actor } from '../domain/schemas.ts';
import { principalOf } from './auth.ts';
import type { HttpContext } from './context.ts';
import { AppError } from '../errors/catalogue.ts';

const KEY = /^[\x21-\x7e]{1,200}$/;

/** The Idempotency-Key header, validated, or undefined. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new AppError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
  }
  return key;
}

/** If-Match: "<revision>" (a weak W/ prefix is accepted), or undefined. */
export function expectedRevision(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const m = typeof header === 'string' ? /^\s*(?:W\/)?"(-1|\d{1,15})"\s*$/.exec(header) : null;
  if (!m) throw new AppError('INVALID_IF_MATCH', 'If-Match must be a revision in quotes, as in the ETag: "12"');
  return Number(m[1]);
}

/**
 * A write was refused (a full disk, an I/O error): until a probe write succeeds, refuse at once
 * rather than try again. What a smaller write might still squeeze into SQLite's slack would make
 * /readyz (not ready) and the answers disagree, and a retry with the same key is safe.
 */
export function requireWritable(ctx: Pick<HttpContext, 'writes'>): void {
  if (!ctx.writes.writable) throw new AppError('EVENT_STORE_UNAVAILABLE', 'the event store refuses writes; retry with the same Idempotency-Key');
}

export interface RunOptions<S extends z.ZodType> {
  consultationId: string;
  command: CommandDefinition<S>;
  input: unknown;
  /** overrides the command id (bulk requests derive one per row from the key) */
  commandId?: string;
  /** overrides If-Match: null runs the command unconditionally (a bulk request checks If-Match once, up front) */
  expectedRevision?: number | null;
  /** who gives it, where no bearer token says (the reply page: the stakeholder its link names) */
  actor?: Actor;
}

export async function runCommand<S extends z.ZodType>(
  ctx: HttpContext,
  request: FastifyRequest,
  reply: FastifyReply,
  options: RunOptions<S>,
): Promise<CommandResult> {
  if (!ctx.runner.caughtUpOnce) {
    // its response could not show the command in the views: refuse it before anything is appended
    throw new AppError('VIEWS_REBUILDING', 'the views are still catching up with the event store since the server started; retry shortly');
  }
  requireWritable(ctx);
  const actor = options.actor ?? (({ role, subject }) => ({ role, id: subject }))(principalOf(request));
  const expected = options.expectedRevision === undefined ? expectedRevision(request) : options.expectedRevision ?? undefined;
  const result = await ctx.handler.execute(options.command, {
    consultationId: options.consultationId,
    commandId: options.commandId ?? idempotencyKey(request) ?? randomUUID(),
    actor,
    input: options.input,
    ...(expected !== undefined ? { expectedRevision: expected } : {}),
  });
  await ctx.runner.waitFor(result.position, ctx.readYourWritesMs);
  reply.header('etag', `"${result.revision}"`);
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return result;
}
