// What the mail relay does with one event: the jobs to add (and the reminders of a moved deadline to
// take off the queue), planned from the consultation's state as the relay finds it (never older
// than the event). Pure: the relay gives the state, the event and the time.
//
//   StakeholderInvited, StakeholderReinstated   → an invitation to each contact, and its reminders
//   InvitationResendRequested                   → an invitation again (to the contact named, or each)
//   StakeholderContactsChanged                  → an invitation to each contact it added, and the reminders of its contacts now
//   StakeholderDetailsChanged (became endorser) → the open endorsement request and its reminders
//   DraftPublished                              → a new-draft notice to every stakeholder taking part, their reminders
//   EndorsementRequested                        → a request to every endorser, their reminders
//   DeadlineExtended (everyone's or one's own)  → the reminders at the new deadline; the old ones off the queue
//   RemindersConfigured                         → every stakeholder's reminders at the new offsets
//   CommentSubmitted                            → one acknowledgement per command (listing every comment it recorded)
//   CommentAnswered                             → one digest per organisation and day, delayed to the day's end
//   DeliveryFailed, InboundReplyHeld            → one digest per consultation and day to the office's mailboxes (notifyEmails), at the day's end
// (days are the consultation's own, in its time zone: localPeriod)
//   ConsultationClosed                          → the outcome to every stakeholder not removed
//
// Every job is checked with whyNotDue first (the worker checks again when it runs): a stakeholder
// that has already commented is not reminded, one removed is not told of a new draft.
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { Phase } from '../domain/schemas.ts';
import { reminderTarget, remindersOf, whyNotDue } from './due.ts';
import { localPeriod } from '../domain/local-time.ts';
import { jobIdFor, jobSpec, type JobSpec, type StakeholderMailJob } from './jobs.ts';

export interface PlanContext {
  /** the time, ms since the epoch */
  now: number;
  /** REMINDER_OFFSETS, ms, longest first */
  defaultOffsetsMs: readonly number[];
  /** the digests' period (a day: the consultation's calendar day, in its time zone; shorter: slices of it, for demonstrations) */
  digestWindowMs: number;
}

export interface PlannedEvent {
  consultationId: string;
  revision: number;
  /** when it was recorded (metadata.recordedAt) */
  recordedAt: string;
  /** the command that recorded it (metadata.commandId) */
  commandId: string;
  event: DomainEvent;
}

export interface Plan {
  add: JobSpec[];
  remove: string[];
}

/** The event types the relay acts on; others change no mail. */
export const RELAYED_EVENTS: ReadonlySet<DomainEvent['type']> = new Set([
  'StakeholderInvited', 'StakeholderReinstated', 'InvitationResendRequested', 'StakeholderContactsChanged', 'StakeholderDetailsChanged',
  'DraftPublished', 'EndorsementRequested', 'DeadlineExtended', 'RemindersConfigured', 'CommentSubmitted', 'CommentAnswered',
  'DeliveryFailed', 'InboundReplyHeld', 'ConsultationClosed',
]);

const BOTH: readonly Phase[] = ['comments', 'endorsement'];
type Ids = Pick<StakeholderMailJob, 'consultationId' | 'stakeholderId' | 'contactId'>;

export function planJobs(s: ReadonlyState, e: PlannedEvent, ctx: PlanContext): Plan {
  const nowIso = new Date(ctx.now).toISOString();
  const add: JobSpec[] = [];
  const remove: string[] = [];
  const consultationId = e.consultationId;
  const due = (job: StakeholderMailJob) => whyNotDue(s, job, nowIso, ctx.defaultOffsetsMs) === null;
  /** one job per contact of x (or of those given), those that are due */
  const perContact = (x: ReadonlyStakeholder, make: (ids: Ids) => StakeholderMailJob, delayMs = 0, only?: string) => {
    for (const c of x.contacts) {
      if (only !== undefined && c.contactId !== only) continue;
      const job = make({ consultationId, stakeholderId: x.id, contactId: c.contactId });
      if (due(job)) add.push(jobSpec(job, delayMs));
    }
  };
  const remindersFor = (x: ReadonlyStakeholder, phases: readonly Phase[]) => {
    const settings = remindersOf(s, ctx.defaultOffsetsMs);
    if (!settings.enabled) return;
    for (const phase of phases) {
      const target = reminderTarget(s, x, phase);
      if (!target) continue;
      const deadline = Date.parse(target.deadline);
      if (deadline <= ctx.now) continue;
      const recorded = Date.parse(e.recordedAt);
      const schedule: Array<{ offsetMs: number; delayMs: number }> = [];
      // a reminder whose time passed while the relay could not act on the event (the event came
      // before it) goes now; only the latest such one, not every one it missed
      let missed: number | null = null;
      for (const offsetMs of settings.offsetsMs) {
        const at = deadline - offsetMs;
        if (at > ctx.now) schedule.push({ offsetMs, delayMs: at - ctx.now });
        else if (recorded < at) missed = offsetMs;
      }
      if (missed !== null) schedule.push({ offsetMs: missed, delayMs: 0 });
      for (const { offsetMs, delayMs } of schedule) {
        perContact(x, (ids) => ({ kind: 'reminder', ...ids, phase, draftVersion: target.draftVersion, deadline: target.deadline, offsetMs }), delayMs);
      }
    }
  };
  const everyone = () => [...s.stakeholders.values()];

  const ev = e.event;
  switch (ev.type) {
    case 'StakeholderInvited':
    case 'StakeholderReinstated': {
      const x = s.stakeholders.get(ev.data.stakeholderId);
      if (!x) break;
      perContact(x, (ids) => ({ kind: 'invitation', ...ids, revision: e.revision }));
      remindersFor(x, BOTH);
      break;
    }
    case 'InvitationResendRequested': {
      const x = s.stakeholders.get(ev.data.stakeholderId);
      if (x) perContact(x, (ids) => ({ kind: 'invitation', ...ids, revision: e.revision }), 0, ev.data.contactId);
      break;
    }
    case 'StakeholderContactsChanged': {
      const x = s.stakeholders.get(ev.data.stakeholderId);
      if (!x) break;
      // a contact person added to a stakeholder invited already gets its own invitation (named after this event)
      for (const contactId of ev.data.added ?? []) perContact(x, (ids) => ({ kind: 'invitation', ...ids, revision: e.revision }), 0, contactId);
      remindersFor(x, BOTH);
      break;
    }
    case 'StakeholderDetailsChanged': {
      // one that became an endorser while endorsement is requested is asked too, and reminded
      const x = s.stakeholders.get(ev.data.stakeholderId);
      const request = s.endorsementRequest;
      if (ev.data.endorser !== true || !x?.endorser || !request) break;
      perContact(x, (ids) => ({ kind: 'endorsement-request', ...ids, revision: e.revision, draftVersion: request.draftVersion }));
      remindersFor(x, ['endorsement']);
      break;
    }
    case 'DraftPublished': {
      if (ev.data.version !== s.latestVersion) break; // a later version's own event tells of it
      for (const x of everyone()) {
        perContact(x, (ids) => ({ kind: 'new-draft', ...ids, revision: e.revision, draftVersion: ev.data.version }));
        remindersFor(x, ['comments']);
      }
      break;
    }
    case 'EndorsementRequested': {
      if (s.endorsementRequest?.draftVersion !== ev.data.draftVersion) break; // cancelled since
      for (const x of everyone()) {
        if (!x.endorser) continue;
        perContact(x, (ids) => ({ kind: 'endorsement-request', ...ids, revision: e.revision, draftVersion: ev.data.draftVersion }));
        remindersFor(x, ['endorsement']);
      }
      break;
    }
    case 'DeadlineExtended': {
      const { phase, draftVersion, previousDeadline, stakeholderId } = ev.data;
      const targets = stakeholderId === undefined ? everyone() : [s.stakeholders.get(stakeholderId)].filter((x) => x !== undefined);
      const offsets = remindersOf(s, ctx.defaultOffsetsMs).offsetsMs;
      for (const x of targets) {
        // the old deadline's reminders would find themselves not due; taking them off keeps the queue honest
        for (const c of x.contacts) {
          for (const offsetMs of offsets) {
            remove.push(jobIdFor({ kind: 'reminder', consultationId, stakeholderId: x.id, contactId: c.contactId, phase, draftVersion, deadline: previousDeadline, offsetMs }));
          }
        }
        remindersFor(x, [phase]);
      }
      break;
    }
    case 'RemindersConfigured':
      for (const x of everyone()) remindersFor(x, BOTH);
      break;
    case 'CommentSubmitted': {
      const x = s.stakeholders.get(ev.data.stakeholderId);
      // one acknowledgement per command: named after the command's first event, whichever of its comments is seen;
      // to the contact person who wrote it (link, reply address), or to every contact when the organisation did
      const first = s.commands.get(e.commandId)?.firstRevision ?? e.revision;
      if (x) perContact(x, (ids) => ({ kind: 'acknowledgement', ...ids, revision: first }), 0, ev.data.contactId);
      break;
    }
    case 'CommentAnswered': {
      const comment = s.comments.get(ev.data.commentId);
      const x = comment ? s.stakeholders.get(comment.stakeholderId) : undefined;
      if (!x) break;
      const { start, end } = localPeriod(Date.parse(e.recordedAt), s.timeZone, ctx.digestWindowMs);
      const window = { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
      perContact(x, (ids) => ({ kind: 'answers-digest', ...ids, ...window }), end - ctx.now);
      break;
    }
    case 'DeliveryFailed':
    case 'InboundReplyHeld': {
      // one digest per consultation and period to the office's mailboxes, sent when the period ends
      // (a failure and a held reply of one period: the same job); whom it goes to (notifyEmails) and
      // what it lists (the held replies still pending then) are read when it runs
      const { start, end } = localPeriod(Date.parse(e.recordedAt), s.timeZone, ctx.digestWindowMs);
      add.push(jobSpec({ kind: 'office-digest', consultationId, from: new Date(start).toISOString(), to: new Date(end).toISOString() }, end - ctx.now));
      break;
    }
    case 'ConsultationClosed':
      for (const x of everyone()) perContact(x, (ids) => ({ kind: 'outcome', ...ids, revision: e.revision }));
      break;
    default:
      break;
  }
  return { add, remove };
}
