// Comments and the comment-resolution matrix: submit on a stakeholder's behalf (e.g. said in a
// meeting), answer (again = revise), retract, read the matrix as JSON or CSV, read one comment.
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { SectionKey } from '../../domain/schemas.ts';
import {
  commentMatrix, CommentMatrixView, CommentRow, CommentStatus, filterMatrix, MatrixCounts, readComment, type MatrixFilter,
} from '../../projections/comment-matrix.ts';
import { DomainError } from '../../domain/errors.ts';
import { commandRoute } from '../command-route.ts';
import type { ResourcePlugin } from '../context.ts';
import { CSV_CONTENT_TYPE, prefersCsv, toCsv, type CsvCell } from '../csv.ts';
import { CommandAck, CommentParams, ConsultationParams, DraftVersion, readErrors } from '../schemas.ts';
import { readConsultation, setEtag, Stale, staleMark } from '../views.ts';

// the view's own schemas: a field the view gains is served without a change here
const Comment = CommentRow.extend(Stale);

const Matrix = CommentMatrixView.extend({
  counts: MatrixCounts.describe('of the comments listed; retracted ones are counted only in `retracted`'),
});

const WHOLE_DRAFT = 'whole';

const MatrixQuery = z.strictObject({
  version: DraftVersion.optional().describe('only comments on this draft version'),
  section: z.union([z.literal(''), SectionKey]).optional()
    .describe(`only comments on this section key; empty (\`section=\`) or \`${WHOLE_DRAFT}\` for comments on the whole draft`),
  stakeholder: z.string().min(1).max(100).optional().describe('only this stakeholder\'s comments'),
  status: CommentStatus.optional(),
});

/** The CSV export's columns, in order, with what each holds. */
const CSV_COLUMNS: ReadonlyArray<readonly [string, (c: CommentRow) => CsvCell]> = [
  ['Comment ID', (c) => c.commentId],
  ['Draft version', (c) => c.draftVersion],
  ['Section key', (c) => c.sectionKey], // empty: the whole draft
  ['Section', (c) => (c.sectionKey === null ? 'Whole draft' : c.sectionHeading)],
  ['Stakeholder ID', (c) => c.stakeholderId],
  ['Organisation', (c) => c.organisation],
  ['Channel', (c) => c.channel],
  ['Made at', (c) => c.madeAt],
  ['Submitted at', (c) => c.submittedAt],
  ['Comment', (c) => c.text],
  ['Proposed text', (c) => c.proposedText],
  ['Status', (c) => c.status],
  ['Disposition', (c) => c.disposition],
  ['Response', (c) => c.response],
  ['Answered at', (c) => c.answeredAt],
  ['Earlier answers', (c) => c.earlierAnswers.length], // how many answers the latest one revised
  ['Retraction reason', (c) => c.retraction?.reason ?? null],
  ['Retracted at', (c) => c.retraction?.retractedAt ?? null],
];

export function commentsCsv(rows: readonly CommentRow[]): string {
  return toCsv(CSV_COLUMNS.map(([name]) => name), rows.map((row) => CSV_COLUMNS.map(([, cell]) => cell(row))));
}

function filterOf(query: z.output<typeof MatrixQuery>): MatrixFilter {
  const { version, section, stakeholder, status } = query;
  return {
    ...(version !== undefined ? { version } : {}),
    ...(section !== undefined ? { sectionKey: section === '' || section === WHOLE_DRAFT ? null : section } : {}),
    ...(stakeholder !== undefined ? { stakeholderId: stakeholder } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}

export const commentRoutes: ResourcePlugin = async (app, { ctx }) => {
  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/comments',
    operationId: 'submitComment',
    tags: ['comments'],
    summary: 'Submit a comment on a stakeholder\'s behalf (e.g. made in a meeting or a letter: channel and madeAt); sectionKey omitted = the whole draft',
    params: ConsultationParams,
    body: commands.submitComment.schema,
    command: commands.submitComment,
    created: {
      schema: CommandAck.extend({ commentId: z.string() }),
      answer: (result, { params }) => {
        // on an idempotent replay these are the first run's events
        const commentId = result.events[0]?.data['commentId'];
        if (typeof commentId !== 'string') throw new Error('SubmitComment produced no CommentSubmitted event');
        return { location: `/consultations/${params.id}/comments/${commentId}`, body: { commentId, revision: result.revision } };
      },
    },
  });

  app.get('/consultations/:id/comments', {
    schema: {
      operationId: 'getCommentMatrix',
      tags: ['comments'],
      summary: 'The comment-resolution matrix, filtered; `Accept: text/csv` returns the filtered rows as a CSV file',
      description: 'JSON is the default. With `Accept: text/csv` (preferred over application/json) the filtered comments come as '
        + 'RFC 4180 CSV with a UTF-8 BOM and a header row: Comment ID, Draft version, Section key (empty: whole draft), Section, '
        + 'Stakeholder ID, Organisation, Channel, Made at, Submitted at, Comment, Proposed text, Status, Disposition, Response, '
        + 'Answered at, Earlier answers (how many answers the latest revised), Retraction reason, Retracted at. A cell starting '
        + 'with =, +, -, @, tab or CR is prefixed with \' so a spreadsheet shows it as text.',
      params: ConsultationParams,
      querystring: MatrixQuery,
      response: {
        200: {
          description: 'the matrix, or its rows as CSV',
          content: {
            'application/json': { schema: Matrix.extend(Stale) },
            'text/csv': { schema: z.string().describe('the filtered comments, one row each, after a header row') },
          },
        },
        ...readErrors,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const slot = await readConsultation(ctx, commentMatrix, id);
    const { comments, counts } = filterMatrix(slot.view, filterOf(request.query));
    reply.header('vary', 'Accept');
    if (prefersCsv(request.headers.accept)) {
      setEtag(reply, `${slot.lastRevision}-csv`, slot);
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="comments-${id}.csv"`)
        .send(commentsCsv(comments));
    }
    setEtag(reply, String(slot.lastRevision), slot);
    return reply.type('application/json; charset=utf-8').send({ consultationId: id, comments, counts, ...staleMark(slot) });
  });

  app.get('/consultations/:id/comments/:cid', {
    schema: {
      operationId: 'getComment',
      tags: ['comments'],
      summary: 'One comment\'s row of the matrix',
      params: CommentParams,
      response: { 200: Comment, ...readErrors },
    },
  }, async (request, reply) => {
    const { id, cid } = request.params;
    const slot = await readComment(ctx.runner.reader(commentMatrix), id, cid);
    if (!slot) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${id}`);
    if (!slot.comment) throw new DomainError('COMMENT_NOT_FOUND', `no comment ${cid}`);
    setEtag(reply, `${cid}-${slot.lastRevision}`, slot);
    return { ...slot.comment, ...staleMark(slot) };
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/comments/:cid/answer',
    operationId: 'answerComment',
    tags: ['comments'],
    summary: 'Answer a comment; answering again revises the answer (the earlier ones stay in the matrix)',
    params: CommentParams,
    body: commands.answerComment.schema.omit({ commentId: true }),
    command: commands.answerComment,
    input: ({ params, body }) => ({ ...body, commentId: params.cid }),
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/comments/:cid/retract',
    operationId: 'retractComment',
    tags: ['comments'],
    summary: 'Retract a comment (e.g. entered on the wrong stakeholder); it stays in the matrix as retracted and is not counted',
    params: CommentParams,
    body: commands.retractComment.schema.omit({ commentId: true }),
    command: commands.retractComment,
    input: ({ params, body }) => ({ ...body, commentId: params.cid }),
  });
};
