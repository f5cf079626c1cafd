// The routes that share one shape: path parameters and a body checked by their zod schemas (the
// body is the command's own schema, or built from it), run the command (Idempotency-Key, If-Match,
// read-your-writes: see run-command.ts), answer 200 { revision } or, for a command that creates
// something, 201 with its Location. The OpenAPI document is generated from the same schemas; each
// route names its operation (`operationId`), so a new one cannot be left for a generator to name.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { CommandDefinition } from '../commands/command.ts';
import type { CommandResult } from '../commands/handler.ts';
import type { App, HttpContext } from './context.ts';
import { runCommand } from './run-command.ts';
import { COMMAND_HEADERS, CommandAck, commandErrors, problem } from './schemas.ts';

/** A request after validation: what the schemas produced. */
export interface Checked<P, B, Q> {
  params: P;
  body: B;
  query: Q;
}

export interface Created<R> {
  location: string;
  body: R;
}

export interface CommandRouteSpec<
  P extends z.ZodType<Record<string, unknown>>,
  B extends z.ZodType,
  Q extends z.ZodType,
  S extends z.ZodType,
  C extends z.ZodType,
> {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /**
   * The operation's name in the OpenAPI document, which client generators turn into a method name:
   * the command's verb phrase (`submitComment`). Stable: renaming it breaks generated clients.
   */
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  params?: P;
  body: B;
  querystring?: Q;
  command: CommandDefinition<S>;
  /** a body limit of the route's own (bytes) instead of the server's (1 MiB), with what the 413 answer says */
  bodyLimit?: { bytes: number; described: string };
  /** the command's input (the handler parses it with the command's schema); default: the body */
  input?: (request: Checked<z.output<P>, z.output<B>, z.output<Q>>) => unknown;
  /** the consultation the command is for; default: the `id` path parameter */
  consultationId?: (request: Checked<z.output<P>, z.output<B>, z.output<Q>>, raw: FastifyRequest) => string;
  /** a command that creates something answers 201 with its Location and this body (else 200 { revision }) */
  created?: {
    schema: C;
    answer(result: CommandResult, request: Checked<z.output<P>, z.output<B>, z.output<Q>>): Created<z.output<C>>;
  };
}

export function commandRoute<
  P extends z.ZodType<Record<string, unknown>>,
  B extends z.ZodType,
  Q extends z.ZodType,
  S extends z.ZodType,
  C extends z.ZodType,
>(app: App, ctx: HttpContext, spec: CommandRouteSpec<P, B, Q, S, C>): void {
  const errors = spec.bodyLimit ? { ...commandErrors, 413: problem(`BODY_TOO_LARGE (${spec.bodyLimit.described})`) } : commandErrors;
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit.bytes } : {}),
    schema: {
      operationId: spec.operationId,
      tags: spec.tags,
      summary: spec.summary,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.querystring ? { querystring: spec.querystring } : {}),
      headers: COMMAND_HEADERS,
      body: spec.body,
      response: spec.created
        ? { 201: json('created: what it created and the consultation\'s revision; Location names it', spec.created.schema), ...errors }
        : { 200: json('done, or nothing to do (then nothing is appended): the consultation\'s revision', CommandAck), ...errors },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      // Fastify validated (and transformed) params, body and query with exactly these schemas
      const checked = { params: request.params, body: request.body, query: request.query } as Checked<z.output<P>, z.output<B>, z.output<Q>>;
      const consultationId = spec.consultationId ? spec.consultationId(checked, request) : String(checked.params['id']);
      const input = spec.input ? spec.input(checked) : checked.body;
      const result = await runCommand(ctx, request, reply, { consultationId, command: spec.command, input });
      if (!spec.created) return reply.code(200).send({ revision: result.revision });
      const { location, body } = spec.created.answer(result, checked);
      return reply.code(201).header('location', location).send(body);
    },
  });
}

/** A JSON answer as the OpenAPI document shows it, with what it means. */
function json<S extends z.ZodType>(description: string, schema: S) {
  return { description, content: { 'application/json': { schema } } } as const;
}
