// Per consultation, one row per stakeholder: who it is, where its invitation stands, what it has
// sent in, what it was reminded of, and what the coordinator still awaits from it.
//
// Documents: the head (per consultation) holds the consultation's facts the rows depend on
// (status, current draft, everyone's deadlines, the open endorsement request) and how many
// stakeholders were invited; each stakeholder's facts are a document of their own
// ("<consultation>/<stakeholder>", ordered by invitation); each comment has a small document
// ("<consultation>/<comment>": whose, on which version, retracted) so that an answer or a
// retraction finds its stakeholder without a scan. The derived fields (invitationStatus,
// ownDeadlines, reviewCompleted, endorsement, awaiting) are computed when the view is read, by the
// domain's rules, so a new draft, request, deadline or closing rewrites no row.
//
// Messages: each message recorded for a stakeholder (InvitationSent, NoticeSent, ReminderSent,
// DeliveryFailed, by messageId) is a document of its own ("<consultation>/<stakeholder>/<message>",
// ordered by its first record), the whole history, served a page at a time
// (readStakeholderMessages). The row keeps, per contact, only the latest RECENT_MESSAGES of them
// and how many were sent and failed, so a stakeholder with a thousand messages costs each new one
// what it cost the first: the row stays bounded, and a message's own document tells whether a
// record changes a message already counted (a failure, then the retry that went out). A message
// without a contactId (recorded before contacts had ids, or by hand without one) is the
// stakeholder's, not one person's: it is listed under the stakeholder (otherMessages, contactId
// null), as are the messages to a contact it no longer has (with that contact's id).
//
// The view's shape is its zod schema (StakeholdersView); the routes serve it with that schema.
import { z } from 'zod';
import { StoredContact, type DomainEvent, type EventOf } from '../domain/events.ts';
import { ownDeadlineOverride } from '../domain/rules.ts';
import { ConsultationStatus, MailTransport, MessageKind, NoticeKind, Phase, StakeholderKind } from '../domain/schemas.ts';
import {
  Awaiting, awaitingFrom, EndorsementDecision, EndorsementStatus, endorsementStatus, endorserChanged, InvitationResponse, InvitationStatus,
  invitationStatus, MessageOutcome, messageOutcome, type CurrentDraftFacts,
} from '../domain/standing.ts';
import { pageOf, type Page, type PageRequest } from './paging.ts';
import { collection, docKey, isLater, latest, later, perConsultation, readable, type DocReader, type Docs, type EventContext } from './projection.ts';
import { eraseContact } from '../domain/erased.ts';

export const Reminder = z.object({
  messageId: z.string(),
  phase: Phase,
  draftVersion: z.number(),
  /** the deadline it reminded of */
  deadline: z.string(),
  sentAt: z.string(),
});
export type Reminder = z.infer<typeof Reminder>;

export const DeliveryFailure = z.object({
  messageId: z.string(),
  messageKind: MessageKind,
  error: z.string(),
  permanent: z.boolean(),
  failedAt: z.string(),
});
export type DeliveryFailure = z.infer<typeof DeliveryFailure>;

/** How many of its latest messages a row shows per contact (the rest: readStakeholderMessages). */
export const RECENT_MESSAGES = 10;
/** How many of its latest reminders a row lists (`remindersSent` counts them all; every one: readStakeholderMessages). */
export const RECENT_REMINDERS = 10;

/** One message as its records tell it (a message is its messageId: a failure and the retry that went out are one message). */
const MessageRecord = z.object({
  messageId: z.string(),
  kind: MessageKind,
  notice: NoticeKind.nullable().describe('which notice (kind notice): null for the other kinds, and for a notice of which only a failure was recorded'),
  phase: Phase.nullable().describe('what a reminder (kind reminder) was about; null for the other kinds'),
  draftVersion: z.number().int().nullable().describe('the draft version a notice or reminder was about, where its record names one'),
  deadline: z.string().nullable().describe('the deadline a reminder reminded of; null for the other kinds'),
  transport: MailTransport.nullable().describe('as recorded: file — written to the file outbox, never sent; null when the record does not say (sent by SMTP, or recorded by hand)'),
  sentAt: z.string().nullable().describe('when it was sent (the latest record of it); null: never recorded as sent'),
  failure: z.object({ error: z.string(), permanent: z.boolean(), failedAt: z.string() }).nullable()
    .describe('its latest delivery failure (by failedAt), kept after a retry that went out; null: none recorded'),
});
type MessageRecord = z.infer<typeof MessageRecord>;

export const Message = MessageRecord.extend({
  /** see messageOutcome (src/domain/standing.ts) */
  status: MessageOutcome.describe('failed: a failure was recorded and it was not sent after it; else sent'),
});
export type Message = z.infer<typeof Message>;

export const MessageCounts = z.object({
  sent: z.number().int().describe('messages whose status is sent'),
  failed: z.number().int().describe('messages whose status is failed'),
}).describe('every message to it, not only those listed');

/** Per contact (or for the stakeholder as a whole): its latest messages and how many there are. */
const MessagesOf = {
  messages: z.array(Message).describe(`its latest ${RECENT_MESSAGES} messages at most, newest first (by when first recorded); every one: GET …/stakeholders/:sid/messages`),
  messageCounts: MessageCounts,
};

export const RowContact = StoredContact.extend(MessagesOf);

export const OtherMessages = z.object({
  contactId: z.string().nullable().describe('a contact it no longer has; null: recorded without a contact (before contacts had ids, or by hand), the stakeholder\'s as a whole'),
  ...MessagesOf,
});

/** A message as the stakeholder's history lists it: with the contact it was for. */
export const StakeholderMessage = Message.extend({
  contactId: z.string().nullable().describe('the contact person it was for; null: recorded without one (before contacts had ids, or by hand)'),
});
export type StakeholderMessage = z.infer<typeof StakeholderMessage>;

export const OwnExtension = z.object({ draftVersion: z.number().int(), deadline: z.string(), reason: z.string() });
export type OwnExtension = z.infer<typeof OwnExtension>;

export const StakeholderRow = z.object({
  id: z.string(),
  organisation: z.string(),
  kind: StakeholderKind,
  contacts: z.array(RowContact).describe('the first is the primary contact; each with its stable contactId and what was sent to it'),
  otherMessages: z.array(OtherMessages)
    .describe('messages to contacts it no longer has, and (contactId null) those recorded without a contact; [] when none'),
  language: z.string(),
  endorser: z.boolean(),
  replyDomains: z.array(z.string()).describe('mail domains from which any address may reply for it by e-mail, besides its contacts\' addresses; [] when none'),
  /** see invitationStatus (src/domain/standing.ts) */
  invitationStatus: InvitationStatus.describe('removed > declined > accepted > delivery-failed > e-mailed > invited'),
  /** its answer to the invitation; a reinstatement after a decline makes it pending again */
  response: InvitationResponse,
  declineReason: z.string().nullable(),
  /** null unless it is removed now */
  removal: z.object({ reason: z.string(), removedAt: z.string() }).nullable(),
  /** `sentAt` of the first InvitationSent */
  invitationSentAt: z.string().nullable(),
  /** the latest `sentAt` of any message recorded as sent to it */
  lastMessageSentAt: z.string().nullable(),
  /** the latest delivery failure (by `failedAt`), kept after a later message succeeded; see invitationStatus */
  lastDeliveryFailure: DeliveryFailure.nullable(),
  /** its latest own extension per phase, whichever version it was granted on */
  extensions: z.object({ comments: OwnExtension.nullable(), endorsement: OwnExtension.nullable() }),
  /**
   * The deadline that applies to it where its own extension does (ownDeadlineOverride): for the
   * current draft version (comments) or the open endorsement request (endorsement). null:
   * everyone's deadline applies.
   */
  ownDeadlines: z.object({ comments: z.string().nullable(), endorsement: z.string().nullable() }),
  /** comments not retracted, per draft version (keys are version numbers; versions with none are absent) */
  commentsByVersion: z.record(z.string(), z.number()),
  reviewedVersions: z.array(z.number()),
  /** it completed its review of the current draft version */
  reviewCompleted: z.boolean(),
  reminders: z.array(Reminder).describe(`its latest ${RECENT_REMINDERS} reminders at most, oldest first; every one: GET …/stakeholders/:sid/messages`),
  remindersSent: z.number().int().describe('every reminder sent to it, those listed and those before'),
  /** its latest decision per draft version (keys are version numbers), of those that count: made since it last became an endorser */
  decisions: z.record(z.string(), EndorsementDecision),
  /** decisions made before it last became or ceased to be an endorser (see endorserChanged): history, no longer counted */
  earlierDecisions: z.record(z.string(), EndorsementDecision)
    .describe('decisions made before it last became or ceased to be an endorser: kept as history, no longer counted'),
  endorsement: EndorsementStatus,
  /** when the latest event concerning it was recorded (its own acts, the coordinator's acts on it or its comments, messages to it) */
  lastActivityAt: z.string(),
  /** when its latest own act was recorded: accepting, declining, commenting, completing a review, endorsing, withholding */
  lastResponseAt: z.string().nullable(),
  newLinkRequest: z.object({ contactId: z.string(), reason: z.enum(['expired', 'revoked']), requestedAt: z.string() }).nullable()
    .describe('the latest request for a new personal link, made from the page of a refused link (expired, or revoked: removed, or no longer its contact); null: none'),
  /** see awaitingFrom (src/domain/standing.ts) */
  awaiting: z.array(Awaiting).describe('what the coordinator still awaits from it; [] when nothing'),
});
export type StakeholderRow = z.infer<typeof StakeholderRow>;

/** The consultation's facts every row depends on. */
const ConsultationFacts = z.object({
  consultationId: z.string(),
  status: ConsultationStatus,
  currentDraftVersion: z.number().nullable(),
  /** the current draft's comment deadline for everyone */
  commentDeadline: z.string().nullable(),
  /** the open endorsement request, with everyone's deadline */
  endorsementRequest: z.object({ draftVersion: z.number(), deadline: z.string() }).nullable(),
});
type ConsultationFacts = z.infer<typeof ConsultationFacts>;

export const StakeholdersView = ConsultationFacts.extend({
  stakeholders: z.array(StakeholderRow).describe('in invitation order'),
});
export type StakeholdersView = z.infer<typeof StakeholdersView>;

// ---- documents ----

const StakeholdersHead = ConsultationFacts.extend({
  /** how many stakeholders were invited: the order of the last one's document */
  invited: z.number().int(),
});
type StakeholdersHead = z.infer<typeof StakeholdersHead>;

/** The messages of one contact (contactId null: those recorded without one), as a row keeps them. */
const MailGroup = z.object({
  contactId: z.string().nullable(),
  /** newest first, at most RECENT_MESSAGES */
  recent: z.array(MessageRecord),
  sent: z.number().int(),
  failed: z.number().int(),
});
type MailGroup = z.infer<typeof MailGroup>;

/** A stakeholder's facts, as stored: its row without the fields derived when it is read; its contacts as the events give them, their messages apart. */
const StakeholderFacts = StakeholderRow.omit({
  invitationStatus: true, ownDeadlines: true, reviewCompleted: true, endorsement: true, awaiting: true, contacts: true, otherMessages: true,
}).extend({
  contacts: z.array(StoredContact),
  /** per contact that was ever sent something (and one for messages without a contact), in the order of their first message */
  mail: z.array(MailGroup),
});
type StakeholderFacts = z.infer<typeof StakeholderFacts>;

/** Which stakeholder made a comment, to apply answers and retractions to its row. */
const CommentRef = z.object({ stakeholderId: z.string(), draftVersion: z.number(), retracted: z.boolean() });

/** One message's document: its records, whose it is and the contact it was for (fixed by its first record). */
const MessageDoc = MessageRecord.extend({ stakeholderId: z.string(), contactId: z.string().nullable() });
type MessageDoc = z.infer<typeof MessageDoc>;

const Rows = collection('stakeholders', StakeholderFacts);
const Comments = collection('comments', CommentRef);
const Messages = collection('messages', MessageDoc);

export const stakeholders = perConsultation<StakeholdersHead, StakeholdersView>({
  name: 'stakeholders',
  version: 7,
  head: StakeholdersHead,
  collections: [Rows, Comments, Messages],
  open(e) {
    return {
      consultationId: e.data.consultationId,
      status: 'open',
      currentDraftVersion: null,
      commentDeadline: null,
      endorsementRequest: null,
      invited: 0,
    };
  },
  apply: applyEvent,
}, async (head, reader, consultationId) => ({
  ...consultationFacts(head),
  stakeholders: (await reader.list(Rows, `${consultationId}/`)).map(servedBy(reader, head)),
}));

function consultationFacts(head: StakeholdersHead): ConsultationFacts {
  return {
    consultationId: head.consultationId,
    status: head.status,
    currentDraftVersion: head.currentDraftVersion,
    commentDeadline: head.commentDeadline,
    endorsementRequest: head.endorsementRequest,
  };
}

/**
 * One page of the view: the consultation's facts and the stakeholders `keep` accepts (all when not
 * given) after `page.after`, in invitation order. null: the view does not know the consultation.
 */
export async function readStakeholdersPage(
  reader: DocReader, consultationId: string, page: PageRequest, keep?: (x: StakeholderRow) => boolean,
): Promise<{ view: ConsultationFacts & Page<StakeholderRow>; lastRevision: number; stale: boolean } | null> {
  const head = await stakeholders.head(reader, consultationId);
  if (!head) return null;
  const rows = await pageOf(reader, Rows, `${consultationId}/`, page, servedBy(reader, head.view), keep);
  return { view: { ...consultationFacts(head.view), ...rows }, lastRevision: head.lastRevision, stale: reader.stale };
}

/** Rows as served from this reader: on a stale one (an older version's documents), a document this version cannot read is VIEWS_REBUILDING. */
function servedBy(reader: DocReader, head: ConsultationFacts): (x: StakeholderFacts) => StakeholderRow {
  return (x) => served(readable(reader, Rows, x, stakeholders.name)!, head);
}

/**
 * One stakeholder's row, read from its own document (and the consultation's head), with the
 * stream revision the head reflects (as `stakeholders.read` gives it for the whole view);
 * `stakeholder` is null for one the view does not know, the whole answer null for a consultation
 * it does not know.
 */
export async function readStakeholder(
  reader: DocReader, consultationId: string, stakeholderId: string,
): Promise<{ stakeholder: StakeholderRow | null; lastRevision: number; stale: boolean } | null> {
  const head = await stakeholders.head(reader, consultationId);
  if (!head) return null;
  const x = readable(reader, Rows, await reader.get(Rows, docKey(consultationId, stakeholderId)), stakeholders.name);
  return { stakeholder: x === null ? null : served(x, head.view), lastRevision: head.lastRevision, stale: reader.stale };
}

/** Where a stakeholder's messages are listed: "<consultation>/<stakeholder>/". */
export function messagesPrefix(consultationId: string, stakeholderId: string): string {
  return docKey(consultationId, `${stakeholderId}/`);
}

/**
 * One page of a stakeholder's messages, every one it was ever sent (or that failed), in the order
 * they were first recorded; only those for `contactId` when given (null: those recorded without a
 * contact). `stakeholder` false: the view does not know the stakeholder; the whole answer null: nor
 * the consultation.
 */
export async function readStakeholderMessages(
  reader: DocReader, consultationId: string, stakeholderId: string, page: PageRequest, contactId?: string | null,
): Promise<{ stakeholder: boolean; messages: Page<StakeholderMessage>; lastRevision: number; stale: boolean } | null> {
  const head = await stakeholders.head(reader, consultationId);
  if (!head) return null;
  const row = readable(reader, Rows, await reader.get(Rows, docKey(consultationId, stakeholderId)), stakeholders.name);
  const slot = { lastRevision: head.lastRevision, stale: reader.stale };
  if (row === null) return { stakeholder: false, messages: { rows: [], next: null }, ...slot };
  const keep = (m: StakeholderMessage & { stakeholderId: string }) => m.stakeholderId === stakeholderId && (contactId === undefined || m.contactId === contactId);
  const page_ = await pageOf(reader, Messages, messagesPrefix(consultationId, stakeholderId), page,
    (d) => ({ ...servedMessage(readable(reader, Messages, d, stakeholders.name)!), contactId: d.contactId, stakeholderId: d.stakeholderId }), keep);
  return { stakeholder: true, messages: { rows: page_.rows.map(({ stakeholderId: _, ...m }) => m), next: page_.next }, ...slot };
}

/** The stakeholders from whom something is awaited. */
export function awaitingAnswer(view: StakeholdersView): StakeholderRow[] {
  return view.stakeholders.filter(isAwaited);
}

/** Something is awaited from this stakeholder. */
export function isAwaited(x: StakeholderRow): boolean {
  return x.awaiting.length > 0;
}

// ---- applying events ----

async function applyEvent(head: StakeholdersHead, e: DomainEvent, at: EventContext, docs: Docs): Promise<void> {
  const row = (id: string, f: (x: StakeholderFacts) => void) => withRow(docs, docKey(at.consultationId, id), f);
  const touch = (x: StakeholderFacts) => {
    x.lastActivityAt = later(x.lastActivityAt, at.recordedAt);
  };
  const own = (x: StakeholderFacts) => {
    touch(x);
    x.lastResponseAt = latest(x.lastResponseAt, at.recordedAt);
  };
  switch (e.type) {
    case 'DraftPublished':
      if (head.currentDraftVersion !== null && e.data.version <= head.currentDraftVersion) return;
      head.currentDraftVersion = e.data.version;
      head.commentDeadline = e.data.commentDeadline;
      return;
    case 'EndorsementRequested':
      head.endorsementRequest = { draftVersion: e.data.draftVersion, deadline: e.data.deadline };
      return;
    case 'EndorsementRequestCancelled':
      if (head.endorsementRequest?.draftVersion === e.data.draftVersion) head.endorsementRequest = null;
      return;
    case 'ConsultationClosed':
      head.status = 'closed';
      return;
    case 'DeadlineExtended': {
      const { phase, draftVersion, deadline, reason, stakeholderId } = e.data;
      if (stakeholderId !== undefined) {
        return row(stakeholderId, (x) => {
          touch(x);
          x.extensions[phase] = { draftVersion, deadline, reason };
        });
      }
      if (phase === 'comments') {
        if (draftVersion === head.currentDraftVersion) head.commentDeadline = deadline;
      } else if (head.endorsementRequest?.draftVersion === draftVersion) {
        head.endorsementRequest = { draftVersion, deadline };
      }
      return;
    }
    case 'StakeholderInvited': {
      const key = docKey(at.consultationId, e.data.stakeholderId);
      if (await docs.get(Rows, key)) return;
      head.invited += 1;
      docs.put(Rows, key, {
        id: e.data.stakeholderId,
        organisation: e.data.organisation,
        kind: e.data.kind,
        contacts: e.data.contacts.map(storedContact),
        mail: [],
        language: e.data.language,
        endorser: e.data.endorser,
        replyDomains: e.data.replyDomains ?? [],
        response: 'pending',
        declineReason: null,
        removal: null,
        invitationSentAt: null,
        lastMessageSentAt: null,
        lastDeliveryFailure: null,
        extensions: { comments: null, endorsement: null },
        commentsByVersion: {},
        reviewedVersions: [],
        reminders: [],
        remindersSent: 0,
        decisions: {},
        earlierDecisions: {},
        lastActivityAt: at.recordedAt,
        lastResponseAt: null,
        newLinkRequest: null,
      }, head.invited);
      return;
    }
    case 'StakeholderContactsChanged':
      return row(e.data.stakeholderId, (x) => {
        touch(x);
        x.contacts = e.data.contacts.map(storedContact);
      });
    case 'PersonalDataErased':
      for (const { stakeholderId, contactId } of e.data.contacts) {
        await row(stakeholderId, (x) => {
          x.contacts = x.contacts.map((c) => (c.contactId === contactId ? eraseContact(c) : c));
        });
      }
      return;
    case 'StakeholderDetailsChanged': {
      const { organisation, kind, language, endorser, replyDomains } = e.data;
      return row(e.data.stakeholderId, (x) => {
        touch(x);
        if (organisation !== undefined) x.organisation = organisation;
        if (replyDomains !== undefined) x.replyDomains = replyDomains;
        if (kind !== undefined) x.kind = kind;
        if (language !== undefined) x.language = language;
        if (endorserChanged(x.endorser, endorser)) {
          x.endorser = endorser;
          Object.assign(x.earlierDecisions, x.decisions);
          x.decisions = {};
        }
      });
    }
    case 'InvitationAccepted':
      return row(e.data.stakeholderId, (x) => {
        own(x);
        x.response = 'accepted';
        x.declineReason = null;
      });
    case 'InvitationDeclined':
      return row(e.data.stakeholderId, (x) => {
        own(x);
        x.response = 'declined';
        x.declineReason = e.data.reason ?? null;
      });
    case 'NewLinkRequested':
      return row(e.data.stakeholderId, (x) => {
        touch(x);
        x.newLinkRequest = { contactId: e.data.contactId, reason: e.data.reason, requestedAt: at.recordedAt };
      });
    case 'StakeholderRemoved':
      return row(e.data.stakeholderId, (x) => {
        touch(x);
        x.removal = { reason: e.data.reason, removedAt: at.recordedAt };
      });
    case 'StakeholderReinstated':
      return row(e.data.stakeholderId, (x) => {
        touch(x);
        x.removal = null;
        if (x.response === 'declined') {
          x.response = 'pending';
          x.declineReason = null;
        }
      });
    case 'CommentSubmitted': {
      const { commentId, stakeholderId, draftVersion } = e.data;
      const key = docKey(at.consultationId, commentId);
      if (await docs.get(Comments, key)) return;
      docs.put(Comments, key, { stakeholderId, draftVersion, retracted: false });
      return row(stakeholderId, (x) => {
        own(x);
        addCount(x.commentsByVersion, draftVersion, 1);
      });
    }
    case 'CommentRetracted': {
      const key = docKey(at.consultationId, e.data.commentId);
      const ref = await docs.get(Comments, key);
      if (!ref || ref.retracted) return;
      ref.retracted = true;
      docs.put(Comments, key, ref);
      return row(ref.stakeholderId, (x) => {
        touch(x);
        addCount(x.commentsByVersion, ref.draftVersion, -1);
      });
    }
    case 'CommentAnswered': {
      const ref = await docs.get(Comments, docKey(at.consultationId, e.data.commentId));
      if (ref) await row(ref.stakeholderId, touch);
      return;
    }
    case 'ReviewCompleted':
      return row(e.data.stakeholderId, (x) => {
        own(x);
        if (!x.reviewedVersions.includes(e.data.draftVersion)) x.reviewedVersions.push(e.data.draftVersion);
      });
    case 'DraftEndorsed':
    case 'EndorsementWithheld': {
      const decision = e.type === 'DraftEndorsed' ? 'endorsed' : 'withheld';
      const version = String(e.data.draftVersion);
      return row(e.data.stakeholderId, (x) => {
        own(x);
        // the latest decision recorded on a version replaces the earlier one
        x.decisions[version] = decision;
      });
    }
    case 'InvitationSent': {
      const { sentAt } = e.data;
      return message(docs, at, e, (x) => {
        touch(x);
        sent(x, sentAt);
        x.invitationSentAt ??= sentAt;
      });
    }
    case 'NoticeSent': {
      const { sentAt } = e.data;
      return message(docs, at, e, (x) => {
        touch(x);
        sent(x, sentAt);
      });
    }
    case 'ReminderSent': {
      const { messageId, phase, draftVersion, deadline, sentAt } = e.data;
      return message(docs, at, e, (x) => {
        touch(x);
        sent(x, sentAt);
        if (x.reminders.some((r) => r.messageId === messageId)) return;
        // the latest few, and a count: a row costs the same after the hundredth reminder as after the first
        x.reminders = [...x.reminders, { messageId, phase, draftVersion, deadline, sentAt }].slice(-RECENT_REMINDERS);
        x.remindersSent++;
      });
    }
    case 'DeliveryFailed': {
      const { messageId, messageKind, error, permanent, failedAt } = e.data;
      return message(docs, at, e, (x) => {
        touch(x);
        if (!(x.lastDeliveryFailure && isLater(x.lastDeliveryFailure.failedAt, failedAt))) {
          x.lastDeliveryFailure = { messageId, messageKind, error, permanent, failedAt };
        }
      });
    }
    default:
      return;
  }
}

/** Changes one stakeholder's document in place; unknown stakeholders change nothing. */
async function withRow(docs: Docs, key: string, f: (x: StakeholderFacts) => void): Promise<void> {
  const x = await docs.get(Rows, key);
  if (!x) return;
  f(x);
  docs.put(Rows, key, x);
}

type MessageEvent = EventOf<'InvitationSent' | 'NoticeSent' | 'ReminderSent' | 'DeliveryFailed'>;

/**
 * A record of a message: its row changed by `f`, its own document created or changed, and the
 * row's summary for its contact (the latest messages, the counts) kept in step. Reads and writes
 * the row and the message's document only, whatever the number of messages before.
 */
async function message(docs: Docs, at: EventContext, e: MessageEvent, f: (x: StakeholderFacts) => void): Promise<void> {
  const { stakeholderId, messageId } = e.data;
  const rowKey = docKey(at.consultationId, stakeholderId);
  const x = await docs.get(Rows, rowKey);
  if (!x) return;
  f(x);
  const key = `${messagesPrefix(at.consultationId, stakeholderId)}${messageId}`;
  const known = await docs.get(Messages, key);
  const before = known === null ? null : outcomeOf(known);
  const doc: MessageDoc = known ?? {
    messageId,
    stakeholderId,
    contactId: e.data.contactId ?? null,
    kind: e.type === 'DeliveryFailed' ? e.data.messageKind : KIND_OF[e.type],
    notice: null, phase: null, draftVersion: null, deadline: null, transport: null, sentAt: null, failure: null,
  };
  recordInto(doc, e);
  docs.put(Messages, key, doc, known === null ? at.revision : undefined);

  let group = x.mail.find((g) => g.contactId === doc.contactId);
  if (!group) x.mail.push(group = { contactId: doc.contactId, recent: [], sent: 0, failed: 0 });
  if (before !== null) group[before] -= 1;
  group[outcomeOf(doc)] += 1;
  const { stakeholderId: _s, contactId: _c, ...record } = doc;
  const listed = group.recent.findIndex((m) => m.messageId === messageId);
  if (listed >= 0) group.recent[listed] = record;
  else if (known === null) group.recent = [record, ...group.recent].slice(0, RECENT_MESSAGES);
  // (a message that fell out of the latest ones is counted again, not listed again)
  docs.put(Rows, rowKey, x);
}

const KIND_OF = { InvitationSent: 'invitation', NoticeSent: 'notice', ReminderSent: 'reminder' } as const;

/** What the record says of the message, on top of what earlier ones said. */
function recordInto(doc: MessageDoc, e: MessageEvent): void {
  switch (e.type) {
    case 'DeliveryFailed': {
      const { error, permanent, failedAt } = e.data;
      if (!(doc.failure && isLater(doc.failure.failedAt, failedAt))) doc.failure = { error, permanent, failedAt };
      return;
    }
    case 'InvitationSent':
      break;
    case 'NoticeSent':
      doc.notice = e.data.notice;
      doc.draftVersion = e.data.draftVersion ?? doc.draftVersion;
      break;
    case 'ReminderSent':
      doc.phase = e.data.phase;
      doc.draftVersion = e.data.draftVersion;
      doc.deadline = e.data.deadline;
      break;
  }
  doc.kind = KIND_OF[e.type];
  doc.sentAt = latest(doc.sentAt, e.data.sentAt);
  doc.transport = e.data.transport ?? doc.transport;
}

function outcomeOf(m: Pick<MessageRecord, 'sentAt' | 'failure'>): MessageOutcome {
  return messageOutcome({ sentAt: m.sentAt, failedAt: m.failure?.failedAt ?? null });
}

function servedMessage({ messageId, kind, notice, phase, draftVersion, deadline, transport, sentAt, failure }: MessageRecord): Message {
  return { messageId, kind, notice, phase, draftVersion, deadline, transport, sentAt, failure, status: outcomeOf({ sentAt, failure }) };
}

function sent(x: StakeholderFacts, sentAt: string): void {
  x.lastMessageSentAt = latest(x.lastMessageSentAt, sentAt);
}

/** Counts per version; a version whose count falls to 0 is removed. */
function addCount(counts: Record<string, number>, version: number, delta: number): void {
  const key = String(version);
  const n = (counts[key] ?? 0) + delta;
  if (n > 0) counts[key] = n;
  else delete counts[key];
}

// ---- reading: the derived fields ----

type Derived = Pick<StakeholderRow, 'invitationStatus' | 'ownDeadlines' | 'reviewCompleted' | 'endorsement' | 'awaiting'>;

/** A stakeholder's row as served: its facts, its contacts with their messages, the derived fields computed now. */
function served(x: StakeholderFacts, c: ConsultationFacts): StakeholderRow {
  const { contacts, mail, ...facts } = x;
  const messagesOf = (g: MailGroup | undefined) => ({ messages: (g?.recent ?? []).map(servedMessage), messageCounts: { sent: g?.sent ?? 0, failed: g?.failed ?? 0 } });
  const current = new Set(contacts.map((k) => k.contactId));
  return {
    ...facts,
    contacts: contacts.map((k) => ({ contactId: k.contactId, name: k.name, email: k.email, ...messagesOf(mail.find((g) => g.contactId === k.contactId)) })),
    otherMessages: mail.filter((g) => g.contactId === null || !current.has(g.contactId)).map((g) => ({ contactId: g.contactId, ...messagesOf(g) })),
    ...derived(x, c),
  };
}

/** The derived fields, by the domain's rules (standing.ts, rules.ts) over the row's facts and the consultation's. */
function derived(x: StakeholderFacts, c: ConsultationFacts): Derived {
  const current = c.currentDraftVersion;
  const request = c.endorsementRequest;
  const onCurrent: CurrentDraftFacts | null = current === null ? null : {
    commented: x.commentsByVersion[String(current)] !== undefined,
    reviewed: x.reviewedVersions.includes(current),
    decision: x.decisions[String(current)] ?? null,
    endorsementRequested: request !== null && request.draftVersion === current,
  };
  const facts = {
    endorser: x.endorser,
    removed: x.removal !== null,
    declined: x.response === 'declined',
    accepted: x.response === 'accepted',
    commented: Object.keys(x.commentsByVersion).length > 0,
    reviewed: x.reviewedVersions.length > 0,
    decided: Object.keys(x.decisions).length > 0 || Object.keys(x.earlierDecisions).length > 0,
  };
  return {
    invitationStatus: invitationStatus({
      removed: facts.removed,
      response: x.response,
      invitationSent: x.invitationSentAt !== null,
      lastSentAt: x.lastMessageSentAt,
      lastFailedAt: x.lastDeliveryFailure?.failedAt ?? null,
    }),
    ownDeadlines: {
      comments: current === null || c.commentDeadline === null ? null : ownDeadlineOverride(c.commentDeadline, x.extensions.comments, current),
      endorsement: request === null ? null : ownDeadlineOverride(request.deadline, x.extensions.endorsement, request.draftVersion),
    },
    reviewCompleted: onCurrent?.reviewed ?? false,
    endorsement: endorsementStatus(x, onCurrent),
    awaiting: awaitingFrom(c.status === 'open', facts, onCurrent),
  };
}

/** What a row keeps of a contact: its id, name and address. */
function storedContact(c: z.infer<typeof StoredContact>): z.infer<typeof StoredContact> {
  return { contactId: c.contactId, name: c.name, email: c.email };
}
