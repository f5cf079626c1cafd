// The baseline of `http-throughput`, run as a process of its own like the API: a bare Fastify 5
// server with one route, POST /consultations/:id/comments, that validates the body with the very zod
// schema of SubmitComment (through fastify-type-provider-zod, as the API does) and answers 201. No
// auth, no logging, no store, no views: what Fastify and zod cost on this machine, nothing else.
// Prints one JSON line { "address": ... } on stdout once it listens; stops on SIGTERM.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { submitComment } from '../src/commands/submit-comment.ts';

// the path parameter as the API checks it (src/http/schemas.ts ConsultationParams)
const Params = z.strictObject({ id: z.uuid() });

const app = Fastify({ logger: false });
app.setValidatorCompiler(validatorCompiler);
app.setSerializerCompiler(serializerCompiler);
app.withTypeProvider<ZodTypeProvider>().post('/consultations/:id/comments', {
  schema: { params: Params, body: submitComment.schema },
}, async (request, reply) => {
  const commentId = randomUUID();
  return reply.code(201).header('location', `/consultations/${request.params.id}/comments/${commentId}`).send({ commentId, revision: 0 });
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ address })}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
