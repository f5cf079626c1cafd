// Numbered drafts: publish the next version, list them, read one's sections.
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { drafts } from '../../projections/drafts.ts';
import type { App, HttpContext } from '../context.ts';
import { HttpProblem } from '../problem.ts';
import { runCommand } from '../run-command.ts';
import { COMMAND_HEADERS, CommandAck, commandErrors, ConsultationParams, readErrors, VersionParams } from '../schemas.ts';
import { consultationSlot, setEtag } from '../views.ts';
import { Section } from '../../domain/schemas.ts';

const Draft = z.object({
  version: z.number().int(),
  sections: z.array(Section),
  commentDeadline: z.string(),
  note: z.string().nullable(),
  publishedAt: z.string(),
});

export function draftRoutes(app: App, ctx: HttpContext): void {
  app.post('/consultations/:id/drafts', {
    schema: {
      tags: ['drafts'],
      summary: 'Publish the next numbered draft (an open endorsement request is cancelled)',
      params: ConsultationParams,
      headers: COMMAND_HEADERS,
      body: commands.publishDraft.schema,
      response: { 201: CommandAck.extend({ version: z.number().int() }), ...commandErrors },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const result = await runCommand(ctx, request, reply, { consultationId: id, command: commands.publishDraft, input: request.body });
    // from the command's own event: a replayed request answers with its first result
    const version = Number(result.events.find((e) => e.type === 'DraftPublished')?.data['version']);
    return reply.code(201).header('location', `/consultations/${id}/drafts/${version}`).send({ version, revision: result.revision });
  });

  app.get('/consultations/:id/drafts', {
    schema: {
      tags: ['drafts'],
      summary: 'Every draft version with its sections',
      params: ConsultationParams,
      response: { 200: z.object({ drafts: z.array(Draft) }), ...readErrors },
    },
  }, async (request, reply) => {
    const slot = consultationSlot(ctx.runner.view(drafts), request.params.id);
    setEtag(reply, String(slot.lastRevision));
    return { drafts: slot.view.drafts };
  });

  app.get('/consultations/:id/drafts/:version', {
    schema: {
      tags: ['drafts'],
      summary: 'One draft version\'s sections',
      params: VersionParams,
      response: { 200: Draft, ...readErrors },
    },
  }, async (request, reply) => {
    const slot = consultationSlot(ctx.runner.view(drafts), request.params.id);
    const draft = slot.view.drafts.find((d) => d.version === request.params.version);
    if (!draft) throw new HttpProblem(404, 'DRAFT_NOT_FOUND', `no draft version ${request.params.version}`);
    setEtag(reply, `${request.params.version}-${slot.lastRevision}`);
    return draft;
  });
}
