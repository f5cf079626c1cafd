// The consultation's state and its single evolve. State is what `decide` needs to enforce the rules;
// the views coordinators read are projections (src/projections), not this.
//
// Every collection keyed by an id that came from outside (stakeholder, comment, message and command
// ids, draft versions) is a Map, so an id such as "__proto__" or "constructor" is an ordinary key.
//
// evolve mutates the state it is given (a fold owns its state) because a busy consultation folds
// thousands of events and copying maps per event would be quadratic. decide sees the same state as
// DeepReadonly: it may read, never change.
import type { z } from 'zod';
import type { Phase, StakeholderKind } from './schemas.ts';
import type { DomainEvent, EventMetadata, StoredAttachment, StoredContact, StoredReplyBlock } from './events.ts';
import type { OwnExtension } from './rules.ts';
import type { EndorsementDecision, InvitationResponse } from './standing.ts';
import { commentRef, later } from './rules.ts';
import { messageIdKey } from './ids.ts';
import { endorserChanged } from './standing.ts';
import { eraseContact } from './erased.ts';

export type Response = InvitationResponse;

export type Decision = EndorsementDecision;

/**
 * An endorser's latest decision on a draft version, with what it said: enough to tell the same
 * decision again (a no-op) from a new one that replaces it, and to name a withholding's reason.
 */
export type DecisionRecord =
  | { decision: 'endorsed'; signatory: { name: string; title: string }; statement: string | null; evidence: string | null }
  | { decision: 'withheld'; reason: string };

export interface StakeholderState {
  id: string;
  organisation: string;
  kind: StakeholderKind;
  /** its contact people now, each with its stable contactId; the first is the primary */
  contacts: z.infer<typeof StoredContact>[];
  /** ids of contacts it had before and has no more (a link or reply address naming one is revoked, not forged) */
  formerContactIds: string[];
  /** its preferred language: one of the consultation's */
  language: string;
  endorser: boolean;
  /** mail domains from which any address may reply for it by e-mail (lower case), besides its contacts' addresses */
  replyDomains: string[];
  response: Response;
  removed: boolean;
  /** per-stakeholder deadline extensions, valid for the draft version they were granted on */
  extensions: Partial<Record<Phase, OwnExtension>>;
  reviewedVersions: number[];
  /**
   * the latest endorsement decision per draft version, of those that count: made since it last became
   * an endorser (see endorserChanged); earlier ones are history, in the events and the views
   */
  decisions: Map<number, DecisionRecord>;
}

export interface DraftState {
  version: number;
  sectionKeys: string[];
  /** everyone's comment deadline on this version */
  commentDeadline: string;
  /** when it was published (its DraftPublished event's recordedAt): its comment period opens then */
  publishedAt: string;
  /** own comment deadlines granted on this version, by stakeholder id (the latest granted) */
  ownCommentDeadlines: Map<string, string>;
}

/** A reply by e-mail held for the coordinator (InboundReplyHeld), and what the coordinator decided. */
export interface HeldReplyState {
  id: string;
  stakeholderId: string;
  contactId: string;
  receivedAt: string;
  blocks: z.infer<typeof StoredReplyBlock>[];
  attachments: z.infer<typeof StoredAttachment>[];
  reasons: string[];
  status: 'pending' | 'accepted' | 'discarded';
  /** an accepted one: the section the coordinator named (null: the whole draft; undefined: each block as it resolved) */
  acceptedSection?: string | null | undefined;
}

export interface CommentState {
  id: string;
  /** the short reference people quote: `C-1`, `C-2`, … in the order submitted (commentRef) */
  ref: string;
  stakeholderId: string;
  draftVersion: number;
  retracted: boolean;
  answer: { disposition: string; response: string } | null;
}

/** The reminders a coordinator configured (RemindersConfigured); null in the state until then: the server's defaults, enabled. */
export interface ReminderSettings {
  /** durations before each deadline, longest first; null: the server's REMINDER_OFFSETS */
  offsets: string[] | null;
  enabled: boolean;
  message: string | null;
}

export interface AppliedCommand {
  firstRevision: number;
  lastRevision: number;
  commandHash: string;
}

/**
 * The commands applied to a consultation, by command id: the revisions of their first and last
 * events and their hash. A long consultation holds one per comment and every restart's first
 * command folds them all, so they are kept compact: a map of indexes into three arrays (revisions
 * as small integers, no object per command), which the garbage collector walks in a few steps
 * instead of visiting hundreds of thousands of objects.
 */
export class AppliedCommands {
  private readonly index = new Map<string, number>();
  private readonly first: number[] = [];
  private readonly last: number[] = [];
  private readonly hashes: string[] = [];

  get size(): number {
    return this.index.size;
  }

  has(commandId: string): boolean {
    return this.index.has(commandId);
  }

  get(commandId: string): AppliedCommand | undefined {
    const i = this.index.get(commandId);
    return i === undefined ? undefined : { firstRevision: this.first[i]!, lastRevision: this.last[i]!, commandHash: this.hashes[i]! };
  }

  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  /** An event of a command at `revision`: its first event places it, a later one moves its last revision. */
  record(commandId: string, revision: number, commandHash: string): void {
    const i = this.index.get(commandId);
    if (i !== undefined) {
      this.last[i] = revision;
      return;
    }
    this.index.set(commandId, this.first.length);
    this.first.push(revision);
    this.last.push(revision);
    this.hashes.push(commandHash);
  }
}

export interface ConsultationState {
  id: string | null;
  status: 'none' | 'open' | 'closed';
  /**
   * The languages the consultation offers, as opened: a stakeholder's language is one of them; the
   * first is the language of the drafts' own text, the others what sections may be translated into.
   */
  languages: string[];
  /** its IANA time zone, as opened ('UTC' before) */
  timeZone: string;
  /** the coordinating office's mailboxes to alert (delivery failures, held replies), in the order given */
  notifyEmails: string[];
  /** when it was closed (the ConsultationClosed event's recordedAt); null while open */
  closedAt: string | null;
  /**
   * The latest deadline ever set for everyone: any draft's comment deadline, any endorsement
   * request's, any extension for everyone (a deadline of one stakeholder's is in its extensions).
   * Null before the first draft.
   */
  latestDeadline: string | null;
  /** the stream revision of the last event folded, -1 before any */
  revision: number;
  /** hash of the last event folded: the next event's prevHash */
  lastHash: string;
  drafts: Map<number, DraftState>;
  latestVersion: number;
  /** in invitation order */
  stakeholders: Map<string, StakeholderState>;
  comments: Map<string, CommentState>;
  endorsementRequest: { draftVersion: number; deadline: string } | null;
  /** how reminders go out; null: as the server's settings say */
  reminders: ReminderSettings | null;
  /** message ids recorded as sent or failed, so a retried mail job records nothing twice */
  messages: Map<string, 'sent' | 'failed' | 'failed-permanently'>;
  /** the draft version each message recorded as sent was about, by messageIdKey (a reply naming it answers that version) */
  messageDrafts: Map<string, number>;
  /** replies by e-mail held for the coordinator, by held id, in the order held */
  heldReplies: Map<string, HeldReplyState>;
  /** command ids applied, so a repeated command is a no-op returning the first result */
  commands: AppliedCommands;
}

/** What decide and the rules see: the state, read-only all the way down. */
export type DeepReadonly<T> =
  T extends (...args: never[]) => unknown ? T
    : T extends ReadonlyMap<infer K, infer V> ? ReadonlyMap<K, DeepReadonly<V>>
      : T extends readonly (infer U)[] ? readonly DeepReadonly<U>[]
        : T extends object ? { readonly [P in keyof T]: DeepReadonly<T[P]> }
          : T;

export type ReadonlyState = DeepReadonly<ConsultationState>;
export type ReadonlyStakeholder = DeepReadonly<StakeholderState>;

export const ZERO_HASH = '0'.repeat(64);

export function initialState(): ConsultationState {
  return {
    id: null,
    status: 'none',
    languages: [],
    timeZone: 'UTC',
    notifyEmails: [],
    closedAt: null,
    latestDeadline: null,
    revision: -1,
    lastHash: ZERO_HASH,
    drafts: new Map(),
    latestVersion: 0,
    stakeholders: new Map(),
    comments: new Map(),
    endorsementRequest: null,
    reminders: null,
    messages: new Map(),
    messageDrafts: new Map(),
    heldReplies: new Map(),
    commands: new AppliedCommands(),
  };
}

/** What the fold needs of a decoded event (decode.ts): its revision, command, time and hash, and the event (null: a type this code does not know). */
export interface FoldableEvent {
  revision: number;
  metadata: Pick<EventMetadata, 'commandId' | 'commandHash' | 'hash' | 'recordedAt'>;
  event: DomainEvent | null;
}

export function evolve(state: ConsultationState, e: FoldableEvent): ConsultationState {
  if (e.event) applyEvent(state, e.event, e.metadata.recordedAt);
  state.revision = e.revision;
  state.lastHash = e.metadata.hash;
  state.commands.record(e.metadata.commandId, e.revision, e.metadata.commandHash);
  return state;
}

function applyEvent(s: ConsultationState, e: DomainEvent, recordedAt: string): void {
  switch (e.type) {
    case 'ConsultationOpened':
      s.id = e.data.consultationId;
      s.status = 'open';
      s.languages = e.data.languages;
      s.timeZone = e.data.timeZone;
      s.notifyEmails = e.data.notifyEmails ?? [];
      return;
    case 'NotifyEmailsChanged':
      s.notifyEmails = e.data.notifyEmails;
      return;
    case 'DraftPublished':
      s.drafts.set(e.data.version, {
        version: e.data.version,
        sectionKeys: e.data.sections.map((x) => x.key),
        commentDeadline: e.data.commentDeadline,
        publishedAt: recordedAt,
        ownCommentDeadlines: new Map(),
      });
      s.latestVersion = Math.max(s.latestVersion, e.data.version);
      setsDeadline(s, e.data.commentDeadline);
      return;
    case 'StakeholderInvited':
      s.stakeholders.set(e.data.stakeholderId, {
        id: e.data.stakeholderId,
        organisation: e.data.organisation,
        kind: e.data.kind,
        contacts: e.data.contacts,
        formerContactIds: [],
        language: e.data.language,
        endorser: e.data.endorser,
        replyDomains: e.data.replyDomains ?? [],
        response: 'pending',
        removed: false,
        extensions: {},
        reviewedVersions: [],
        decisions: new Map(),
      });
      return;
    case 'StakeholderContactsChanged':
      withStakeholder(s, e.data.stakeholderId, (x) => {
        const now = new Set(e.data.contacts.map((c) => c.contactId));
        const gone = x.contacts.map((c) => c.contactId).filter((id) => !now.has(id));
        x.formerContactIds = [...new Set([...x.formerContactIds, ...gone])].filter((id) => !now.has(id));
        x.contacts = e.data.contacts;
      });
      return;
    case 'StakeholderDetailsChanged': {
      const { organisation, kind, language, endorser, replyDomains } = e.data;
      withStakeholder(s, e.data.stakeholderId, (x) => {
        if (organisation !== undefined) x.organisation = organisation;
        if (replyDomains !== undefined) x.replyDomains = replyDomains;
        if (kind !== undefined) x.kind = kind;
        if (language !== undefined) x.language = language;
        if (endorserChanged(x.endorser, endorser)) {
          x.endorser = endorser;
          x.decisions.clear();
        }
      });
      return;
    }
    case 'InvitationAccepted':
      withStakeholder(s, e.data.stakeholderId, (x) => { x.response = 'accepted'; });
      return;
    case 'InvitationDeclined':
      withStakeholder(s, e.data.stakeholderId, (x) => { x.response = 'declined'; });
      return;
    case 'StakeholderRemoved':
      withStakeholder(s, e.data.stakeholderId, (x) => { x.removed = true; });
      return;
    case 'StakeholderReinstated':
      withStakeholder(s, e.data.stakeholderId, (x) => {
        x.removed = false;
        if (x.response === 'declined') x.response = 'pending';
      });
      return;
    case 'CommentSubmitted':
      if (s.comments.has(e.data.commentId)) return; // the first stands, keeping its reference (as in the matrix)
      s.comments.set(e.data.commentId, {
        id: e.data.commentId,
        ref: commentRef(s.comments.size + 1),
        stakeholderId: e.data.stakeholderId,
        draftVersion: e.data.draftVersion,
        retracted: false,
        answer: null,
      });
      return;
    case 'CommentRetracted': {
      const c = s.comments.get(e.data.commentId);
      if (c) c.retracted = true;
      return;
    }
    case 'CommentAnswered': {
      const c = s.comments.get(e.data.commentId);
      if (c) c.answer = { disposition: e.data.disposition, response: e.data.response };
      return;
    }
    case 'ReviewCompleted':
      withStakeholder(s, e.data.stakeholderId, (x) => {
        if (!x.reviewedVersions.includes(e.data.draftVersion)) x.reviewedVersions.push(e.data.draftVersion);
      });
      return;
    case 'EndorsementRequested':
      s.endorsementRequest = { draftVersion: e.data.draftVersion, deadline: e.data.deadline };
      setsDeadline(s, e.data.deadline);
      return;
    case 'EndorsementRequestCancelled':
      if (s.endorsementRequest?.draftVersion === e.data.draftVersion) s.endorsementRequest = null;
      return;
    case 'DraftEndorsed': {
      const { signatory, statement, evidence } = e.data;
      const record: DecisionRecord = { decision: 'endorsed', signatory, statement: statement ?? null, evidence: evidence ?? null };
      withStakeholder(s, e.data.stakeholderId, (x) => { x.decisions.set(e.data.draftVersion, record); });
      return;
    }
    case 'EndorsementWithheld':
      withStakeholder(s, e.data.stakeholderId, (x) => { x.decisions.set(e.data.draftVersion, { decision: 'withheld', reason: e.data.reason }); });
      return;
    case 'DeadlineExtended': {
      const { phase, deadline, draftVersion, stakeholderId } = e.data;
      if (stakeholderId !== undefined) {
        withStakeholder(s, stakeholderId, (x) => { x.extensions[phase] = { draftVersion, deadline }; });
        if (phase === 'comments' && s.stakeholders.has(stakeholderId)) s.drafts.get(draftVersion)?.ownCommentDeadlines.set(stakeholderId, deadline);
      } else if (phase === 'comments') {
        const d = s.drafts.get(draftVersion);
        if (d) {
          d.commentDeadline = deadline;
          setsDeadline(s, deadline);
        }
      } else if (s.endorsementRequest?.draftVersion === draftVersion) {
        s.endorsementRequest.deadline = deadline;
        setsDeadline(s, deadline);
      }
      return;
    }
    case 'RemindersConfigured':
      s.reminders = { offsets: e.data.offsets, enabled: e.data.enabled, message: e.data.message ?? null };
      return;
    case 'InvitationResendRequested':
      return; // a request to the mail relay: nothing decide needs
    case 'NewLinkRequested':
      return; // a request to the coordinator, shown in the stakeholders view
    case 'InvitationSent':
    case 'NoticeSent':
    case 'ReminderSent': {
      s.messages.set(e.data.messageId, 'sent');
      // an invitation (and a notice without a version) is about the draft current when it went out
      const version = (e.type === 'InvitationSent' ? undefined : e.data.draftVersion) ?? s.latestVersion;
      if (version > 0) s.messageDrafts.set(messageIdKey(e.data.messageId), version);
      return;
    }
    case 'InboundReplyHeld':
      if (s.heldReplies.has(e.data.heldId)) return;
      s.heldReplies.set(e.data.heldId, {
        id: e.data.heldId,
        stakeholderId: e.data.stakeholderId,
        contactId: e.data.contactId,
        receivedAt: e.data.receivedAt,
        blocks: e.data.blocks,
        attachments: e.data.attachments,
        reasons: e.data.reasons.map((r) => r.code),
        status: 'pending',
      });
      return;
    case 'InboundReplyAccepted': {
      const h = s.heldReplies.get(e.data.heldId);
      if (h && h.status === 'pending') {
        h.status = 'accepted';
        h.acceptedSection = e.data.sectionKey;
      }
      return;
    }
    case 'InboundReplyDiscarded': {
      const h = s.heldReplies.get(e.data.heldId);
      if (h && h.status === 'pending') h.status = 'discarded';
      return;
    }
    case 'OfficeNotified':
      s.messages.set(e.data.messageId, 'sent');
      return;
    case 'OfficeNotificationFailed':
    case 'DeliveryFailed':
      // a permanent failure after the sending is a bounce: failed for good; a temporary one leaves it sent
      if (e.data.permanent) s.messages.set(e.data.messageId, 'failed-permanently');
      else if (s.messages.get(e.data.messageId) !== 'sent') s.messages.set(e.data.messageId, 'failed');
      return;
    case 'PersonalDataErased':
      // the values now read as [erased] in any fold from the start; a state folded before the
      // erasure (a cache) is brought to the same
      for (const { stakeholderId, contactId } of e.data.contacts) {
        withStakeholder(s, stakeholderId, (x) => {
          x.contacts = x.contacts.map((c) => (c.contactId === contactId ? eraseContact(c) : c));
        });
      }
      return;
    case 'ConsultationClosed':
      s.status = 'closed';
      s.closedAt = recordedAt;
      return;
    default:
      return assertNever(e);
  }
}

function assertNever(e: never): never {
  throw new Error(`evolve has no case for ${JSON.stringify(e)}`);
}

function setsDeadline(s: ConsultationState, deadline: string): void {
  s.latestDeadline = s.latestDeadline === null ? deadline : later(s.latestDeadline, deadline);
}

function withStakeholder(s: ConsultationState, id: string, f: (x: StakeholderState) => void): void {
  const x = s.stakeholders.get(id);
  if (x) f(x);
}
