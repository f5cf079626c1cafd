// Replies by e-mail held for the coordinator: list them (coordinators only: the sender address is
// personal data), accept one (its comments count) or discard it; and download an attachment that
// a comment or held reply of the consultation references.
import { createReadStream, promises as fs } from 'node:fs';
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { DomainError } from '../../domain/errors.ts';
import { Sha256Hex } from '../../domain/schemas.ts';
import { AppError } from '../../errors/catalogue.ts';
import { attachmentPath } from '../../inbound/attachments.ts';
import { filterHeldReplies, HeldRepliesView, HeldReplyStatus, heldReplies, readAttachment } from '../../projections/held-replies.ts';
import { principalOf } from '../auth.ts';
import { commandRoute } from '../command-route.ts';
import type { ResourcePlugin } from '../context.ts';
import { ConsultationParams, problem, readErrors } from '../schemas.ts';
import { readConsultation, setEtag, Stale, staleMark } from '../views.ts';

const HeldReplyParams = z.strictObject({ id: z.uuid(), hid: z.uuid() });
const AttachmentParams = z.strictObject({ id: z.uuid(), sha256: Sha256Hex });
const HeldRepliesQuery = z.strictObject({ status: HeldReplyStatus.optional().describe('only the held replies with this status') });

/** A content type as recorded, if it is a plain `type/subtype` (its parameters dropped); else application/octet-stream. */
export function servedContentType(recorded: string): string {
  const bare = recorded.split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(bare) ? bare : 'application/octet-stream';
}

/** `attachment` with the file's name (RFC 6266): an ASCII fallback, and the name itself UTF-8 percent-encoded. */
export function attachmentDisposition(filename: string): string {
  const name = filename.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim() || 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export const heldReplyRoutes: ResourcePlugin = async (app, { ctx }) => {
  app.get('/consultations/:id/held-replies', {
    schema: {
      operationId: 'getHeldReplies',
      tags: ['held replies'],
      summary: 'Replies by e-mail held for the coordinator (wrong sender, after the deadline, an older draft, an unknown section, …), with every reason and what was decided',
      description: 'Coordinators only: a held reply carries the sender\'s address, personal data (an auditor is 403). In the order held; '
        + '`?status=pending` lists those still to accept or discard (they block adoption: HELD_REPLIES_PENDING). `counts` are of every status. '
        + 'Served with `Cache-Control: no-store`.',
      params: ConsultationParams,
      querystring: HeldRepliesQuery,
      response: {
        200: HeldRepliesView.extend(Stale),
        ...readErrors,
        403: problem('FORBIDDEN: only coordinators read held replies (the sender address is personal data)'),
      },
    },
  }, async (request, reply) => {
    if (principalOf(request).role !== 'coordinator') {
      throw new AppError('FORBIDDEN', 'only coordinators may read held replies: they carry the sender\'s address');
    }
    const { id } = request.params;
    const slot = await readConsultation(ctx, heldReplies, id);
    setEtag(reply, `${slot.lastRevision}-${request.query.status ?? 'all'}`, slot);
    reply.header('cache-control', 'no-store');
    return { ...filterHeldReplies(slot.view, request.query.status), ...staleMark(slot) };
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/held-replies/:hid/accept',
    operationId: 'acceptHeldReply',
    tags: ['held replies'],
    summary: 'Let a held reply count: its comments on the current draft (channel email, made when it was received, with the reasons it was held), past the deadline too',
    description: '`sectionKey` puts the whole reply on one section of the current draft (null: the whole draft), its blocks joined; omitted, each '
      + 'block becomes a comment on the section it named where that resolves, else on the whole draft. Accepting again the same way changes '
      + 'nothing; a held reply accepted otherwise or discarded is 409 HELD_REPLY_DECIDED. Text that cannot be a comment (empty, too long) is '
      + '422 HELD_REPLY_TEXT_INVALID: discard it and record the comment by hand.',
    params: HeldReplyParams,
    body: commands.acceptHeldReply.schema.omit({ heldId: true }),
    command: commands.acceptHeldReply,
    input: ({ params, body }) => ({ ...body, heldId: params.hid }),
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/held-replies/:hid/discard',
    operationId: 'discardHeldReply',
    tags: ['held replies'],
    summary: 'Decide a held reply does not count (spam, a duplicate, not the organisation\'s), with a reason',
    description: 'Discarding again changes nothing (the first reason stands); an accepted one is 409 HELD_REPLY_DECIDED.',
    params: HeldReplyParams,
    body: commands.discardHeldReply.schema.omit({ heldId: true }),
    command: commands.discardHeldReply,
    input: ({ params, body }) => ({ ...body, heldId: params.hid }),
  });

  app.get('/consultations/:id/attachments/:sha256', {
    schema: {
      operationId: 'getAttachment',
      tags: ['held replies'],
      summary: 'Download a file that came with a reply by e-mail, by its SHA-256: only one a comment or held reply of this consultation references',
      description: 'As a download (`Content-Disposition: attachment` with the file\'s name), with the content type it was received with '
        + '(application/octet-stream when that is not a plain type/subtype) and `X-Content-Type-Options: nosniff`.',
      params: AttachmentParams,
      response: {
        200: { description: 'the file\'s bytes', content: { 'application/octet-stream': { schema: z.string().describe('the file') } } },
        ...readErrors,
        404: problem('CONSULTATION_NOT_FOUND; ATTACHMENT_NOT_FOUND: no comment or held reply of this consultation references it, or its file is not stored'),
      },
    },
  }, async (request, reply) => {
    const { id, sha256 } = request.params;
    const reader = ctx.runner.reader(heldReplies);
    if (!await heldReplies.head(reader, id)) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${id}`);
    const attachment = await readAttachment(reader, id, sha256);
    if (!attachment || ctx.dataDir === null) throw new DomainError('ATTACHMENT_NOT_FOUND', `consultation ${id} references no attachment ${sha256}`);
    const file = attachmentPath(ctx.dataDir, sha256);
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) throw new DomainError('ATTACHMENT_NOT_FOUND', `the attachment ${sha256} is not stored`);
    return reply
      .type(servedContentType(attachment.contentType))
      .header('content-disposition', attachmentDisposition(attachment.filename))
      .header('content-length', String(stat.size))
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-cache')
      .header('etag', `"${sha256}"`)
      // a stream is sent as it is (no serializer runs); the schema above documents its bytes as a string
      .send(createReadStream(file) as unknown as string);
  });
};
