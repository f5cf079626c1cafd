// The consultation's state and its single evolve. State is what `decide` needs to enforce the rules;
// the views coordinators read are projections (src/projections), not this.
//
// evolve mutates the state it is given (a fold owns its state; decide never mutates) because a busy
// consultation folds thousands of events and copying maps per event would be quadratic.
import type { Contact, Phase } from './schemas.ts';
import type { DomainEvent } from './events.ts';

export type Response = 'pending' | 'accepted' | 'declined';

export type Decision = 'endorsed' | 'withheld';

export interface StakeholderState {
  id: string;
  organisation: string;
  contacts: Contact[];
  endorser: boolean;
  response: Response;
  removed: boolean;
  /** per-stakeholder deadline extensions, valid for the draft version they were granted on */
  extensions: Partial<Record<Phase, { draftVersion: number; deadline: string }>>;
  reviewedVersions: number[];
  /** the latest endorsement decision per draft version */
  decisions: Record<number, Decision>;
}

export interface DraftState {
  version: number;
  sectionKeys: string[];
  commentDeadline: string;
}

export interface CommentState {
  id: string;
  stakeholderId: string;
  draftVersion: number;
  retracted: boolean;
  answer: { disposition: string; response: string } | null;
}

export interface AppliedCommand {
  firstRevision: number;
  lastRevision: number;
  commandHash: string;
}

export interface ConsultationState {
  id: string | null;
  status: 'none' | 'open' | 'closed';
  /** the stream revision of the last event folded, -1 before any */
  revision: number;
  /** hash of the last event folded: the next event's prevHash */
  lastHash: string;
  drafts: Record<number, DraftState>;
  latestVersion: number;
  stakeholders: Record<string, StakeholderState>;
  comments: Record<string, CommentState>;
  endorsementRequest: { draftVersion: number; deadline: string } | null;
  /** message ids recorded as sent or failed, so a retried mail job records nothing twice */
  messages: Record<string, 'sent' | 'failed' | 'failed-permanently'>;
  /** command ids applied, so a repeated command is a no-op returning the first result */
  commands: Record<string, AppliedCommand>;
}

export const ZERO_HASH = '0'.repeat(64);

export function initialState(): ConsultationState {
  return {
    id: null,
    status: 'none',
    revision: -1,
    lastHash: ZERO_HASH,
    drafts: {},
    latestVersion: 0,
    stakeholders: {},
    comments: {},
    endorsementRequest: null,
    messages: {},
    commands: {},
  };
}

/** A stored event as the fold sees it. */
export type FoldableEvent = DomainEvent & {
  revision: number;
  metadata: { commandId: string; commandHash: string; hash: string };
};

export function evolve(state: ConsultationState, e: FoldableEvent): ConsultationState {
  applyEvent(state, e);
  state.revision = e.revision;
  state.lastHash = e.metadata.hash;
  const applied = state.commands[e.metadata.commandId];
  if (applied) applied.lastRevision = e.revision;
  else state.commands[e.metadata.commandId] = { firstRevision: e.revision, lastRevision: e.revision, commandHash: e.metadata.commandHash };
  return state;
}

function applyEvent(s: ConsultationState, e: DomainEvent): void {
  switch (e.type) {
    case 'ConsultationOpened':
      s.id = e.data.consultationId;
      s.status = 'open';
      return;
    case 'DraftPublished':
      s.drafts[e.data.version] = {
        version: e.data.version,
        sectionKeys: e.data.sections.map((x) => x.key),
        commentDeadline: e.data.commentDeadline,
      };
      s.latestVersion = Math.max(s.latestVersion, e.data.version);
      return;
    case 'StakeholderInvited':
      s.stakeholders[e.data.stakeholderId] = {
        id: e.data.stakeholderId,
        organisation: e.data.organisation,
        contacts: e.data.contacts,
        endorser: e.data.endorser,
        response: 'pending',
        removed: false,
        extensions: {},
        reviewedVersions: [],
        decisions: {},
      };
      return;
    case 'StakeholderContactsChanged':
      withStakeholder(s, e.data.stakeholderId, (x) => { x.contacts = e.data.contacts; });
      return;
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
      s.comments[e.data.commentId] = {
        id: e.data.commentId,
        stakeholderId: e.data.stakeholderId,
        draftVersion: e.data.draftVersion,
        retracted: false,
        answer: null,
      };
      return;
    case 'CommentRetracted': {
      const c = s.comments[e.data.commentId];
      if (c) c.retracted = true;
      return;
    }
    case 'CommentAnswered': {
      const c = s.comments[e.data.commentId];
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
      return;
    case 'EndorsementRequestCancelled':
      if (s.endorsementRequest?.draftVersion === e.data.draftVersion) s.endorsementRequest = null;
      return;
    case 'DraftEndorsed':
    case 'EndorsementWithheld': {
      const decision = e.type === 'DraftEndorsed' ? 'endorsed' : 'withheld';
      withStakeholder(s, e.data.stakeholderId, (x) => { x.decisions[e.data.draftVersion] = decision; });
      return;
    }
    case 'DeadlineExtended': {
      const { phase, deadline, draftVersion, stakeholderId } = e.data;
      if (stakeholderId !== undefined) {
        withStakeholder(s, stakeholderId, (x) => { x.extensions[phase] = { draftVersion, deadline }; });
      } else if (phase === 'comments') {
        const d = s.drafts[draftVersion];
        if (d) d.commentDeadline = deadline;
      } else if (s.endorsementRequest?.draftVersion === draftVersion) {
        s.endorsementRequest.deadline = deadline;
      }
      return;
    }
    case 'InvitationSent':
    case 'NoticeSent':
    case 'ReminderSent':
      s.messages[e.data.messageId] = 'sent';
      return;
    case 'DeliveryFailed':
      if (s.messages[e.data.messageId] !== 'sent') s.messages[e.data.messageId] = e.data.permanent ? 'failed-permanently' : 'failed';
      return;
    case 'ConsultationClosed':
      s.status = 'closed';
      return;
  }
}

function withStakeholder(s: ConsultationState, id: string, f: (x: StakeholderState) => void): void {
  const x = s.stakeholders[id];
  if (x) f(x);
}
