// What a mail job's message says, read from the consultation when the job runs: its state (the
// deadlines that apply to the stakeholder now, the comment references, the reminder message) and,
// for what the state does not keep, the events the job names (a draft's note, the closing's outcome,
// the comments a command recorded, the answers of a day). Null when there is nothing to say (a digest
// of a day without answers), so the job sends nothing.
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';
import { fromRecorded, type DecodedEvent } from '../domain/decode.ts';
import type { EventOf } from '../domain/events.ts';
import { linkAccess } from '../domain/link-access.ts';
import { commentDeadlineFor, endorsementDeadlineFor } from '../domain/rules.ts';
import { streamNameFor } from '../domain/stream-name.ts';
import type { Disposition } from '../mail/catalogue.ts';
import type { MessageCommon, MessageFacts } from '../mail/render.ts';
import { invitationFacts } from '../mail/facts-now.ts';
import type { EventStore } from '../store/port.ts';
import { remindersOf } from './due.ts';
import type { MailJob } from './jobs.ts';

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

/** How long an organisation can still read the outcome, when the link says nothing (never: closed links always say). */
const FALLBACK_READABLE_MS = 90 * 86_400_000;

export async function messageFacts(
  s: ReadonlyState,
  x: ReadonlyStakeholder,
  job: MailJob,
  events: ConsultationEvents,
  context: { now: string; reminderOffsetsMs: readonly number[] },
): Promise<MessageFacts | null> {
  switch (job.kind) {
    case 'invitation':
      return invitationFacts(s, x);
    case 'new-draft': {
      const published = await events.at<EventOf<'DraftPublished'>>(job.consultationId, job.revision, 'DraftPublished');
      const note = published?.data.version === job.draftVersion ? published.data.note : undefined;
      return { kind: 'new-draft', draftVersion: job.draftVersion, deadline: commentDeadlineFor(s, x), ...(note ? { note } : {}) };
    }
    case 'endorsement-request':
      return { kind: 'endorsement-request', draftVersion: job.draftVersion, deadline: endorsementDeadlineFor(s, x) };
    case 'reminder': {
      const { message } = remindersOf(s, context.reminderOffsetsMs);
      return { kind: 'reminder', phase: job.phase, draftVersion: job.draftVersion, deadline: job.deadline, ...(message ? { message } : {}) };
    }
    case 'acknowledgement': {
      // the comments its command recorded: the events from the command's first one while they are the command's
      const recorded = await events.read(job.consultationId, job.revision, 1_000);
      const commandId = recorded[0]?.metadata.commandId;
      const refs: string[] = [];
      let draftVersion: number | null = null;
      for (const e of recorded) {
        if (e.metadata.commandId !== commandId) break;
        if (e.event?.type !== 'CommentSubmitted' || e.event.data.stakeholderId !== x.id) continue;
        const comment = s.comments.get(e.event.data.commentId);
        if (!comment) continue;
        refs.push(comment.ref);
        draftVersion ??= comment.draftVersion;
      }
      if (draftVersion === null) return null;
      const onLatest = draftVersion === s.latestVersion;
      return { kind: 'acknowledgement', draftVersion, commentRefs: refs, ...(onLatest ? { deadline: commentDeadlineFor(s, x) } : {}) };
    }
    case 'outcome': {
      const closed = await events.at<EventOf<'ConsultationClosed'>>(job.consultationId, job.revision, 'ConsultationClosed');
      if (!closed) return null;
      const access = linkAccess(s, { consultationId: job.consultationId, stakeholderId: x.id, contactId: job.contactId }, context.now);
      if (!access.ok) return null;
      return {
        kind: 'outcome',
        outcome: closed.data.outcome,
        finalDraftVersion: closed.data.finalDraftVersion,
        ...(closed.data.note ? { note: closed.data.note } : {}),
        readableUntil: access.until ?? new Date(Date.parse(context.now) + FALLBACK_READABLE_MS).toISOString(),
      };
    }
    case 'answers-digest': {
      const from = Date.parse(job.from);
      const to = Date.parse(job.to);
      const answered = new Map<string, Disposition>();
      for (const e of await events.read(job.consultationId, 0)) {
        if (e.event?.type !== 'CommentAnswered') continue;
        const at = Date.parse(e.metadata.recordedAt);
        if (at < from || at >= to) continue;
        const comment = s.comments.get(e.event.data.commentId);
        if (comment?.stakeholderId !== x.id || comment.retracted) continue;
        answered.delete(comment.ref); // an answer given again counts once, in its latest place
        answered.set(comment.ref, e.event.data.disposition);
      }
      if (answered.size === 0) return null;
      return { kind: 'answers-digest', answered: [...answered].map(([ref, disposition]) => ({ ref, disposition })) };
    }
  }
}
