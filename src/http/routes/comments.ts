// Comments and the comment-resolution matrix: submit on a stakeholder's behalf (e.g. said in a
// meeting), answer (again = revise), retract, read the matrix as JSON (a page at a time) or CSV
// (whole), read one comment.
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { SectionKey } from '../../domain/schemas.ts';
import {
  commentMatrix, CommentMatrixView, CommentRow, CommentStatus, filterMatrix, MatrixCounts, readComment, readMatrixPage, type Answer, type MatrixFilter,
} from '../../projections/comment-matrix.ts';
import { DomainError } from '../../domain/errors.ts';
import { localTime } from '../../domain/local-time.ts';
import { docKey } from '../../projections/projection.ts';
import { commandRoute } from '../command-route.ts';
import type { ResourcePlugin } from '../context.ts';
import { CSV_CONTENT_TYPE, prefersCsv, toCsv, type CsvCell } from '../csv.ts';
import { nextCursor, PageNext, PageQuery, pageRequest } from '../paging.ts';
import { CommandAck, CommentParams, ConsultationParams, DraftVersion, readErrors } from '../schemas.ts';
import { AsOf, PointInTimeQuery, viewSource } from '../point-in-time.ts';
import { readConsultation, setEtag, Stale, staleMark } from '../views.ts';

// the view's own schemas: a field the view gains is served without a change here
const Comment = CommentRow.extend(Stale);

const Matrix = CommentMatrixView.extend({
  comments: CommentMatrixView.shape.comments.describe('this page of the comments matching the filters, in submission order'),
  counts: MatrixCounts.describe('of every comment matching the filters, on all pages; retracted ones are counted only in `retracted`'),
  ...PageNext,
});

const WHOLE_DRAFT = 'whole';

const MatrixQuery = z.strictObject({
  version: DraftVersion.optional().describe('only comments on this draft version'),
  section: z.union([z.literal(''), SectionKey]).optional()
    .describe(`only comments on this section key; empty (\`section=\`) or \`${WHOLE_DRAFT}\` for comments on the whole draft`),
  stakeholder: z.string().min(1).max(100).optional().describe('only this stakeholder\'s comments'),
  status: CommentStatus.optional(),
  ...PageQuery,
  ...PointInTimeQuery,
});

/** Who answered, as a spreadsheet shows it: "gender-office (coordinator)". */
function actorCell(by: CommentRow['answeredBy']): string | null {
  return by === null ? null : `${by.id} (${by.role})`;
}

/** The answers the latest one revised, oldest first, each with when (also in the consultation's zone), who and its disposition, then its text. */
function earlierAnswersCell(answers: readonly Answer[], timeZone: string): string | null {
  if (answers.length === 0) return null;
  return answers.map((a, i) => `${i + 1}. ${a.answeredAt} (${localTime(a.answeredAt, timeZone)})${a.answeredBy ? ` by ${actorCell(a.answeredBy)}` : ''}, `
    + `${a.disposition}:\n${a.response}`).join('\n\n');
}

/** The CSV export's columns, in order, with what each holds. */
const CSV_COLUMNS: ReadonlyArray<readonly [string, (c: CommentRow, timeZone: string) => CsvCell]> = [
  ['Reference', (c) => c.ref],
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
  ['Answered by', (c) => actorCell(c.answeredBy)],
  ['Earlier answers', (c, timeZone) => earlierAnswersCell(c.earlierAnswers, timeZone)], // the text of each answer the latest one revised
  ['Retraction reason', (c) => c.retraction?.reason ?? null],
  ['Retracted at', (c) => c.retraction?.retractedAt ?? null],
  // one line per file: "<filename> (<content type>, <size> bytes, sha256 <hash>)"
  ['Attachments', (c) => (c.attachments.length === 0 ? null : c.attachments.map((a) => `${a.filename} (${a.contentType}, ${a.size} bytes, sha256 ${a.sha256})`).join('\n'))],
];

export function commentsCsv(rows: readonly CommentRow[], timeZone: string): string {
  return toCsv(CSV_COLUMNS.map(([name]) => name), rows.map((row) => CSV_COLUMNS.map(([, cell]) => cell(row, timeZone))), { timeZone });
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
      schema: CommandAck.extend({ commentId: z.string(), ref: z.string().describe('the reference people quote: C-1, C-2, …') }),
      answer: (result, { params }) => {
        // on an idempotent replay these are the first run's events
        const commentId = result.events[0]?.data['commentId'];
        if (typeof commentId !== 'string') throw new Error('SubmitComment produced no CommentSubmitted event');
        const ref = result.state.comments.get(commentId)?.ref;
        if (ref === undefined) throw new Error(`the state has no comment ${commentId} after SubmitComment`);
        return { location: `/consultations/${params.id}/comments/${commentId}`, body: { commentId, ref, revision: result.revision } };
      },
    },
  });

  app.get('/consultations/:id/comments', {
    schema: {
      operationId: 'getCommentMatrix',
      tags: ['comments'],
      summary: 'The comment-resolution matrix, filtered, a page at a time; `Accept: text/csv` returns every filtered row as a CSV file',
      description: 'JSON is the default: a page of at most `limit` comments (default 500) and `next`, the `cursor` of the next '
        + 'page (null on the last); pass the same filters with each cursor. With `Accept: text/csv` (preferred over '
        + 'application/json) every filtered comment comes, unpaged (`limit` and `cursor` do not apply), as RFC 4180 CSV with a '
        + 'UTF-8 BOM and a header row: Reference, Comment ID, Draft version, Section key (empty: whole draft), Section, '
        + 'Stakeholder ID, Organisation, Channel, Made at, Submitted at, Comment, Proposed text, Status, Disposition, Response, '
        + 'Answered at, Answered by ("<actor id> (<role>)"), Earlier answers (the text of each answer the latest revised, oldest '
        + 'first, each after a line "<n>. <answered at> (<the same, local>) by <actor>, <disposition>:"), Retraction reason, Retracted at, '
        + 'Attachments (one line per file: "<filename> (<content type>, <size> bytes, sha256 <hash>)"); after each '
        + '"… at" column the same time in the consultation\'s time zone, ISO-8601 local time with its offset, headed with the zone '
        + '("Made at (Europe/Amsterdam)"). A cell starting with =, +, -, @, tab or CR is prefixed with \' so a spreadsheet shows it as text.',
      params: ConsultationParams,
      querystring: MatrixQuery,
      response: {
        200: {
          description: 'the matrix, or its rows as CSV',
          content: {
            'application/json': { schema: Matrix.extend(Stale).extend(AsOf) },
            'text/csv': { schema: z.string().describe('every filtered comment (unpaged), one row each, after a header row') },
          },
        },
        ...readErrors,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const filter = filterOf(request.query);
    const source = await viewSource(ctx, id, request.query);
    reply.header('vary', 'Accept');
    if (prefersCsv(request.headers.accept)) {
      const slot = await readConsultation(ctx, commentMatrix, id, source);
      setEtag(reply, source.etag(`${slot.lastRevision}-csv`), slot);
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="comments-${id}.csv"`)
        .send(commentsCsv(filterMatrix(slot.view, filter).comments, await ctx.timeZones.of(id)));
    }
    const prefix = docKey(id, '');
    const page = await readMatrixPage(source.reader(commentMatrix), id, filter, pageRequest(request.query, prefix));
    if (!page) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${id}`);
    setEtag(reply, source.etag(String(page.lastRevision)), page);
    return reply.type('application/json; charset=utf-8').send({
      consultationId: id, comments: page.rows, counts: page.counts, next: nextCursor(page.next, prefix), ...staleMark(page), ...source.mark(),
    });
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
