// Numbered drafts: publish the next version, list them, read one's sections.
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { drafts, DraftsEntry, DraftVersion } from '../../projections/drafts.ts';
import { DomainError } from '../../domain/errors.ts';
import { commandRoute } from '../command-route.ts';
import type { ResourcePlugin } from '../context.ts';
import { CommandAck, ConsultationParams, readErrors, VersionParams } from '../schemas.ts';
import { readConsultation, setEtag, Stale, staleMark } from '../views.ts';

// the view's own schemas: a field the view gains is served without a change here
const Draft = DraftVersion;

export const draftRoutes: ResourcePlugin = async (app, { ctx }) => {
  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/drafts',
    operationId: 'publishDraft',
    tags: ['drafts'],
    summary: 'Publish the next numbered draft (an open endorsement request is cancelled)',
    params: ConsultationParams,
    body: commands.publishDraft.schema,
    command: commands.publishDraft,
    created: {
      schema: CommandAck.extend({ version: z.number().int() }),
      answer: (result, { params }) => {
        // from the command's own event: a replayed request answers with its first result
        const version = Number(result.events.find((e) => e.type === 'DraftPublished')?.data['version']);
        return { location: `/consultations/${params.id}/drafts/${version}`, body: { version, revision: result.revision } };
      },
    },
  });

  app.get('/consultations/:id/drafts', {
    schema: {
      operationId: 'listDrafts',
      tags: ['drafts'],
      summary: 'Every draft version with its sections',
      params: ConsultationParams,
      response: { 200: DraftsEntry.extend(Stale), ...readErrors },
    },
  }, async (request, reply) => {
    const slot = await readConsultation(ctx, drafts, request.params.id);
    setEtag(reply, String(slot.lastRevision), slot);
    return { drafts: slot.view.drafts, ...staleMark(slot) };
  });

  app.get('/consultations/:id/drafts/:version', {
    schema: {
      operationId: 'getDraft',
      tags: ['drafts'],
      summary: 'One draft version\'s sections',
      params: VersionParams,
      response: { 200: Draft.extend(Stale), ...readErrors },
    },
  }, async (request, reply) => {
    const slot = await readConsultation(ctx, drafts, request.params.id);
    const draft = slot.view.drafts.find((d) => d.version === request.params.version);
    if (!draft) throw new DomainError('DRAFT_NOT_FOUND', `no draft version ${request.params.version}`);
    setEtag(reply, `${request.params.version}-${slot.lastRevision}`, slot);
    return { ...draft, ...staleMark(slot) };
  });
};
