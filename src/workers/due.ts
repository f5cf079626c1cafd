// Whether a mail job is still due, judged against the consultation's state when it runs (and, by the
// relay, when it is made): the stakeholder removed or declined, the consultation closed, a newer
// draft, a moved deadline, reminders switched off, or the stakeholder already answered for that
// phase all make it due no more. The rules are the domain's (awaiting.ts, standing.ts, rules.ts);
// this module only asks them about one job.
import { parseDurationMs } from '../config/duration.ts';
import { awaitingInState, takesPartInState } from '../domain/awaiting.ts';
import type { ReadonlyStakeholder, ReadonlyState } from '../domain/consultation.ts';
import { commentDeadlineFor, endorsementDeadlineFor, isAfter } from '../domain/rules.ts';
import type { Phase } from '../domain/schemas.ts';
import type { StakeholderMailJob } from './jobs.ts';
import { isErasedContact } from '../domain/erased.ts';

/** The reminders that apply to a consultation: its own settings, else the server's REMINDER_OFFSETS. */
export interface EffectiveReminders {
  enabled: boolean;
  /** longest first */
  offsetsMs: number[];
  message: string | null;
}

export function remindersOf(s: ReadonlyState, defaultOffsetsMs: readonly number[]): EffectiveReminders {
  const own = s.reminders;
  const offsets = own?.offsets ? own.offsets.map((o) => parseDurationMs(o)).filter((ms): ms is number => ms !== null) : [...defaultOffsetsMs];
  return { enabled: own?.enabled ?? true, offsetsMs: [...new Set(offsets)].sort((a, b) => b - a), message: own?.message ?? null };
}

/** The deadline a stakeholder is reminded of in a phase now: the latest draft's (or the open request's), its own where that applies; null when there is none. */
export function reminderTarget(s: ReadonlyState, x: ReadonlyStakeholder, phase: Phase): { draftVersion: number; deadline: string } | null {
  if (phase === 'comments') {
    if (s.latestVersion === 0) return null;
    return { draftVersion: s.latestVersion, deadline: commentDeadlineFor(s, x) };
  }
  const request = s.endorsementRequest;
  if (!x.endorser || !request) return null;
  return { draftVersion: request.draftVersion, deadline: endorsementDeadlineFor(s, x) };
}

function sameInstant(a: string, b: string): boolean {
  return Date.parse(a) === Date.parse(b);
}

/** Why the job's message is not (or no longer) due, or null when it is. `now` ISO-8601. */
export function whyNotDue(s: ReadonlyState, job: StakeholderMailJob, now: string, defaultOffsetsMs: readonly number[]): string | null {
  if (s.status === 'none' || s.id !== job.consultationId) return 'no such consultation';
  const x = s.stakeholders.get(job.stakeholderId);
  if (!x) return 'no such stakeholder';
  const contact = x.contacts.find((c) => c.contactId === job.contactId);
  if (!contact) return 'the contact no longer belongs to the stakeholder';
  if (isErasedContact(contact)) return 'the contact\'s personal data was erased';
  if (job.kind === 'outcome') {
    if (s.status !== 'closed') return 'the consultation is not closed';
    return x.removed ? 'the stakeholder was removed' : null;
  }
  if (s.status !== 'open') return 'the consultation is closed';
  if (x.removed) return 'the stakeholder was removed';
  if (!takesPartInState(x)) return 'the stakeholder declined the invitation';
  switch (job.kind) {
    case 'invitation':
    case 'acknowledgement':
    case 'answers-digest':
      return null;
    case 'new-draft':
      return s.latestVersion === job.draftVersion ? null : `draft version ${s.latestVersion} replaced version ${job.draftVersion}`;
    case 'endorsement-request':
      if (!x.endorser) return 'the stakeholder is not an endorser';
      return s.endorsementRequest?.draftVersion === job.draftVersion ? null : `endorsement of version ${job.draftVersion} is no longer requested`;
    case 'reminder': {
      const settings = remindersOf(s, defaultOffsetsMs);
      if (!settings.enabled) return 'reminders are switched off';
      if (!settings.offsetsMs.includes(job.offsetMs)) return 'reminders are no longer sent at this offset';
      const target = reminderTarget(s, x, job.phase);
      if (!target || target.draftVersion !== job.draftVersion) return `no ${job.phase} are asked on version ${job.draftVersion} any more`;
      if (!sameInstant(target.deadline, job.deadline)) return `the deadline moved to ${target.deadline}`;
      if (!isAfter(target.deadline, now)) return 'the deadline has passed';
      if (!awaitingInState(s, x).includes(job.phase)) return `the stakeholder has answered (${job.phase})`;
      return null;
    }
  }
}
