// Endorsements: ask the endorsers to endorse a version, cancel the request, record an endorser's
// decision (endorse or withhold) on its behalf, and read the sign-off view.
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { signOff, SignOffView, versionSignOff, VersionSignOff } from '../../projections/sign-off.ts';
import { DomainError } from '../../domain/errors.ts';
import { commandRoute } from '../command-route.ts';
import type { ResourcePlugin } from '../context.ts';
import { runCommand } from '../run-command.ts';
import { COMMAND_HEADERS, CommandAck, commandErrors, ConsultationParams, DraftVersion, readErrors, VersionParams } from '../schemas.ts';
import { readConsultation, setEtag, Stale, staleMark } from '../views.ts';

/** The cancellation reason, optional here: without one the command records its default. */
const CancelReason = commands.cancelEndorsementRequest.schema.shape.reason.unwrap().optional()
  .describe('why the request is cancelled (default "cancelled by the coordinator")');

const Decision = z.discriminatedUnion('decision', [
  commands.endorseDraft.schema.extend({ decision: z.literal('endorse') }),
  commands.withholdEndorsement.schema.extend({ decision: z.literal('withhold') }),
]);

/** One version's sign-off with the consultation's status around it, from the view's own schemas. */
const SignOff = SignOffView.pick({ consultationId: true, status: true, outcome: true, finalDraftVersion: true, latestVersion: true })
  .extend(VersionSignOff.shape);

export const endorsementRoutes: ResourcePlugin = async (app, { ctx }) => {
  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/endorsement-requests',
    operationId: 'requestEndorsement',
    tags: ['endorsements'],
    summary: 'Ask the endorsers to endorse the latest draft version by a deadline (one request open at a time)',
    params: ConsultationParams,
    body: commands.requestEndorsement.schema,
    command: commands.requestEndorsement,
    created: {
      schema: CommandAck,
      answer: (result, { params, body }) => ({ location: `/consultations/${params.id}/sign-off?version=${body.draftVersion}`, body: { revision: result.revision } }),
    },
  });

  commandRoute(app, ctx, {
    method: 'DELETE',
    url: '/consultations/:id/endorsement-requests/:version',
    operationId: 'cancelEndorsementRequest',
    tags: ['endorsements'],
    summary: 'Cancel the open endorsement request for a version (nothing to do when none is open for it)',
    description: 'The reason may come as a JSON body `{ "reason" }` or as `?reason=`; the body wins when both are given.',
    params: VersionParams,
    querystring: z.strictObject({ reason: CancelReason }),
    body: z.strictObject({ reason: CancelReason }).nullish().describe('optional (the generator marks every body required): without one the reason comes from ?reason= or the default'),
    command: commands.cancelEndorsementRequest,
    input: ({ params, body, query }) => {
      const reason = body?.reason ?? query.reason;
      return { draftVersion: params.version, ...(reason !== undefined ? { reason } : {}) };
    },
  });

  app.post('/consultations/:id/endorsements', {
    schema: {
      operationId: 'decideEndorsement',
      tags: ['endorsements'],
      summary: 'Record an endorser\'s decision on its behalf: endorse (with the signatory) or withhold (with a reason); a later decision replaces an earlier one',
      params: ConsultationParams,
      headers: COMMAND_HEADERS,
      body: Decision,
      response: { 200: CommandAck, ...commandErrors },
    },
  }, async (request, reply) => {
    const consultationId = request.params.id;
    const { decision, ...input } = request.body;
    const result = decision === 'endorse'
      ? await runCommand(ctx, request, reply, { consultationId, command: commands.endorseDraft, input })
      : await runCommand(ctx, request, reply, { consultationId, command: commands.withholdEndorsement, input });
    return { revision: result.revision };
  });

  app.get('/consultations/:id/sign-off', {
    schema: {
      operationId: 'getSignOff',
      tags: ['endorsements'],
      summary: 'Where each required endorser stands on a draft version (the latest by default), and whether it may be adopted',
      params: ConsultationParams,
      querystring: z.strictObject({ version: DraftVersion.optional().describe('the draft version; default the latest') }),
      response: { 200: SignOff.extend(Stale), ...readErrors },
    },
  }, async (request, reply) => {
    const slot = await readConsultation(ctx, signOff, request.params.id);
    const { consultationId, status, outcome, finalDraftVersion, latestVersion } = slot.view;
    const version = versionSignOff(slot.view, request.query.version);
    if (!version) {
      throw new DomainError('DRAFT_NOT_FOUND', request.query.version === undefined ? 'no draft has been published yet' : `no draft version ${request.query.version}`);
    }
    setEtag(reply, `${version.draftVersion}-${slot.lastRevision}`, slot);
    return { consultationId, status, outcome, finalDraftVersion, latestVersion, ...version, ...staleMark(slot) };
  });
};
