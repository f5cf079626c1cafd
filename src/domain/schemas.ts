// Value schemas shared by events and commands.
import { z } from 'zod';

/** An ISO-8601 instant with an offset or `Z`; a local time without one is refused. */
export const Instant = z.iso.datetime({ offset: true });
export const LanguageCode = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP-47 language tag such as "en" or "ro"');
export const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}, 'an IANA time zone such as "Europe/Bucharest"');

export const Email = z.email().max(254).transform((e) => e.trim());
export const Contact = z.object({ name: z.string().trim().min(1).max(200), email: Email });
export type Contact = z.infer<typeof Contact>;

export const StakeholderKind = z.enum(['ministry', 'civil-society', 'academia', 'international', 'other']);
export const Channel = z.enum(['api', 'link', 'email', 'meeting', 'letter']);
export type Channel = z.infer<typeof Channel>;
/** Channels where the coordinator records a comment made earlier, so it carries when it was made. */
export const RECORDED_CHANNELS: readonly Channel[] = ['meeting', 'letter'];
export const Disposition = z.enum(['accepted', 'partially-accepted', 'rejected', 'noted']);
export const Phase = z.enum(['comments', 'endorsement']);
export type Phase = z.infer<typeof Phase>;
export const Outcome = z.enum(['adopted', 'withdrawn']);
export const MessageKind = z.enum(['invitation', 'notice', 'reminder']);
export const NoticeKind = z.enum(['new-draft', 'endorsement-request', 'acknowledgement']);

export const SectionKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a section key of letters, digits, ".", "_" or "-"');
export const Section = z.object({
  key: SectionKey,
  heading: z.string().trim().min(1).max(500),
  text: z.string().max(100_000),
});
export type Section = z.infer<typeof Section>;

export const COMMENT_MAX_LENGTH = 10_000;
/** Comment text: not blank, at most COMMENT_MAX_LENGTH characters. */
export const CommentText = z.string().trim().min(1, 'must not be empty').max(COMMENT_MAX_LENGTH);
export const Reason = z.string().trim().min(1, 'must not be empty').max(2_000);
export const Signatory = z.object({ name: z.string().trim().min(1).max(200), title: z.string().trim().min(1).max(200) });

export const ActorRole = z.enum(['coordinator', 'stakeholder', 'auditor', 'system']);
export const Actor = z.object({ role: ActorRole, id: z.string().min(1).max(200) });
export type Actor = z.infer<typeof Actor>;
