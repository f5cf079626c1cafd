// Numbered drafts: publish the next version, list them, read one's sections.
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { draftInLanguage, DraftInLanguage, drafts, DraftsEntry, DraftWithLanguages } from '../../projections/drafts.ts';
import { DRAFT_SECTIONS_MAX_BYTES, LanguageCode } from '../../domain/schemas.ts';
import { DomainError } from '../../domain/errors.ts';
import { commandRoute } from '../command-route.ts';
import type { ResourcePlugin } from '../context.ts';
import { CommandAck, ConsultationParams, problem, readErrors, VersionParams } from '../schemas.ts';
import { AsOf, PointInTimeQuery, viewSource } from '../point-in-time.ts';
import { readConsultation, setEtag, Stale, staleMark } from '../views.ts';

/**
 * The publish-draft body limit, which admits every valid draft however its JSON is written: the
 * schema bounds the sections at DRAFT_SECTIONS_MAX_BYTES as stored (UTF-8), and a client that
 * escapes every non-ASCII character as \\uXXXX (Python's json.dumps does by default) sends at most
 * three bytes for each stored one; the rest (the note, the deadline, indentation) fits in what is left.
 */
export const DRAFT_BODY_LIMIT = 3 * 1024 * 1024;

// the view's own schemas: a field the view gains is served without a change here
const Draft = z.union([DraftInLanguage.extend(Stale), DraftWithLanguages.extend(Stale)]);

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
    bodyLimit: { bytes: DRAFT_BODY_LIMIT, described: `3 MiB for a draft; sections over ${DRAFT_SECTIONS_MAX_BYTES} bytes as stored are 400 INVALID_INPUT` },
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
      summary: 'Every draft version with its sections; `?revision=` or `?at=`: those published by then',
      params: ConsultationParams,
      querystring: z.strictObject(PointInTimeQuery),
      response: { 200: DraftsEntry.extend(Stale).extend(AsOf), ...readErrors },
    },
  }, async (request, reply) => {
    const source = await viewSource(ctx, request.params.id, request.query);
    const slot = await readConsultation(ctx, drafts, request.params.id, source);
    setEtag(reply, source.etag(String(slot.lastRevision)), slot);
    return { languages: slot.view.languages, drafts: slot.view.drafts, ...staleMark(slot), ...source.mark() };
  });

  app.get('/consultations/:id/drafts/:version', {
    schema: {
      operationId: 'getDraft',
      tags: ['drafts'],
      summary: 'One draft version\'s sections, in every language of the consultation or (`?lang=`) in one',
      description: 'Without `lang`, each section has its heading and text in the consultation\'s first language, `translations` '
        + 'with every other language (null where the section has none) and `missing` (the languages it has none in). With `lang`, '
        + 'each section\'s heading and text in that language, null with `missing: true` where it has no translation: never '
        + 'another language\'s text. A language the consultation does not declare is 404 LANGUAGE_NOT_FOUND.',
      params: VersionParams,
      querystring: z.strictObject({
        lang: LanguageCode.optional().describe('one of the consultation\'s languages: the draft in that language only'),
      }),
      response: {
        200: Draft,
        ...readErrors,
        404: problem('CONSULTATION_NOT_FOUND, DRAFT_NOT_FOUND, LANGUAGE_NOT_FOUND (`lang` names a language the consultation does not declare)'),
      },
    },
  }, async (request, reply) => {
    const slot = await readConsultation(ctx, drafts, request.params.id);
    const draft = slot.view.drafts.find((d) => d.version === request.params.version);
    if (!draft) throw new DomainError('DRAFT_NOT_FOUND', `no draft version ${request.params.version}`);
    const { lang } = request.query;
    const { languages } = slot.view;
    if (lang !== undefined && !languages.includes(lang)) {
      throw new DomainError('LANGUAGE_NOT_FOUND', `the consultation's languages are ${languages.join(', ')}; not "${lang}"`, { languages });
    }
    setEtag(reply, lang === undefined ? `${request.params.version}-${slot.lastRevision}` : `${request.params.version}-${lang}-${slot.lastRevision}`, slot);
    return lang === undefined ? { ...draft, languages, ...staleMark(slot) } : { ...draftInLanguage(draft, languages, lang), ...staleMark(slot) };
  });
};
