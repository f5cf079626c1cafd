// A stakeholder's messages: every one it was sent (or that failed), a page at a time, from the
// stakeholders view; and the preview of a message as it would go to one of its contacts now,
// composed by src/mail from the consultation's state (the command handler's fold) and the texts
// its events hold. A preview sends nothing and records nothing.
//
// The preview holds the contact's own personal link and reply address: working credentials of
// that person. Only coordinators may ask for one (an auditor only reads, and would otherwise get a
// link that acts as the stakeholder), and it is never cached.
import { z } from 'zod';
import { AppError } from '../../errors/catalogue.ts';
import { DomainError } from '../../domain/errors.ts';
import { fromRecorded } from '../../domain/decode.ts';
import type { ReadonlyState } from '../../domain/consultation.ts';
import { requireContact, requireExists, requireStakeholder } from '../../domain/rules.ts';
import { Phase } from '../../domain/schemas.ts';
import { streamNameFor } from '../../domain/stream-name.ts';
import { composeMessage } from '../../mail/compose.ts';
import { messageFactsNow, needsTexts, type ConsultationTexts, type MessageChoice } from '../../mail/facts-now.ts';
import { LANGUAGES } from '../../mail/language.ts';
import { TEMPLATE_KINDS, type MessageCommon } from '../../mail/render.ts';
import { messagesPrefix, readStakeholderMessages, StakeholderMessage, stakeholders } from '../../projections/stakeholders.ts';
import { principalOf } from '../auth.ts';
import type { HttpContext, ResourcePlugin } from '../context.ts';
import { nextCursor, PageNext, PageQuery, pageRequest } from '../paging.ts';
import { problem, readErrors, StakeholderParams } from '../schemas.ts';
import { setEtag, Stale, staleMark } from '../views.ts';

const HistoryQuery = z.strictObject({
  contact: z.union([z.uuid(), z.literal('none')]).optional()
    .describe('only the messages for this contact (its contactId, a current or a former one); `none`: those recorded without a contact'),
  ...PageQuery,
});

const History = z.object({
  stakeholderId: z.string(),
  messages: z.array(StakeholderMessage).describe('in the order they were first recorded'),
  ...PageNext,
});

const PreviewQuery = z.strictObject({
  kind: z.enum(TEMPLATE_KINDS).describe('which message: invitation, new-draft (notice), endorsement-request (notice), reminder, acknowledgement, outcome, answers-digest'),
  contact: z.uuid().optional().describe('the contact person it is for (a contactId of the stakeholder\'s); default: its primary contact'),
  phase: Phase.optional().describe('with kind=reminder (and only then): comments or endorsement'),
}).refine((q) => (q.kind === 'reminder') === (q.phase !== undefined), { path: ['phase'], message: 'give phase with kind=reminder, and only then' });

const Mailbox = z.object({ name: z.string(), address: z.string() });
const Preview = z.object({
  subject: z.string(),
  text: z.string().describe('the plain-text part'),
  html: z.string().describe('the HTML part: every value escaped'),
  to: Mailbox.describe('the contact: its own message'),
  replyTo: z.string().nullable().describe('reply+<token>@INBOUND_DOMAIN, the contact\'s own; null without INBOUND_DOMAIN'),
  from: Mailbox.describe('MAIL_FROM'),
  language: z.enum(LANGUAGES).describe('the stakeholder\'s language when it is one of these, else the consultation\'s first, else en'),
});

export const messageRoutes: ResourcePlugin = async (app, { ctx }) => {
  app.get('/consultations/:id/stakeholders/:sid/messages', {
    schema: {
      operationId: 'listStakeholderMessages',
      tags: ['stakeholders'],
      summary: 'Every message sent to the stakeholder or failed, a page at a time, each with the contact it was for (the stakeholder view lists each contact\'s latest)',
      params: StakeholderParams,
      querystring: HistoryQuery,
      response: { 200: History.extend(Stale), ...readErrors },
    },
  }, async (request, reply) => {
    const { id, sid } = request.params;
    const { contact } = request.query;
    const prefix = messagesPrefix(id, sid);
    const slot = await readStakeholderMessages(ctx.runner.reader(stakeholders), id, sid, pageRequest(request.query, prefix),
      contact === undefined ? undefined : contact === 'none' ? null : contact);
    if (!slot) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${id}`);
    if (!slot.stakeholder) throw new DomainError('STAKEHOLDER_NOT_FOUND', `no stakeholder ${sid}`);
    setEtag(reply, String(slot.lastRevision), slot);
    return { stakeholderId: sid, messages: slot.messages.rows, next: nextCursor(slot.messages.next, prefix), ...staleMark(slot) };
  });

  app.get('/consultations/:id/stakeholders/:sid/messages/preview', {
    schema: {
      operationId: 'previewMessage',
      tags: ['stakeholders'],
      summary: 'The message of a kind as it would go to one of the stakeholder\'s contacts now, in its language (coordinators only); sends and records nothing',
      description: 'Composed as the mail workers compose it: the stakeholder\'s language (else the consultation\'s first, else English), the deadlines '
        + 'that apply to it in the consultation\'s time zone, the contact\'s own personal link and Reply-To. Those are the contact\'s working '
        + 'credentials: coordinators only (an auditor is 403), and `Cache-Control: no-store`. What a kind says: invitation — the current draft '
        + 'and deadlines (and endorsement, for an endorser with a request open); new-draft — the latest draft and its note; endorsement-request '
        + 'and reminder (phase=endorsement) — the open request; reminder (phase=comments) — the latest draft; acknowledgement — its latest '
        + 'comment; outcome — the closing; answers-digest — the answers to its comments recorded today (the consultation\'s day, in its time zone). Whether it is due for this '
        + 'stakeholder (removed, declined, answered) is not judged.',
      params: StakeholderParams,
      querystring: PreviewQuery,
      response: {
        200: Preview,
        ...readErrors,
        403: problem('FORBIDDEN: only coordinators preview messages (a preview holds the contact\'s personal link)'),
        404: problem('CONSULTATION_NOT_FOUND, STAKEHOLDER_NOT_FOUND, CONTACT_NOT_FOUND (not one of the stakeholder\'s contacts now)'),
        409: problem('the kind has nothing to say now: NO_DRAFT, NO_ENDORSEMENT_REQUEST, NOT_AN_ENDORSER, CONSULTATION_CLOSED (only the outcome), '
          + 'CONSULTATION_NOT_CLOSED (outcome), NO_COMMENT_TO_ACKNOWLEDGE, NO_ANSWERS_TO_DIGEST'),
      },
    },
  }, async (request, reply) => {
    if (principalOf(request).role !== 'coordinator') {
      throw new AppError('FORBIDDEN', 'only coordinators may preview a message: it holds the contact\'s personal link');
    }
    const { id, sid } = request.params;
    const { kind, contact: contactId, phase } = request.query;
    const state = await ctx.handler.load(id);
    requireExists(state);
    const x = requireStakeholder(state, sid);
    const contact = contactId === undefined ? x.contacts[0] : requireContact(x, contactId);
    if (!contact) throw new DomainError('CONTACT_NOT_FOUND', `stakeholder ${sid} has no contact`);
    const choice: MessageChoice = kind === 'reminder' ? { kind, phase: phase! } : { kind };
    const { consultation, texts } = await readTexts(ctx, id, state, needsTexts(kind));
    const now = ctx.clock();
    const facts = messageFactsNow(state, x, contact.contactId, choice, texts, now.toISOString());
    const { mail, rendered } = await composeMessage(ctx.mail, {
      jobId: `preview-${compact(id)}-${compact(contact.contactId)}-${kind}`,
      subject: { consultationId: id, stakeholderId: x.id, contactId: contact.contactId },
      consultation,
      stakeholder: { organisation: x.organisation, language: x.language },
      contact: { name: contact.name, email: contact.email },
      facts,
      date: now,
    });
    reply.header('cache-control', 'no-store');
    return {
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      to: mail.to,
      replyTo: typeof mail.replyTo === 'string' ? mail.replyTo : null,
      from: mail.from as typeof mail.to, // buildMail always gives { name, address }
      language: rendered.language,
    };
  });
};

function compact(uuid: string): string {
  return uuid.replaceAll('-', '').toLowerCase();
}

/**
 * What the consultation's events say that its state does not keep: what it was opened with
 * (always: its first event), and when the kind needs them the latest draft's note, the closing and
 * the answers with their times (its events up to the state's revision, read once).
 */
async function readTexts(ctx: HttpContext, id: string, state: ReadonlyState, all: boolean): Promise<{ consultation: MessageCommon['consultation']; texts: ConsultationTexts }> {
  const events = (await ctx.store.readStream(streamNameFor(id), { fromRevision: 0, maxCount: all ? state.revision + 1 : 1 })).map((e) => fromRecorded(e));
  let consultation: MessageCommon['consultation'] | null = null;
  const texts: { draftNote: string | null; closing: ConsultationTexts['closing']; answers: ConsultationTexts['answers'][number][] } = { draftNote: null, closing: null, answers: [] };
  for (const { event, metadata } of events) {
    switch (event?.type) {
      case 'ConsultationOpened': {
        const { title, leadOrganisation, languages, timeZone } = event.data;
        consultation ??= { title, leadOrganisation, languages, timeZone };
        break;
      }
      case 'DraftPublished':
        if (event.data.version === state.latestVersion) texts.draftNote = event.data.note ?? null;
        break;
      case 'ConsultationClosed':
        texts.closing = { outcome: event.data.outcome, finalDraftVersion: event.data.finalDraftVersion, note: event.data.note ?? null };
        break;
      case 'CommentAnswered':
        texts.answers.push({ commentId: event.data.commentId, disposition: event.data.disposition, recordedAt: metadata.recordedAt });
        break;
      default:
        break;
    }
  }
  if (!consultation) throw new DomainError('CONSULTATION_NOT_FOUND', `no consultation ${id}`);
  return { consultation, texts };
}
