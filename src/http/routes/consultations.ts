// Consultations: open, list, summary, drafts, deadlines, close, and the raw history for auditors.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { commands } from '../../commands/index.ts';
import { idFor } from '../../domain/ids.ts';
import { streamNameFor } from '../../domain/stream-name.ts';
import { ConsultationSummary, consultationsList, listConsultations } from '../../projections/consultations-list.ts';
import { commandRoute } from '../command-route.ts';
import type { ResourcePlugin } from '../context.ts';
import { idempotencyKey } from '../run-command.ts';
import { CommandAck, ConsultationParams, readErrors } from '../schemas.ts';
import { DamagedFlag, flagDamaged } from '../damage-guard.ts';
import { AsOf, PointInTimeQuery, viewSource } from '../point-in-time.ts';
import { readConsultation, requestTime, setEtag, Stale, staleMark } from '../views.ts';

// the view's own schema: a field the view gains is served without a change here
const Summary = ConsultationSummary;

export const consultationRoutes: ResourcePlugin = async (app, { ctx }) => {
  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations',
    operationId: 'openConsultation',
    tags: ['consultations'],
    summary: 'Open a consultation (with an Idempotency-Key, a retry never opens a second one)',
    body: commands.openConsultation.schema,
    command: commands.openConsultation,
    // the id is derived from the key (a name-based UUID), so a retried POST finds the same stream
    consultationId: (_checked, request) => {
      const key = idempotencyKey(request);
      return key ? idFor(key, 'consultation') : randomUUID();
    },
    created: {
      schema: CommandAck.extend({ id: z.uuid() }),
      answer: (result) => ({ location: `/consultations/${result.consultationId}`, body: { id: result.consultationId, revision: result.revision } }),
    },
  });

  app.get('/consultations', {
    schema: {
      operationId: 'listConsultations',
      tags: ['consultations'],
      summary: 'Every consultation with its status, draft, deadlines and counts',
      querystring: z.strictObject({ status: z.enum(['open', 'closed']).optional() }),
      response: { 200: z.object({ consultations: z.array(Summary.extend({ damaged: DamagedFlag.optional() })), ...Stale }), ...readErrors },
    },
  }, async (request, reply) => {
    // the position before the read: the list is at least as new as its ETag says (never older)
    const position = ctx.runner.status().find((s) => s.name === consultationsList.name)?.position ?? 'start';
    const reader = ctx.runner.reader(consultationsList);
    setEtag(reply, position, reader);
    const all = await listConsultations(reader, requestTime(ctx));
    return { consultations: flagDamaged(request.query.status ? all.filter((c) => c.status === request.query.status) : all, ctx.damage), ...staleMark(reader) };
  });

  app.get('/consultations/:id', {
    schema: {
      operationId: 'getConsultation',
      tags: ['consultations'],
      summary: 'One consultation\'s summary; `?revision=` or `?at=`: as it stood then',
      params: ConsultationParams,
      querystring: z.strictObject(PointInTimeQuery),
      response: { 200: Summary.extend(Stale).extend(AsOf), ...readErrors },
    },
  }, async (request, reply) => {
    const source = await viewSource(ctx, request.params.id, request.query);
    const slot = await readConsultation(ctx, consultationsList, request.params.id, source);
    setEtag(reply, source.etag(String(slot.lastRevision)), slot);
    return { ...slot.view.summary, ...staleMark(slot), ...source.mark() };
  });

  commandRoute(app, ctx, {
    method: 'PUT',
    url: '/consultations/:id/reminders',
    operationId: 'configureReminders',
    tags: ['consultations'],
    summary: 'Set how reminders go out before each deadline: offsets (default REMINDER_OFFSETS), on or off, and a message of your own',
    description: 'Replaces the settings before. Reminders go only to those from whom comments or an endorsement are still awaited; '
      + 'those already scheduled follow the new settings (one at an offset no longer listed, or while switched off, sends nothing).',
    params: ConsultationParams,
    body: commands.configureReminders.schema,
    command: commands.configureReminders,
  });

  commandRoute(app, ctx, {
    method: 'PUT',
    url: '/consultations/:id/notify-emails',
    operationId: 'changeNotifyEmails',
    tags: ['consultations'],
    summary: 'Set the coordinating office\'s mailboxes to alert: delivery failures and held replies reach them as one digest a day at most',
    description: 'Replaces the list before (`[]`: nobody is alerted). Each address once (a repeated one, in any case, is dropped), at most 20. '
      + 'The same list again records nothing. The consultation view shows them (`notifyEmails`).',
    params: ConsultationParams,
    body: commands.changeNotifyEmails.schema,
    command: commands.changeNotifyEmails,
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/deadlines',
    operationId: 'extendDeadline',
    tags: ['consultations'],
    summary: 'Extend the comment or endorsement deadline, for everyone or one stakeholder',
    params: ConsultationParams,
    body: commands.extendDeadline.schema,
    command: commands.extendDeadline,
  });

  commandRoute(app, ctx, {
    method: 'POST',
    url: '/consultations/:id/close',
    operationId: 'closeConsultation',
    tags: ['consultations'],
    summary: 'Close as adopted (the final version is the latest and nothing blocks its adoption) or withdrawn',
    description: 'Adopting needs every comment that is not retracted, on every version, to have an answer; every required endorser '
      + 'to have endorsed the final version; its comment period to be over, stakeholders\' own extensions included; and at least one '
      + 'required endorser. Otherwise 409 `ADOPTION_BLOCKED`, whose `details.reasons` lists every reason at once, each with its `code` '
      + '(`COMMENTS_UNANSWERED`, `ENDORSEMENTS_MISSING`, `COMMENT_PERIOD_OPEN`, `NO_ENDORSERS`) and what it names: the same list as the '
      + 'sign-off view\'s `adoptionBlockedBy`.',
    params: ConsultationParams,
    body: commands.closeConsultation.schema,
    command: commands.closeConsultation,
  });

  app.get('/consultations/:id/events', {
    schema: {
      operationId: 'getHistory',
      tags: ['audit'],
      summary: 'The raw history, each event with its hash and prevHash, paginated by revision',
      params: ConsultationParams,
      querystring: z.strictObject({
        from: z.coerce.number().int().min(0).default(0).describe('first revision to return'),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      response: {
        200: z.object({
          consultationId: z.string(),
          events: z.array(z.object({
            revision: z.number(), id: z.string(), type: z.string(),
            data: z.record(z.string(), z.unknown()), metadata: z.record(z.string(), z.unknown()),
            hash: z.string(), prevHash: z.string(), created: z.string(),
          })),
          next: z.number().nullable().describe('the `from` of the next page, or null at the end'),
        }),
        ...readErrors,
      },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    const { from, limit } = request.query;
    const page = await ctx.store.readStream(streamNameFor(id), { fromRevision: from, maxCount: limit + 1 });
    if (page.length === 0 && (from === 0 || (await ctx.store.readStream(streamNameFor(id), { maxCount: 1 })).length === 0)) {
      await readConsultation(ctx, consultationsList, id); // 404 for a consultation that does not exist
    }
    const events = page.slice(0, limit).map((e) => ({
      revision: e.revision, id: e.id, type: e.type, data: e.data, metadata: e.metadata,
      hash: String(e.metadata.hash ?? ''), prevHash: String(e.metadata.prevHash ?? ''), created: e.created,
    }));
    const last = events.at(-1);
    if (last) setEtag(reply, `${from}-${last.revision}`);
    return { consultationId: id, events, next: page.length > limit && last ? last.revision + 1 : null };
  });
};
