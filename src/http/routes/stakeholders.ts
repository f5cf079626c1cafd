// Stakeholders: invite one (or many from a CSV, in the charset it was saved in), list them (as JSON
// or as a CSV register), correct one's details, and act on one on its behalf or as the coordinator
// (response, contacts, removal, reinstatement, completed review); record messages that were sent,
// or failed, by other means.
import { randomUUID } from 'node:crypto';
import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import { atLeastOneDetail, StakeholderDetailsChange } from '../../commands/change-stakeholder-details.ts';
import { commands } from '../../commands/index.ts';
import type { CommandResult } from '../../commands/handler.ts';
import { RevisionMismatchError } from '../../commands/handler-errors.ts';
import { Contacts, stakeholderByEmail } from '../../commands/invite-stakeholder.ts';
import { DomainError } from '../../domain/errors.ts';
import { organisationKey, requireOpen, sameOrganisation } from '../../domain/rules.ts';
import { Contact, Reason } from '../../domain/schemas.ts';
import { Awaiting, InvitationStatus } from '../../domain/standing.ts';
import { docKey } from '../../projections/projection.ts';
import { isAwaited, readStakeholder, readStakeholdersPage, StakeholderRow, stakeholders, StakeholdersView } from '../../projections/stakeholders.ts';
import { AppError } from '../../errors/catalogue.ts';
import { commandRoute } from '../command-route.ts';
import type { App, HttpContext, ResourcePlugin } from '../context.ts';
import { CSV_CHARSETS, CSV_CONTENT_TYPE, decodeCsv, prefersCsv, toCsv, type CsvCell } from '../csv.ts';
import { InputError } from '../problem.ts';
import { expectedRevision, idempotencyKey, runCommand } from '../run-command.ts';
import { COMMAND_HEADERS, CommandAck, commandErrors, ConsultationParams, problem, readErrors, StakeholderParams } from '../schemas.ts';
import { nextCursor, PageNext, PageQuery, pageRequest } from '../paging.ts';
import { AsOf, PointInTimeQuery, viewSource } from '../point-in-time.ts';
import { readConsultation, setEtag, Stale, staleMark } from '../views.ts';

/** Data rows one import may hold; a larger file is refused with 413 TOO_MANY_ROWS (split it). */
export const MAX_IMPORT_ROWS = 2_000;
const DEFAULT_REMOVAL_REASON = 'removed by the coordinator';

// ---- request and response bodies ----

const InviteBody = commands.inviteStakeholder.schema.omit({ contacts: true }).extend({
  contact: Contact.optional().describe('the contact person (give this or `contacts`)'),
  contacts: Contacts.optional().describe('several contact people, the first is the primary (give this or `contact`)'),
}).refine((b) => (b.contact === undefined) !== (b.contacts === undefined), { path: ['contact'], message: 'give exactly one of contact or contacts' });

const InviteAck = CommandAck.extend({ stakeholderId: z.string() });

// the view's own schemas: a field the view gains is served without a change here
const Stakeholder = StakeholderRow;
const StakeholderList = StakeholdersView.extend({
  stakeholders: StakeholdersView.shape.stakeholders.describe('this page of the stakeholders matching the filters, in invitation order'),
  ...PageNext,
});

const ListQuery = z.strictObject({
  awaiting: z.enum(['true', 'false', ...Awaiting.options]).optional()
    .describe('true: only those from whom something is awaited; false: only those from whom nothing is; response|comments|endorsement: only those from whom that is awaited'),
  status: InvitationStatus.optional().describe('only those whose invitation is in this state'),
  ...PageQuery,
  ...PointInTimeQuery,
});

const ReasonBody = z.strictObject({ reason: Reason.optional() });

const ImportRowError = z.object({
  field: z.string().describe('the CSV column, e.g. email'),
  message: z.string(),
  code: z.string().optional().describe('the domain error code, when the domain refused the invitation'),
});
const ImportRow = z.object({
  row: z.number().int().describe('the spreadsheet row number (the header is row 1)'),
  organisation: z.string(),
  status: z.enum(['invited', 'existing', 'error'])
    .describe('existing: a contact address was invited already, with the same details; the existing stakeholder is given'),
  stakeholderId: z.string().optional()
    .describe('the stakeholder invited or found; on an error row, the one invited already with other details (STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS)'),
  errors: z.array(ImportRowError).optional(),
});
const ImportReport = z.object({
  rows: z.array(ImportRow).describe('one per non-empty data row, in file order'),
  invited: z.number().int().describe('rows whose organisation was invited by this import'),
  existing: z.number().int().describe('rows whose organisation was invited already'),
  errors: z.number().int().describe('rows not invited'),
});
type ImportRow = z.infer<typeof ImportRow>;
type ImportRowError = z.infer<typeof ImportRowError>;

// ---- routes ----

export const stakeholderRoutes: ResourcePlugin = async (app, { ctx }) => {
  // The CSV import has its own context: the one route that takes text/csv, and not JSON. The body
  // arrives as bytes and is decoded in the charset its Content-Type names (UTF-8 by default).
  await app.register(async (csv: App) => {
    csv.removeContentTypeParser(['application/json']);
    csv.addContentTypeParser('text/csv', { parseAs: 'buffer' }, (request, body, done) => {
      try {
        done(null, decodeCsv(body as Buffer, request.headers['content-type']));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    importRoute(csv, ctx);
  });

  app.post('/consultations/:id/stakeholders', {
    schema: {
      operationId: 'inviteStakeholder',
      tags: ['stakeholders'],
      summary: 'Invite an organisation (inviting a contact address it has already returns the existing stakeholder with 200)',
      params: ConsultationParams,
      headers: COMMAND_HEADERS,
      body: InviteBody,
      response: { 201: InviteAck, 200: InviteAck, ...commandErrors },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const { contact, contacts, ...rest } = request.body;
    const input = { ...rest, contacts: contacts ?? (contact ? [contact] : []) };
    const result = await runCommand(ctx, request, reply, { consultationId: id, command: commands.inviteStakeholder, input })
      .catch((error: unknown) => { throw pointToChange(error, id); });
    const outcome = inviteOutcome(result, input.contacts.map((c) => c.email), input.organisation);
    if (!outcome.invited) return reply.code(200).send({ stakeholderId: outcome.stakeholderId, revision: result.revision });
    return reply.code(201).header('location', `/consultations/${id}/stakeholders/${outcome.stakeholderId}`)
      .send({ stakeholderId: outcome.stakeholderId, revision: result.revision });
  });

  app.get('/consultations/:id/stakeholders', {
    schema: {
      operationId: 'listStakeholders',
      tags: ['stakeholders'],
      summary: 'Every stakeholder, a page at a time: contacts, invitation status, comments, reminders, endorsement, what is awaited from it; `Accept: text/csv` returns the register as a CSV file',
      description: 'JSON is the default: at most `limit` stakeholders a page (default 500), in invitation order, and `next`, the `cursor` of the next page '
        + '(null on the last); pass the same filters with each cursor. With `Accept: text/csv` (preferred over application/json) every stakeholder '
        + 'matching the filters comes, unpaged (`limit` and `cursor` do not apply), as RFC 4180 CSV with a UTF-8 BOM and a header row, one row per stakeholder: '
        + `${REGISTER_COLUMNS.map(([name]) => name).join(', ')}; after each "… at" column the same time in the consultation's time zone, `
        + 'ISO-8601 local time with its offset, headed with the zone ("Removed at (Europe/Amsterdam)"). '
        + 'Other contacts are "Name <address>" separated by "; ". A cell starting with =, +, -, @, tab or CR is prefixed with \' so a spreadsheet shows it as text.',
      params: ConsultationParams,
      querystring: ListQuery,
      response: {
        200: {
          description: 'the stakeholders, or the register as CSV',
          content: {
            'application/json': { schema: StakeholderList.extend(Stale).extend(AsOf) },
            'text/csv': { schema: z.string().describe('the stakeholders listed, one row each, after a header row') },
          },
        },
        ...readErrors,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const { awaiting, status } = request.query;
    const byAwaiting: ((x: StakeholderRow) => boolean) | null = awaiting === 'true' ? isAwaited
      : awaiting === 'false' ? (x) => !isAwaited(x)
      : awaiting ? (x) => x.awaiting.includes(awaiting)
      : null;
    const keep = byAwaiting === null && !status ? undefined
      : (x: StakeholderRow) => (byAwaiting === null || byAwaiting(x)) && (!status || x.invitationStatus === status);
    const source = await viewSource(ctx, id, request.query);
    reply.header('vary', 'Accept');
    if (prefersCsv(request.headers.accept)) {
      const whole = await readConsultation(ctx, stakeholders, id, source);
      setEtag(reply, source.etag(`${whole.lastRevision}-csv`), whole);
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="stakeholders-${id}.csv"`)
        .send(stakeholdersCsv(keep ? whole.view.stakeholders.filter(keep) : whole.view.stakeholders, await ctx.timeZones.of(id)));
    }
    const prefix = docKey(id, '');
    const slot = await readStakeholdersPage(source.reader(stakeholders), id, pageRequest(request.query, prefix), keep);
    if (!slot) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${id}`);
    setEtag(reply, source.etag(String(slot.lastRevision)), slot);
    const { rows, next, ...facts } = slot.view;
    return reply.type('application/json; charset=utf-8').send({ ...facts, stakeholders: rows, next: nextCursor(next, prefix), ...staleMark(slot), ...source.mark() });
  });

  app.get('/consultations/:id/stakeholders/:sid', {
    schema: {
      operationId: 'getStakeholder',
      tags: ['stakeholders'],
      summary: 'One stakeholder',
      params: StakeholderParams,
      response: { 200: Stakeholder.extend(Stale), ...readErrors },
    },
  }, async (request, reply) => {
    const { id, sid } = request.params;
    // its own document only, not the whole list
    const slot = await readStakeholder(ctx.runner.reader(stakeholders), id, sid);
    if (!slot) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${id}`);
    if (!slot.stakeholder) throw new DomainError('STAKEHOLDER_NOT_FOUND', `no stakeholder ${sid}`);
    setEtag(reply, String(slot.lastRevision), slot);
    return { ...slot.stakeholder, ...staleMark(slot) };
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/stakeholders/:sid/response',
    operationId: 'respondToInvitation',
    tags: ['stakeholders'],
    summary: 'Record the stakeholder\'s answer to its invitation on its behalf (accepting after a decline needs a reinstatement)',
    params: StakeholderParams,
    body: commands.respondToInvitation.schema.omit({ stakeholderId: true }),
    command: commands.respondToInvitation,
    input: ({ params, body }) => ({ ...body, stakeholderId: params.sid }),
  });

  commandRoute(app, ctx, {
    method: 'PUT',
    url: '/consultations/:id/stakeholders/:sid/contacts',
    operationId: 'changeContacts',
    tags: ['stakeholders'],
    summary: 'Replace the stakeholder\'s contact people (the first is the primary)',
    params: StakeholderParams,
    body: commands.changeContacts.schema.omit({ stakeholderId: true }),
    command: commands.changeContacts,
    input: ({ params, body }) => ({ ...body, stakeholderId: params.sid }),
  });

  commandRoute(app, ctx, {
    method: 'PATCH',
    url: '/consultations/:id/stakeholders/:sid',
    operationId: 'changeStakeholderDetails',
    tags: ['stakeholders'],
    summary: 'Correct the stakeholder\'s organisation name, kind, preferred language, endorser role or reply domains (any of them; the same values again change nothing)',
    description: 'One StakeholderDetailsChanged event with the fields that changed. `replyDomains` replaces the mail domains from which any address '
      + 'may reply for it by e-mail (lower case, exactly those domains; [] for none). Becoming an endorser while an endorsement request is open '
      + 'makes it pending on that request; ceasing to be one keeps its decisions in the sign-off view\'s history, no longer counted. '
      + 'Refused: a name another stakeholder has (409 ORGANISATION_ALREADY_INVITED), a language the consultation does not offer (409 LANGUAGE_NOT_OFFERED).',
    params: StakeholderParams,
    body: StakeholderDetailsChange.refine(...atLeastOneDetail),
    command: commands.changeStakeholderDetails,
    input: ({ params, body }) => ({ ...body, stakeholderId: params.sid }),
  });

  commandRoute(app, ctx, {
    method: 'DELETE',
    url: '/consultations/:id/stakeholders/:sid',
    operationId: 'removeStakeholder',
    tags: ['stakeholders'],
    summary: `Remove the stakeholder; the reason comes from the body or ?reason= (the body wins), default "${DEFAULT_REMOVAL_REASON}"`,
    params: StakeholderParams,
    querystring: ReasonBody,
    body: ReasonBody.nullish().describe('optional (the request may have no body): { reason }'),
    command: commands.removeStakeholder,
    input: ({ params, body, query }) => ({ stakeholderId: params.sid, reason: body?.reason ?? query.reason ?? DEFAULT_REMOVAL_REASON }),
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/stakeholders/:sid/reinstate',
    operationId: 'reinstateStakeholder',
    tags: ['stakeholders'],
    summary: 'Bring back a removed stakeholder, or one that declined (its invitation is pending again)',
    params: StakeholderParams,
    body: commands.reinstateStakeholder.schema.omit({ stakeholderId: true }).nullish().describe('optional (the request may have no body): { reason }'),
    command: commands.reinstateStakeholder,
    input: ({ params, body }) => ({ ...body, stakeholderId: params.sid }),
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/stakeholders/:sid/review',
    operationId: 'completeReview',
    tags: ['stakeholders'],
    summary: '"No further comments on this version", on the stakeholder\'s behalf (the latest draft version only)',
    params: StakeholderParams,
    body: commands.completeReview.schema.omit({ stakeholderId: true }),
    command: commands.completeReview,
    input: ({ params, body }) => ({ ...body, stakeholderId: params.sid }),
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/stakeholders/:sid/resend-invitation',
    operationId: 'resendInvitation',
    tags: ['stakeholders'],
    summary: 'Send the invitation again, to every contact or to one (`contactId`): recorded, then sent as a new message',
    params: StakeholderParams,
    body: commands.resendInvitation.schema.omit({ stakeholderId: true }).nullish().describe('optional (the request may have no body): { contactId }'),
    command: commands.resendInvitation,
    input: ({ params, body }) => ({ ...body, stakeholderId: params.sid }),
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/messages',
    operationId: 'recordMessageSent',
    tags: ['stakeholders'],
    summary: 'Record a message sent to a stakeholder by other means (e.g. a letter delivered by hand); the same messageId twice records nothing',
    params: ConsultationParams,
    body: commands.recordMessageSent.schema,
    command: commands.recordMessageSent,
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/delivery-failures',
    operationId: 'recordDeliveryFailure',
    tags: ['stakeholders'],
    summary: 'Record that a message to a stakeholder could not be delivered',
    params: ConsultationParams,
    body: commands.recordDeliveryFailure.schema,
    command: commands.recordDeliveryFailure,
  });
};

/** POST …/stakeholders/import, registered in a context whose only body parser is text/csv. */
function importRoute(app: App, ctx: HttpContext): void {
  app.post('/consultations/:id/stakeholders/import', {
    schema: {
      operationId: 'importStakeholders',
      tags: ['stakeholders'],
      summary: 'Invite organisations from a CSV (columns organisation, kind, name, email, language, endorser); rows of one organisation become one stakeholder',
      description: [
        'Send `text/csv` (`,` or `;` separated, detected from the header row), in UTF-8 unless its `charset` parameter names another:',
        '`text/csv; charset=windows-1252` is what Excel saves as "CSV" in Western Europe, `windows-1250` in Central Europe;',
        `the import reads ${CSV_CHARSETS.join(', ')} (415 UNSUPPORTED_CHARSET otherwise). A byte order mark (UTF-8, as Excel's "CSV UTF-8", or UTF-16) decides over the charset.`,
        'Bytes not valid in the charset are 400 INVALID_CSV_ENCODING naming the first line with one (`details.line`) and the charset to try (`details.suggestedCharsets`).',
        'The header row is required;',
        'its names are case-insensitive, in any order, other columns are ignored. Required: organisation, kind, name, email, language;',
        'endorser is optional (true/false, yes/no, 1/0; empty = false), and so is `reply domains` (the mail domains any of whose addresses may reply',
        'for it by e-mail, separated by spaces, commas or semicolons). Rows whose organisation is the same (whatever its case and spacing)',
        'become one stakeholder whose contacts are those rows in order, the first the primary; kind, language and endorser may be left empty',
        'after the first row. A stakeholder any of whose rows is invalid, or that the domain refuses, is not invited and its rows are',
        'reported with errors; the others are invited (one command each). Empty rows are skipped; row numbers are those a spreadsheet shows.',
        'A contact address invited already with the same organisation, kind, language and endorser is `existing`; with other ones, an error per',
        'differing field (code STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS, with the stakeholderId to correct with PATCH …/stakeholders/:sid).',
        'A language the consultation does not offer is an error on `language` (LANGUAGE_NOT_OFFERED).',
        `At most ${MAX_IMPORT_ROWS} data rows (413 TOO_MANY_ROWS); a missing column is 400 CSV_MISSING_COLUMNS.`,
        'With an Idempotency-Key each organisation\'s command id is `<key>/<organisation>`, so a retried import appends nothing.',
        'If-Match is checked once, before the first invitation.',
      ].join(' '),
      params: ConsultationParams,
      headers: COMMAND_HEADERS,
      consumes: ['text/csv'],
      body: z.string().describe('the CSV text'),
      response: {
        200: ImportReport,
        ...commandErrors,
        400: problem('INVALID_CSV, INVALID_CSV_ENCODING (with `details.line`, `details.charset`, `details.suggestedCharsets`), '
          + 'CSV_MISSING_COLUMNS (with `details.missingColumns`), CSV_DUPLICATE_COLUMNS; INVALID_INPUT (a malformed path id), INVALID_IDEMPOTENCY_KEY, INVALID_IF_MATCH'),
        413: problem(`BODY_TOO_LARGE (1 MiB), TOO_MANY_ROWS (over ${MAX_IMPORT_ROWS} data rows: split the file)`),
        415: problem('UNSUPPORTED_MEDIA_TYPE: send text/csv; UNSUPPORTED_CHARSET (with `details.supported`)'),
      },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const key = idempotencyKey(request);
    const rows = readImportCsv(request.body);
    const expected = expectedRevision(request);
    const state = await ctx.handler.load(id);
    // a retried import (its key's commands applied already) answers with its first result, not 412 or 409
    const retried = key !== undefined && [...state.commands.keys()].some((c) => c.startsWith(`${key}/`));
    if (!retried) requireOpen(state);
    if (!retried && expected !== undefined && state.revision !== expected) throw new RevisionMismatchError(expected, state.revision);

    const report: ImportRow[] = [];
    for (const group of groupByOrganisation(rows)) {
      const checked = checkGroup(group);
      if (!checked.input) {
        report.push(...checked.rows);
        continue;
      }
      const input = checked.input;
      try {
        const result = await runCommand(ctx, request, reply, {
          consultationId: id,
          command: commands.inviteStakeholder,
          input,
          commandId: key ? `${key}/${group.key}` : randomUUID(),
          expectedRevision: null, // If-Match was checked once above
        });
        const outcome = inviteOutcome(result, input.contacts.map((c) => c.email), input.organisation);
        const status = outcome.invited ? 'invited' : 'existing';
        report.push(...group.rows.map((r) => ({ row: r.row, organisation: r.cells.organisation, status, stakeholderId: outcome.stakeholderId } as const)));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error; // the store or the views failed: the client retries with the same key
        report.push(...refusedRows(group, pointToChange(error, id) as DomainError));
      }
    }
    report.sort((a, b) => a.row - b.row);
    const count = (status: ImportRow['status']) => report.filter((r) => r.status === status).length;
    return { rows: report, invited: count('invited'), existing: count('existing'), errors: count('error') };
  });
}

// ---- helpers ----

/**
 * The stakeholder an invitation produced, or the existing one it found: the command appends
 * nothing when a contact address is invited already (the first run's events come back on a replay).
 */
function inviteOutcome(result: CommandResult, emails: string[], organisation: string): { stakeholderId: string; invited: boolean } {
  const created = result.events.find((e) => e.type === 'StakeholderInvited')?.data['stakeholderId'];
  if (typeof created === 'string') return { stakeholderId: created, invited: true };
  const existing = stakeholderByEmail(result.state, emails)
    ?? [...result.state.stakeholders.values()].find((x) => sameOrganisation(x.organisation, organisation));
  if (!existing) throw new Error('an invitation appended nothing and no stakeholder has its contacts');
  return { stakeholderId: existing.id, invited: false };
}

/** Where a stakeholder's details are corrected. */
function changeRoute(consultationId: string, stakeholderId: string): string {
  return `/consultations/${consultationId}/stakeholders/${stakeholderId}`;
}

/** STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS with the route that changes them (`details.change`); other errors as they are. */
function pointToChange(error: unknown, consultationId: string): unknown {
  if (!(error instanceof DomainError) || error.code !== 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS') return error;
  const stakeholderId = String(error.details?.['stakeholderId']);
  const path = changeRoute(consultationId, stakeholderId);
  return new DomainError(error.code, `${error.message.replace(/; change its details instead$/, '')}; change them with PATCH ${path}`, {
    ...error.details, change: { method: 'PATCH', path },
  });
}

// ---- the register as CSV ----

/** The register's columns, in order, with what each holds. */
const REGISTER_COLUMNS: ReadonlyArray<readonly [string, (x: StakeholderRow) => CsvCell]> = [
  ['Stakeholder ID', (x) => x.id],
  ['Organisation', (x) => x.organisation],
  ['Kind', (x) => x.kind],
  ['Language', (x) => x.language],
  ['Endorser', (x) => String(x.endorser)],
  ['Name', (x) => x.contacts[0]?.name ?? null], // the primary contact: the import's columns read these back
  ['Email', (x) => x.contacts[0]?.email ?? null],
  ['Other contacts', (x) => x.contacts.slice(1).map((c) => `${c.name} <${c.email}>`).join('; ')],
  ['Invitation status', (x) => x.invitationStatus],
  ['Response', (x) => x.response],
  ['Decline reason', (x) => x.declineReason],
  ['Removal reason', (x) => x.removal?.reason ?? null],
  ['Removed at', (x) => x.removal?.removedAt ?? null],
  ['Invitation sent at', (x) => x.invitationSentAt],
  ['Comments', (x) => Object.values(x.commentsByVersion).reduce((a, b) => a + b, 0)], // not retracted, on every version
  ['Reviewed versions', (x) => x.reviewedVersions.join(' ')],
  ['Endorsement', (x) => x.endorsement],
  ['Awaiting', (x) => x.awaiting.join(' ')],
  ['Last activity at', (x) => x.lastActivityAt],
  ['Last response at', (x) => x.lastResponseAt],
  ['Reply domains', (x) => x.replyDomains.join(' ')], // the import reads it back (column "reply domains")
];

/** After each "… at" column, the same time in the consultation's zone (toCsv). */
export function stakeholdersCsv(rows: readonly StakeholderRow[], timeZone: string): string {
  return toCsv(REGISTER_COLUMNS.map(([name]) => name), rows.map((row) => REGISTER_COLUMNS.map(([, cell]) => cell(row))), { timeZone });
}

// ---- CSV import ----

/** The CSV column a domain refusal is about. */
const REFUSAL_FIELDS = new Map<string, string>([['CONTACT_BELONGS_TO_OTHER_STAKEHOLDER', 'email'], ['LANGUAGE_NOT_OFFERED', 'language']]);

/**
 * A group's rows when the domain refused its invitation: the error on the column it is about; for a
 * contact invited already with other details, one error per differing column, and the stakeholder
 * to correct (with the route that does).
 */
function refusedRows(group: Group, error: DomainError): ImportRow[] {
  if (error.code === 'STAKEHOLDER_EXISTS_WITH_OTHER_DETAILS') {
    const details = error.details as { stakeholderId: string; fields: string[]; existing: Record<string, unknown>; given: Record<string, unknown>; change: { path: string } };
    const errors = details.fields.map((field) => ({
      field: field === 'replyDomains' ? 'reply domains' : field,
      message: `is ${String(details.given[field])} here, ${String(details.existing[field])} on the stakeholder invited already; change it with PATCH ${details.change.path}`,
      code: error.code,
    }));
    return group.rows.map((r) => ({ ...errorRow(r, errors), stakeholderId: details.stakeholderId }));
  }
  const field = REFUSAL_FIELDS.get(error.code) ?? 'organisation';
  return group.rows.map((r) => errorRow(r, [{ field, message: error.message, code: error.code }]));
}

const REQUIRED_COLUMNS = ['organisation', 'kind', 'name', 'email', 'language'] as const;
const OPTIONAL_COLUMNS = ['endorser', 'reply domains'] as const;
const COLUMNS = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as const;
type Column = typeof COLUMNS[number];

interface CsvRow {
  /** the spreadsheet row number: the header is row 1 */
  row: number;
  cells: Record<Column, string>;
  /** cells beyond the header's columns (an unquoted separator inside a value, usually) */
  extraCells: number;
}

/** Reads the CSV with csv-parse: header row, BOM, quoted fields, `,` or `;`. Empty rows are skipped. */
function readImportCsv(text: string): CsvRow[] {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      delimiter: delimiterOf(text),
      relax_column_count: true,
      // empty lines are skipped below, not by the parser, so that a record's index is its spreadsheet row
      skip_empty_lines: false,
    });
  } catch (error) {
    if (error instanceof CsvError) throw new AppError('INVALID_CSV', `the CSV cannot be read: ${error.message}`);
    throw error;
  }
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputError('CSV_MISSING_COLUMNS', `the CSV's header row lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      missing.map((c) => ({ path: `header.${c}`, message: 'required column is missing' })),
      { missingColumns: missing, requiredColumns: REQUIRED_COLUMNS, optionalColumns: OPTIONAL_COLUMNS });
  }
  const duplicated = COLUMNS.filter((c) => header.indexOf(c) !== header.lastIndexOf(c));
  if (duplicated.length > 0) {
    throw new InputError('CSV_DUPLICATE_COLUMNS', `the CSV's header row names ${duplicated.join(', ')} more than once`,
      duplicated.map((c) => ({ path: `header.${c}`, message: 'column appears more than once' })));
  }
  const index = Object.fromEntries(COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<Column, number>;
  const rows: CsvRow[] = [];
  records.forEach((record, i) => {
    if (i === 0 || record.every((cell) => cell.trim() === '')) return;
    const cells = Object.fromEntries(COLUMNS.map((c) => [c, (index[c] >= 0 ? record[index[c]] ?? '' : '').trim()])) as Record<Column, string>;
    rows.push({ row: i + 1, cells, extraCells: Math.max(0, record.length - header.length) });
  });
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new AppError('TOO_MANY_ROWS', `the CSV has ${rows.length} data rows; at most ${MAX_IMPORT_ROWS} may be imported at once: split the file`,
      { rows: rows.length, limit: MAX_IMPORT_ROWS });
  }
  return rows;
}

/** `;` when the header row has more semicolons than commas (spreadsheets in many European locales), else `,`. */
function delimiterOf(text: string): string {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const count = (c: string) => first.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

interface Group {
  /** the organisation as sameOrganisation compares it: NFKC, trimmed, single spaces, lower case */
  key: string;
  rows: CsvRow[];
}

/** Rows of one organisation (wherever they are in the file) form one group, in row order; a row without one stands alone. */
function groupByOrganisation(rows: CsvRow[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const key = r.cells.organisation === '' ? `\u0000row-${r.row}` : organisationKey(r.cells.organisation);
    const group = groups.get(key) ?? { key, rows: [] };
    group.rows.push(r);
    groups.set(key, group);
  }
  return [...groups.values()];
}


type InviteInput = z.output<typeof commands.inviteStakeholder.schema>;

// a Map: a cell reading "constructor" must not find Object.prototype's member
const BOOLEAN_CELLS = new Map<string, boolean>([['true', true], ['yes', true], ['1', true], ['false', false], ['no', false], ['0', false]]);

/**
 * Validates one organisation's rows with the command's schema. Returns the command's input, or
 * (when any row is invalid) every row of the group as an error row: an organisation is invited
 * with all its contacts or not at all.
 */
function checkGroup(group: Group): { input: InviteInput; rows?: undefined } | { input?: undefined; rows: ImportRow[] } {
  const errors = new Map<CsvRow, ImportRowError[]>(group.rows.map((r) => [r, []]));
  const report = (r: CsvRow, field: string, message: string) => {
    const list = errors.get(r)!;
    if (!list.some((e) => e.field === field)) list.push({ field, message });
  };
  const first = group.rows[0]!;

  for (const r of group.rows) {
    if (r.extraCells > 0) report(r, 'row', `the row has ${r.extraCells} more cell${r.extraCells > 1 ? 's' : ''} than the header (quote values that contain the separator)`);
    for (const c of ['organisation', 'name', 'email'] as const) if (r.cells[c] === '') report(r, c, 'is empty');
    if (r.cells.endorser !== '' && !BOOLEAN_CELLS.has(r.cells.endorser.toLowerCase())) report(r, 'endorser', 'must be true or false (yes/no, 1/0)');
    const earlier = group.rows.find((o) => o.row < r.row && o.cells.email !== '' && o.cells.email.toLowerCase() === r.cells.email.toLowerCase());
    if (earlier) report(r, 'email', `the same e-mail address is in row ${earlier.row}`);
  }

  // kind, language and endorser belong to the organisation: the first row that gives one decides; a later one may not differ
  const shared = (column: 'kind' | 'language' | 'endorser' | 'reply domains', normalise: (cell: string) => string): string | undefined => {
    const giving = group.rows.filter((r) => r.cells[column] !== '');
    const decider = giving[0];
    if (!decider) {
      if (column === 'kind' || column === 'language') report(first, column, 'is empty');
      return undefined;
    }
    const value = normalise(decider.cells[column]);
    for (const r of giving.slice(1)) {
      if (normalise(r.cells[column]) !== value) report(r, column, `differs from row ${decider.row} of the same organisation ("${decider.cells[column]}")`);
    }
    return value;
  };
  const kind = shared('kind', (k) => k.toLowerCase());
  const language = shared('language', (l) => l.replace(/^[A-Za-z]+/, (primary) => primary.toLowerCase()));
  const endorser = shared('endorser', (e) => String(BOOLEAN_CELLS.get(e.toLowerCase())));
  // mail domains separated by spaces, commas or semicolons, in any order and case
  const replyDomains = shared('reply domains', (d) => d.toLowerCase().split(/[\s,;]+/).filter((x) => x !== '').sort().join(' '));

  const parsed = commands.inviteStakeholder.schema.safeParse({
    organisation: first.cells.organisation,
    kind,
    contacts: group.rows.map((r) => ({ name: r.cells.name, email: r.cells.email })),
    language,
    endorser: endorser === 'true',
    ...(replyDomains !== undefined ? { replyDomains: replyDomains.split(' ') } : {}),
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, index, leaf] = issue.path;
      if (head === 'contacts' && typeof index === 'number' && group.rows[index]) report(group.rows[index], String(leaf ?? 'email'), issue.message);
      else if (head === 'contacts') {
        // the list as a whole: a repeated address (reported on its row above already) or too many contacts
        if (group.rows.every((r) => errors.get(r)!.length === 0)) report(first, 'email', issue.message);
      } else report(first, head === 'replyDomains' ? 'reply domains' : String(head ?? 'row'), issue.message);
    }
  }

  const bad = group.rows.filter((r) => errors.get(r)!.length > 0);
  if (bad.length === 0 && parsed.success) return { input: parsed.data };
  const badRows = bad.map((r) => r.row).join(', ');
  return {
    rows: group.rows.map((r) => {
      const own = errors.get(r)!;
      return errorRow(r, own.length > 0 ? own : [{ field: 'organisation', message: `not invited: row ${badRows} of the same organisation ${bad.length > 1 ? 'have' : 'has'} errors` }]);
    }),
  };
}

function errorRow(r: CsvRow, errors: ImportRowError[]): ImportRow {
  return { row: r.row, organisation: r.cells.organisation, status: 'error', errors };
}
