import { z } from 'zod';
import { defineCommand } from './command.ts';
import { formatDuration, parseDurationMs } from '../config/duration.ts';
import { event } from '../domain/events.ts';
import { COORDINATOR_ONLY, requireOpen, requireRole } from '../domain/rules.ts';
import { MultiLine } from '../domain/schemas.ts';

const MAX_OFFSETS = 12;
const LONGEST_S = 365 * 86_400;

/** A duration before a deadline: whole seconds, 1s to 1y, written back in its shortest form ("48h" → "2d"). */
const ReminderOffset = z.string().trim().transform((text, ctx): string => {
  const ms = parseDurationMs(text);
  if (ms === null || ms % 1000 !== 0 || ms / 1000 > LONGEST_S) {
    ctx.addIssue({ code: 'custom', message: 'a duration of whole seconds up to 1y, such as 7d, 36h or 30s' });
    return z.NEVER;
  }
  return formatDuration(ms / 1000);
});

/** Longest first, each once. */
function ordered(offsets: readonly string[]): string[] {
  const seconds = [...new Set(offsets.map((o) => parseDurationMs(o)! / 1000))].sort((a, b) => b - a);
  return seconds.map(formatDuration);
}

/**
 * How this consultation's reminders go out, replacing what was set before: how long before each
 * deadline (`offsets`; omitted: the server's REMINDER_OFFSETS), whether at all (`enabled`), and a
 * short message of the coordinators' own added to each. The same settings again record nothing.
 */
export const configureReminders = defineCommand({
  name: 'ConfigureReminders',
  schema: z.strictObject({
    offsets: z.array(ReminderOffset).min(1).max(MAX_OFFSETS).optional()
      .describe('durations before each deadline, e.g. ["7d", "1d"] (units s, m, h, d, w, y); omitted: the server\'s REMINDER_OFFSETS'),
    enabled: z.boolean().default(true).describe('false: no reminders are sent (those scheduled are dropped when due)'),
    message: MultiLine(1_000).optional().describe('added to every reminder, in the coordinators\' own words'),
  }),
  decide(state, input, ctx) {
    requireRole(ctx.actor, COORDINATOR_ONLY);
    requireOpen(state);
    const offsets = input.offsets ? ordered(input.offsets) : null;
    const message = input.message ?? null;
    const current = state.reminders ?? { offsets: null, enabled: true, message: null };
    const same = current.enabled === input.enabled && current.message === message
      && JSON.stringify(current.offsets) === JSON.stringify(offsets);
    if (same) return [];
    return [event('RemindersConfigured', { offsets, enabled: input.enabled, ...(message !== null ? { message } : {}) })];
  },
});
