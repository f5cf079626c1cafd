// What a mail job's message says, read from the consultation when the job runs: the facts are
// built by the same builders the preview uses (src/mail/facts-now.ts), from the consultation's
// state and, for what the state does not keep, the events the job names (a draft's note, the
// closing's outcome, the comments a command recorded, the answers, delivery failures or held
// replies of a period). Null when there is nothing to say (a digest of a period without answers),
// so the job sends nothing.
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';
import { fromRecorded, type DecodedEvent } from '../domain/decode.ts';
import type { EventOf } from '../domain/events.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import {
  acknowledgementFacts, answersDigestFacts, endorsementRequestFacts, invitationFacts, newDraftFacts, officeDigestSections, outcomeFacts, reminderFacts,
  type ConsultationTexts, type DeliveryFailureText, type HeldReplyRecord,
} from '../mail/facts-now.ts';
import type { MessageCommon, MessageFacts, OfficeDigestSection } from '../mail/render.ts';
import type { EventStore } from '../store/port.ts';
import type { MailJob, StakeholderMailJob } from './jobs.ts';

export type ConsultationProfile = MessageCommon['consultation'];

/** Reads the events of one consultation that a message needs. */
export class ConsultationEvents {
  /** the consultations' titles, languages and time zones (fixed when opened), by id */
  private readonly profiles = new Map<string, ConsultationProfile>();

  constructor(private readonly store: Pick<EventStore, 'readStream'>, private readonly cacheSize = 500) {}

  async read(consultationId: string, fromRevision: number, maxCount?: number): Promise<DecodedEvent[]> {
    const events = await this.store.readStream(streamNameFor(consultationId), { fromRevision, ...(maxCount !== undefined ? { maxCount } : {}) });
    return events.map((e) => fromRecorded(e));
  }

  async at<K extends DecodedEvent['event'] & object>(consultationId: string, revision: number, type: K['type']): Promise<K | null> {
    const [e] = await this.read(consultationId, revision, 1);
    return e?.event?.type === type ? (e.event as K) : null;
  }

  /** What ConsultationOpened said: title, lead organisation, languages, time zone. */
  async profile(consultationId: string): Promise<ConsultationProfile | null> {
    const known = this.profiles.get(consultationId);
    if (known) return known;
    const opened = await this.at<EventOf<'ConsultationOpened'>>(consultationId, 0, 'ConsultationOpened');
    if (!opened) return null;
    const { title, leadOrganisation, languages, timeZone } = opened.data;
    const profile = { title, leadOrganisation, languages, timeZone };
    this.profiles.set(consultationId, profile);
    if (this.profiles.size > this.cacheSize) this.profiles.delete(this.profiles.keys().next().value!);
    return profile;
  }
}

/** The comments the command whose first event is at `revision` recorded for the stakeholder: its events from there while they are the command's. */
async function commentsOfCommand(events: ConsultationEvents, consultationId: string, revision: number, stakeholderId: string): Promise<string[]> {
  const recorded = await events.read(consultationId, revision, 1_000);
  const commandId = recorded[0]?.metadata.commandId;
  const ids: string[] = [];
  for (const e of recorded) {
    if (e.metadata.commandId !== commandId) break;
    if (e.event?.type === 'CommentSubmitted' && e.event.data.stakeholderId === stakeholderId) ids.push(e.event.data.commentId);
  }
  return ids;
}

export async function messageFacts(
  s: ReadonlyState,
  x: ReadonlyStakeholder,
  job: StakeholderMailJob,
  events: ConsultationEvents,
  context: { now: string },
): Promise<MessageFacts | null> {
  switch (job.kind) {
    case 'invitation':
      return invitationFacts(s, x);
    case 'new-draft': {
      const published = await events.at<EventOf<'DraftPublished'>>(job.consultationId, job.revision, 'DraftPublished');
      const note = published?.data.version === job.draftVersion ? published.data.note ?? null : null;
      return newDraftFacts(s, x, job.draftVersion, note);
    }
    case 'endorsement-request':
      return endorsementRequestFacts(s, x); // due.ts found the request open for this version, and x an endorser
    case 'reminder':
      return reminderFacts(s, x, job.phase); // due.ts found the phase's target at the job's version and deadline
    case 'acknowledgement':
      return acknowledgementFacts(s, x, await commentsOfCommand(events, job.consultationId, job.revision, x.id));
    case 'outcome': {
      const closed = await events.at<EventOf<'ConsultationClosed'>>(job.consultationId, job.revision, 'ConsultationClosed');
      if (!closed) return null;
      const { outcome, finalDraftVersion, note } = closed.data;
      return outcomeFacts(s, x, job.contactId, { outcome, finalDraftVersion, note: note ?? null }, context.now);
    }
    case 'answers-digest': {
      const answers: ConsultationTexts['answers'][number][] = [];
      for (const e of await events.read(job.consultationId, 0)) {
        if (e.event?.type === 'CommentAnswered') answers.push({ commentId: e.event.data.commentId, disposition: e.event.data.disposition, recordedAt: e.metadata.recordedAt });
      }
      return answersDigestFacts(s, x, answers, { from: Date.parse(job.from), to: Date.parse(job.to) });
    }
  }
}

/**
 * The sections of the office's digest of the job's period ([] when there is nothing to report):
 * the delivery failures recorded in it, each with the contact as the events named it then (a
 * contact since replaced is still named); the replies held in it and still pending.
 */
export async function officeDigestOf(s: ReadonlyState, job: Extract<MailJob, { kind: 'office-digest' }>, events: ConsultationEvents): Promise<OfficeDigestSection[]> {
  const contacts = new Map<string, { name: string; email: string }>();
  const failures: DeliveryFailureText[] = [];
  const held: HeldReplyRecord[] = [];
  for (const e of await events.read(job.consultationId, 0)) {
    switch (e.event?.type) {
      case 'StakeholderInvited':
      case 'StakeholderContactsChanged':
        for (const c of e.event.data.contacts) contacts.set(c.contactId, { name: c.name, email: c.email });
        break;
      case 'DeliveryFailed': {
        const { stakeholderId, contactId, messageKind, error, failedAt } = e.event.data;
        failures.push({ stakeholderId, contact: contactId ? contacts.get(contactId) ?? null : null, messageKind, error, failedAt, recordedAt: e.metadata.recordedAt });
        break;
      }
      case 'InboundReplyHeld':
        held.push({ heldId: e.event.data.heldId, recordedAt: e.metadata.recordedAt });
        break;
      default:
        break;
    }
  }
  return officeDigestSections(s, failures, held, { from: Date.parse(job.from), to: Date.parse(job.to) });
}
