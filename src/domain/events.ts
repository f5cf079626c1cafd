// Every fact about a consultation, as it is stored on its stream `consultation-<uuid>`.
// Plain JSON: ISO-8601 strings for time, no Date/Map/bigint. A breaking change to an event's
// shape gets a new type name or an upcaster; old events must still replay.
import { z } from 'zod';
import {
  Channel, Disposition, Instant, LanguageCode, MailTransport, MessageKind, NoticeKind, Outcome, Phase, StakeholderKind, TimeZone,
} from './schemas.ts';

// Stored shapes are checked loosely: text as any string, ids as any string. The input rules
// (schemas.ts) got stricter over time; what earlier code stored must still decode, and the hash
// chain, not these schemas, is what proves an event was not altered.
const StakeholderRef = { stakeholderId: z.string() };
// The views copy these shapes from the events, so they describe them with the same schemas.
/** A contact person: `contactId` is stable while the address stays (contacts.ts); events stored before ids existed get it from an upcaster. */
export const StoredContact = z.object({ contactId: z.string(), name: z.string(), email: z.string() });
/** A contact's name and address without its id (what the views show of it so far). */
export const ContactDetails = StoredContact.pick({ name: true, email: true });
export const StoredTranslation = z.object({ heading: z.string(), text: z.string() });
/** `translations` is absent from the drafts published before drafts had languages */
export const StoredSection = z.object({
  key: z.string(),
  heading: z.string(),
  text: z.string(),
  translations: z.record(z.string(), StoredTranslation).optional(),
});
export const StoredSignatory = z.object({ name: z.string(), title: z.string() });
/** a file that came with a reply by e-mail, by the hash it is stored under */
export const StoredAttachment = z.object({ sha256: z.string(), filename: z.string(), contentType: z.string(), size: z.number() });
/** a part of a reply by e-mail: `section` as the mail wrote it ("3", "s2"), null for the whole draft */
export const StoredReplyBlock = z.object({ section: z.string().nullable(), text: z.string(), truncated: z.boolean().optional() });
/** why a reply was held: a code (HeldReasonCode), in words, and the block (0-based) it is about when it is about one */
export const StoredHeldReason = z.object({ code: z.string(), message: z.string(), block: z.number().int().optional() });

export const EventDataSchemas = {
  ConsultationOpened: z.object({
    consultationId: z.string(),
    title: z.string(),
    summary: z.string(),
    leadOrganisation: z.string(),
    languages: z.array(LanguageCode),
    timeZone: TimeZone,
    /** the coordinating office's mailboxes to alert (absent: none, as before the field existed) */
    notifyEmails: z.array(z.string()).optional(),
  }),
  /** the coordinating office's mailboxes to alert, replacing those before ([]: none) */
  NotifyEmailsChanged: z.object({ notifyEmails: z.array(z.string()) }),
  DraftPublished: z.object({
    version: z.number().int().positive(),
    sections: z.array(StoredSection),
    commentDeadline: Instant,
    note: z.string().optional(),
  }),
  StakeholderInvited: z.object({
    ...StakeholderRef,
    organisation: z.string(),
    kind: StakeholderKind,
    /** the first contact is the primary one */
    contacts: z.array(StoredContact).min(1),
    language: LanguageCode,
    endorser: z.boolean(),
    /** mail domains from which any address may reply for it (absent: none, only its contacts' addresses) */
    replyDomains: z.array(z.string()).optional(),
  }),
  StakeholderContactsChanged: z.object({
    ...StakeholderRef,
    contacts: z.array(StoredContact).min(1),
    /** the contactIds among `contacts` it did not have before (absent in events written before: unknown), each invited by the mail relay */
    added: z.array(z.string()).optional(),
  }),
  /** a correction of who the stakeholder is: only the fields that changed are present */
  StakeholderDetailsChanged: z.object({
    ...StakeholderRef,
    organisation: z.string().optional(),
    kind: StakeholderKind.optional(),
    language: LanguageCode.optional(),
    endorser: z.boolean().optional(),
    replyDomains: z.array(z.string()).optional(),
  }),
  InvitationAccepted: z.object({ ...StakeholderRef }),
  InvitationDeclined: z.object({ ...StakeholderRef, reason: z.string().optional() }),
  StakeholderRemoved: z.object({ ...StakeholderRef, reason: z.string() }),
  StakeholderReinstated: z.object({ ...StakeholderRef, reason: z.string().optional() }),
  CommentSubmitted: z.object({
    commentId: z.string(),
    ...StakeholderRef,
    /** the contact person who wrote it (through a personal link or reply address); absent: the organisation's as a whole */
    contactId: z.string().optional(),
    draftVersion: z.number().int().positive(),
    /** null: the comment is on the whole draft */
    sectionKey: z.string().nullable(),
    text: z.string(),
    proposedText: z.string().optional(),
    channel: Channel,
    madeAt: Instant,
    /** files that came with it (a reply by e-mail) */
    attachments: z.array(StoredAttachment).optional(),
    /** set when a coordinator accepted a held reply by e-mail: which one, and the reasons it was held */
    heldReplyId: z.string().optional(),
    heldReason: z.array(z.string()).optional(),
  }),
  CommentRetracted: z.object({ commentId: z.string(), reason: z.string() }),
  ReviewCompleted: z.object({ ...StakeholderRef, draftVersion: z.number().int().positive() }),
  CommentAnswered: z.object({ commentId: z.string(), disposition: Disposition, response: z.string() }),
  EndorsementRequested: z.object({ draftVersion: z.number().int().positive(), deadline: Instant }),
  EndorsementRequestCancelled: z.object({
    draftVersion: z.number().int().positive(),
    /** `superseded` when a new draft version was published */
    reason: z.string(),
  }),
  DraftEndorsed: z.object({
    ...StakeholderRef,
    /** the contact person who made the decision (through a personal link); absent: the organisation's as a whole */
    contactId: z.string().optional(),
    draftVersion: z.number().int().positive(),
    signatory: StoredSignatory,
    statement: z.string().optional(),
    evidence: z.string().optional(),
  }),
  EndorsementWithheld: z.object({ ...StakeholderRef, contactId: z.string().optional(), draftVersion: z.number().int().positive(), reason: z.string() }),
  DeadlineExtended: z.object({
    phase: Phase,
    draftVersion: z.number().int().positive(),
    deadline: Instant,
    previousDeadline: Instant,
    reason: z.string(),
    /** present when the extension is for one stakeholder only */
    stakeholderId: z.string().optional(),
  }),
  /**
   * The coordinator asked for the invitation to go out again: to every contact, or to `contactId`
   * only. The mail relay sends it as a new message (its own job and Message-ID).
   */
  InvitationResendRequested: z.object({ ...StakeholderRef, contactId: z.string().optional() }),
  /** A contact whose personal link was refused (expired or revoked) asked the coordinator for a new one, from the refused link's page. */
  NewLinkRequested: z.object({ ...StakeholderRef, contactId: z.string(), reason: z.enum(['expired', 'revoked']) }),
  /**
   * The consultation's reminders, replacing the settings before: `offsets` how long before each
   * deadline (durations such as "7d", "36h", longest first; null: the server's REMINDER_OFFSETS),
   * `enabled` false sends none, `message` the coordinators' words added to each.
   */
  RemindersConfigured: z.object({
    offsets: z.array(z.string()).nullable(),
    enabled: z.boolean(),
    message: z.string().optional(),
  }),
  // The records of mail: `contactId` names the contact person it went to (absent in events
  // recorded by hand through the API without one, and in those written before contacts had ids);
  // `transport` "file" says the message was written to the file outbox, not sent (absent: sent,
  // or recorded by hand).
  InvitationSent: z.object({ ...StakeholderRef, contactId: z.string().optional(), messageId: z.string(), sentAt: Instant, transport: MailTransport.optional() }),
  NoticeSent: z.object({
    ...StakeholderRef,
    contactId: z.string().optional(),
    transport: MailTransport.optional(),
    messageId: z.string(),
    notice: NoticeKind,
    draftVersion: z.number().int().positive().optional(),
    sentAt: Instant,
  }),
  ReminderSent: z.object({
    ...StakeholderRef,
    contactId: z.string().optional(),
    transport: MailTransport.optional(),
    messageId: z.string(),
    phase: Phase,
    draftVersion: z.number().int().positive(),
    deadline: Instant,
    sentAt: Instant,
  }),
  DeliveryFailed: z.object({
    ...StakeholderRef,
    contactId: z.string().optional(),
    messageId: z.string(),
    messageKind: MessageKind,
    error: z.string(),
    /** a permanent failure (unknown mailbox) will not be retried */
    permanent: z.boolean(),
    failedAt: Instant,
  }),
  /**
   * A digest went to one of the coordinating office's mailboxes (notifyEmails): what went wrong in
   * the consultation from `from` (inclusive) to `to` (exclusive), by section (`sections`: the kinds
   * of item it listed, e.g. "delivery-failures").
   */
  OfficeNotified: z.object({
    to: z.string(),
    messageId: z.string(),
    digest: z.literal('office-digest'),
    from: Instant,
    until: Instant,
    sections: z.array(z.string()),
    sentAt: Instant,
    transport: MailTransport.optional(),
  }),
  /** A digest to one of the office's mailboxes could not be delivered (it is not itself reported in a digest). */
  OfficeNotificationFailed: z.object({
    to: z.string(),
    messageId: z.string(),
    error: z.string(),
    permanent: z.boolean(),
    failedAt: Instant,
  }),
  /**
   * A reply by e-mail that did not count as it came (wrong sender, after the deadline, an older
   * draft, an unknown section, empty or too long text, …): kept for the coordinator with every
   * reason, never dropped. `from` is personal data. `draftVersion` is the draft that was current
   * when it was received (null: none). Block texts are stored sanitised, and cut when very long.
   */
  InboundReplyHeld: z.object({
    heldId: z.string(),
    ...StakeholderRef,
    contactId: z.string(),
    messageId: z.string(),
    draftVersion: z.number().int().positive().nullable(),
    from: z.string(),
    subject: z.string().optional(),
    receivedAt: Instant,
    blocks: z.array(StoredReplyBlock),
    attachments: z.array(StoredAttachment),
    /** the Authentication-Results verdict of the receiving system (INBOUND_AUTHSERV_ID), when there was one */
    authentication: z.object({ authservId: z.string(), verdict: z.string() }).optional(),
    reasons: z.array(StoredHeldReason).min(1),
  }),
  /** a coordinator let a held reply count: the CommentSubmitted events of the same command are its comments */
  InboundReplyAccepted: z.object({
    heldId: z.string(),
    /** the section the coordinator named for the whole reply (null: the whole draft); absent: each block as it resolves */
    sectionKey: z.string().nullable().optional(),
    commentIds: z.array(z.string()),
  }),
  InboundReplyDiscarded: z.object({ heldId: z.string(), reason: z.string() }),
  /**
   * The personal data of one person was erased (crypto-shredding, src/privacy): the keys named were
   * destroyed, so every value sealed with them reads as [erased] from now on, in every replay. It
   * names what those values were, by id only (it holds no personal data): the contacts, the
   * signatures (a DraftEndorsed, by its stakeholder, version and the time it was recorded) and the
   * held replies whose sender it was. `reason` is the coordinator's (e.g. the request's reference).
   */
  PersonalDataErased: z.object({
    erasureId: z.string(),
    reason: z.string(),
    keyIds: z.array(z.string()),
    contacts: z.array(z.object({ stakeholderId: z.string(), contactId: z.string() })),
    signatures: z.array(z.object({ stakeholderId: z.string(), draftVersion: z.number().int(), recordedAt: Instant })),
    heldReplies: z.array(z.string()),
  }),
  ConsultationClosed: z.object({
    outcome: Outcome,
    finalDraftVersion: z.number().int().positive().nullable(),
    note: z.string().optional(),
  }),
} as const;

export type EventType = keyof typeof EventDataSchemas;

/** An event as `decide` produces it: the handler adds the id and metadata when it appends. */
export type DomainEvent = {
  [K in EventType]: { type: K; data: z.infer<(typeof EventDataSchemas)[K]> };
}[EventType];

export type EventOf<K extends EventType> = Extract<DomainEvent, { type: K }>;

/** Metadata on every stored consultation event. */
export const EventMetadata = z.object({
  commandId: z.string(),
  /** of the command's canonical input, to tell a retried command from a reused id: `hmac:…` under the key store's secret (so a guessed address cannot be checked against it), or its sha-256 without a key store */
  commandHash: z.string(),
  actor: z.object({ role: z.string(), id: z.string() }),
  recordedAt: Instant,
  prevHash: z.string(),
  hash: z.string(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EventDataSchemas, type);
}

/** Builds an event with its data checked at compile time. */
export function event<K extends EventType>(type: K, data: EventOf<K>['data']): EventOf<K> {
  return { type, data } as EventOf<K>;
}
