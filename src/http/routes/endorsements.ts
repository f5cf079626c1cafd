// Endorsements: ask the endorsers to endorse a version, cancel the request, record an endorser's
// decision (endorse or withhold) on its behalf, and read the sign-off view (as JSON or CSV).
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { signOff, SignOffView, versionSignOff, VersionSignOff, type Decision as RecordedDecision, type EndorserSignOff } from '../../projections/sign-off.ts';
import { DomainError } from '../../domain/errors.ts';
import { commandRoute } from '../command-route.ts';
import type { ResourcePlugin } from '../context.ts';
import { CSV_CONTENT_TYPE, prefersCsv, toCsv, type CsvCell } from '../csv.ts';
import { localTime } from '../../domain/local-time.ts';
import { runCommand } from '../run-command.ts';
import { COMMAND_HEADERS, CommandAck, commandErrors, ConsultationParams, DraftVersion, readErrors, VersionParams } from '../schemas.ts';
import { AsOf, PointInTimeQuery, viewSource } from '../point-in-time.ts';
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

/** When a decision was recorded. */
const decidedAt = (d: RecordedDecision) => (d.status === 'endorsed' ? d.endorsedAt : d.withheldAt);

/** A decision in one line: `2027-02-11T10:00:00.000Z (2027-02-11T12:00:00+02:00) withheld by coordinator gender-office: reason`. */
function decisionLine(d: RecordedDecision, timeZone: string): string {
  const when = `${decidedAt(d)} (${localTime(decidedAt(d), timeZone)})`;
  const by = d.actor ? ` by ${d.actor.role} ${d.actor.id}` : '';
  return d.status === 'endorsed'
    ? `${when} endorsed${by}: ${d.signatory.name}, ${d.signatory.title}${d.evidence ? `; evidence ${d.evidence}` : ''}`
    : `${when} withheld${by}: ${d.reason}`;
}

/** The CSV export's columns, in order: one row per endorser of the version. */
const CSV_COLUMNS: ReadonlyArray<readonly [string, (x: EndorserSignOff, timeZone: string) => CsvCell]> = [
  ['Stakeholder ID', (x) => x.stakeholderId],
  ['Organisation', (x) => x.organisation],
  ['Required', (x) => (x.required ? 'yes' : 'no')],
  ['Status', (x) => x.status],
  ['Invitation declined', (x) => (x.invitationDeclined ? 'yes' : 'no')],
  ['Deadline', (x) => x.deadline],
  ['Signatory', (x) => (x.status === 'endorsed' ? x.signatory.name : null)],
  ['Signatory title', (x) => (x.status === 'endorsed' ? x.signatory.title : null)],
  ['Statement', (x) => (x.status === 'endorsed' ? x.statement : null)],
  ['Evidence', (x) => (x.status === 'endorsed' ? x.evidence : null)],
  ['Withholding reason', (x) => (x.status === 'withheld' ? x.reason : null)],
  ['Decided at', (x) => (x.status === 'endorsed' ? x.endorsedAt : x.status === 'withheld' ? x.withheldAt : null)],
  ['Recorded by', (x) => (x.status === 'endorsed' || x.status === 'withheld' ? (x.actor ? `${x.actor.role} ${x.actor.id}` : null) : null)],
  ['Removed at', (x) => x.removal?.removedAt ?? null],
  ['Removal reason', (x) => x.removal?.reason ?? null],
  ['Decision history', (x, timeZone) => x.history.map((d) => decisionLine(d, timeZone)).join('\n') || null], // every decision on the version, oldest first
];

/** The version's endorsers as CSV; each time column has its twin in the consultation's time zone (toCsv). */
export function signOffCsv(version: VersionSignOff, timeZone: string): string {
  return toCsv(CSV_COLUMNS.map(([name]) => name), version.endorsers.map((x) => CSV_COLUMNS.map(([, cell]) => cell(x, timeZone))), { timeZone });
}

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
      summary: 'Where each endorser of a draft version (the latest by default) stands, with its decisions, and whether the version may be adopted now (and if not, why); `Accept: text/csv` returns the endorsers as a CSV file',
      description: 'JSON is the default. `readyForAdoption` and `adoptionBlockedBy` are computed at the time of the request with the rule '
        + 'closing applies. With `Accept: text/csv` (preferred over application/json) the version\'s endorsers come as RFC 4180 CSV with a '
        + 'UTF-8 BOM and a header row: Stakeholder ID, Organisation, Required, Status, Invitation declined, Deadline, Signatory, Signatory '
        + 'title, Statement, Evidence, Withholding reason, Decided at, Recorded by, Removed at, Removal reason, Decision history (every '
        + 'decision on the version, oldest first, one a line); after each time column (Deadline, Decided at, Removed at) the same time '
        + 'in the consultation\'s time zone, headed with the zone\'s name. A cell starting with =, +, -, @, tab or CR is prefixed with \' so a '
        + 'spreadsheet shows it as text.',
      params: ConsultationParams,
      querystring: z.strictObject({ version: DraftVersion.optional().describe('the draft version; default the latest'), ...PointInTimeQuery }),
      response: {
        200: {
          description: 'the version\'s sign-off, or its endorsers as CSV',
          content: {
            'application/json': { schema: SignOff.extend(Stale).extend(AsOf) },
            'text/csv': { schema: z.string().describe('one row per endorser of the version, after a header row') },
          },
        },
        ...readErrors,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const source = await viewSource(ctx, id, request.query);
    const slot = await readConsultation(ctx, signOff, id, source);
    const { consultationId, status, outcome, finalDraftVersion, latestVersion } = slot.view;
    const version = versionSignOff(slot.view, request.query.version);
    if (!version) {
      throw new DomainError('DRAFT_NOT_FOUND', request.query.version === undefined ? 'no draft has been published yet' : `no draft version ${request.query.version}`);
    }
    reply.header('vary', 'Accept');
    if (prefersCsv(request.headers.accept)) {
      setEtag(reply, source.etag(`${version.draftVersion}-${slot.lastRevision}-csv`), slot);
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="sign-off-${id}-v${version.draftVersion}.csv"`)
        .send(signOffCsv(version, await ctx.timeZones.of(id)));
    }
    setEtag(reply, source.etag(`${version.draftVersion}-${slot.lastRevision}`), slot);
    return reply.type('application/json; charset=utf-8')
      .send({ consultationId, status, outcome, finalDraftVersion, latestVersion, ...version, ...staleMark(slot), ...source.mark() });
  });
};
