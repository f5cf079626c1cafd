// The mail jobs: what the relay puts on the queue and the mail worker takes off it. A job's data
// names ids only (consultation, stakeholder, contact, kind, and the version, phase, deadline or
// event revision it is about), never an address or a name, so Redis holds no personal data: the
// worker reads everything else from the consultation's state when the job runs.
//
// Job ids are deterministic (a relay that sees an event again adds the very same jobs, which
// BullMQ then ignores), contain no `:` (BullMQ's own separator) and are dot-atom text, since the
// Message-ID is made of them. UUIDs lose their dashes to keep an id short.
import { z } from 'zod';
import { Instant, Phase } from '../domain/schemas.ts';

/** The one queue every mail job goes through. */
export const MAIL_QUEUE = 'mail';

const Ids = {
  consultationId: z.uuid(),
  stakeholderId: z.uuid(),
  /** the contact person the message is for: each gets its own message */
  contactId: z.uuid(),
};
/** the stream revision of the event the job was made for (an invitation's, a closing's, …) */
const Revision = z.number().int().nonnegative();
const Version = z.number().int().positive();

export const MailJob = z.discriminatedUnion('kind', [
  /** StakeholderInvited, StakeholderReinstated or InvitationResendRequested at `revision` */
  z.strictObject({ kind: z.literal('invitation'), ...Ids, revision: Revision }),
  /** DraftPublished of `draftVersion` at `revision` */
  z.strictObject({ kind: z.literal('new-draft'), ...Ids, revision: Revision, draftVersion: Version }),
  /** EndorsementRequested of `draftVersion` at `revision` */
  z.strictObject({ kind: z.literal('endorsement-request'), ...Ids, revision: Revision, draftVersion: Version }),
  /** `offsetMs` before `deadline`, the deadline of `phase` on `draftVersion` that applied to the stakeholder when it was scheduled */
  z.strictObject({ kind: z.literal('reminder'), ...Ids, phase: Phase, draftVersion: Version, deadline: Instant, offsetMs: z.number().int().positive() }),
  /** the comments recorded by the command whose first event is at `revision` */
  z.strictObject({ kind: z.literal('acknowledgement'), ...Ids, revision: Revision }),
  /** ConsultationClosed at `revision` */
  z.strictObject({ kind: z.literal('outcome'), ...Ids, revision: Revision }),
  /** the answers to its comments recorded from `from` (inclusive) to `to` (exclusive) */
  z.strictObject({ kind: z.literal('answers-digest'), ...Ids, from: Instant, to: Instant }),
  /**
   * the digest to the coordinating office's mailboxes (notifyEmails) of what went wrong from `from`
   * (inclusive) to `to` (exclusive): delivery failures and replies held (still pending). One
   * job per consultation and period; the addresses are read when it runs.
   */
  z.strictObject({ kind: z.literal('office-digest'), consultationId: z.uuid(), from: Instant, to: Instant }),
]);
export type MailJob = z.infer<typeof MailJob>;
export type MailJobKind = MailJob['kind'];
/** A job for one contact of one stakeholder (every kind but the office's digest). */
export type StakeholderMailJob = Exclude<MailJob, { kind: 'office-digest' }>;

/** A job to add: its id, its data and how long it waits (0: now). */
export interface JobSpec {
  id: string;
  data: MailJob;
  delayMs: number;
}

function compact(uuid: string): string {
  return uuid.replaceAll('-', '').toLowerCase();
}

/** An instant as it appears in a job id: UTC, to the second, `20270401T140000Z`. */
export function compactInstant(instant: string): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

const PREFIX: Record<MailJobKind, string> = {
  'invitation': 'inv',
  'new-draft': 'draft',
  'endorsement-request': 'endreq',
  'reminder': 'rem',
  'acknowledgement': 'ack',
  'outcome': 'outcome',
  'answers-digest': 'digest',
  'office-digest': 'office',
};

/**
 * The job's id: its kind, the consultation, the contact (contact ids are per stakeholder), and what
 * makes it this message and no other. A reminder's names the deadline and the offset, so that a
 * moved deadline's reminders are other jobs (and the old ones, no longer due, send nothing).
 */
export function jobIdFor(job: MailJob): string {
  if (job.kind === 'office-digest') return `${PREFIX[job.kind]}-${compact(job.consultationId)}-${compactInstant(job.from)}`;
  const head = `${PREFIX[job.kind]}-${compact(job.consultationId)}-${compact(job.contactId)}`;
  switch (job.kind) {
    case 'invitation':
    case 'acknowledgement':
    case 'outcome':
      return `${head}-r${job.revision}`;
    case 'new-draft':
      return `${head}-v${job.draftVersion}`;
    case 'endorsement-request':
      return `${head}-v${job.draftVersion}-r${job.revision}`;
    case 'reminder':
      return `${head}-${job.phase === 'comments' ? 'c' : 'e'}${job.draftVersion}-${compactInstant(job.deadline)}-${job.offsetMs}ms`;
    case 'answers-digest':
      return `${head}-${compactInstant(job.from)}`;
  }
}

/** The message kind a DeliveryFailed names for a job of this kind. */
export function messageKindOf(kind: MailJobKind): 'invitation' | 'notice' | 'reminder' {
  return kind === 'invitation' ? 'invitation' : kind === 'reminder' ? 'reminder' : 'notice';
}

/**
 * What a job id says of its message: the kind, the consultation and the contact (as compact
 * UUIDs, without dashes); null when it is no job id of ours. A bounce names the message it
 * returns by its Message-ID, which is made of the job id (src/mail/message.ts).
 */
export function readJobId(id: string): { kind: MailJobKind; consultation: string; contact: string } | null {
  const m = /^([a-z]+)-([0-9a-f]{32})-([0-9a-f]{32})(?:-|$)/.exec(id);
  if (!m) return null;
  const kind = (Object.keys(PREFIX) as MailJobKind[]).find((k) => PREFIX[k] === m[1]);
  return kind ? { kind, consultation: m[2]!, contact: m[3]! } : null;
}

/** A job spec for this data, its id derived from it. */
export function jobSpec(data: MailJob, delayMs = 0): JobSpec {
  return { id: jobIdFor(data), data, delayMs: Math.max(0, Math.round(delayMs)) };
}

/** How a job is retried and kept. */
export interface JobPolicy {
  /** attempts in all before a transient failure is recorded (default 10) */
  attempts: number;
  /** the first retry's delay; each next one doubles it (default 30 s) */
  backoffMs: number;
  /** how long a finished job is kept, so that adding it again is ignored (default 30 days) */
  keepMs: number;
}

export const DEFAULT_JOB_POLICY: JobPolicy = { attempts: 10, backoffMs: 30_000, keepMs: 30 * 86_400_000 };
