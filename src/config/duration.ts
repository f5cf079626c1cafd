// Durations in settings and on the command line: a whole number and one unit, `500ms`, `90s`,
// `15m`, `8h`, `30d`, `2w`, `1y` (365 days). One parser; token lifetimes read it as seconds
// (TOKEN_MAX_LIFETIME, `consult token --expires`), timers as milliseconds (VERIFY_INTERVAL, which
// also takes `off`; REMINDER_OFFSETS, a list).
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;
const PATTERN = /^([1-9]\d{0,9})\s?(ms|s|m|h|d|w|y)$/;
/** Ten years: a bound that keeps every computed date in range. */
const LONGEST_S = 10 * 365 * 86_400;
/** the longest delay a Node timer takes (about 24.8 days) */
const MAX_TIMER_MS = 2_147_483_647;
const HINT = 'a duration such as 8h, 30d or 2w (units ms, s, m, h, d, w, y)';

/** Milliseconds of a duration string, or null when it is not one. */
export function parseDurationMs(text: string): number | null {
  const m = PATTERN.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2] as Unit] : null;
}

/** A duration string → whole seconds (at most 10 years). */
export const Duration = z.string().trim().transform((text, ctx): number => {
  const ms = parseDurationMs(text);
  if (ms === null || ms % 1000 !== 0) {
    ctx.addIssue({ code: 'custom', message: ms === null ? HINT : 'a whole number of seconds' });
    return z.NEVER;
  }
  if (ms / 1000 > LONGEST_S) {
    ctx.addIssue({ code: 'custom', message: 'at most 10 years' });
    return z.NEVER;
  }
  return ms / 1000;
});

/** A timer's interval in milliseconds (more than 0, at most 24 days); `off` is null. */
export const Interval = (fallback: string) =>
  z.string().default(fallback).transform((text, ctx): number | null => {
    if (text === 'off') return null;
    const ms = parseDurationMs(text);
    if (ms === null || ms > MAX_TIMER_MS) {
      ctx.addIssue({ code: 'custom', message: ms === null ? `${HINT}, or off` : `${HINT}; at most 24d` });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A comma-separated list of durations (`7d,2d,1d`, `30s,10s`) → milliseconds, longest first, each
 * once: how long before a deadline each reminder goes out. At most 12, each at most a year.
 */
export const DurationList = (fallback: string) =>
  z.string().default(fallback).transform((text, ctx): number[] => {
    const parts = text.split(',').map((p) => p.trim());
    const ms = parts.map(parseDurationMs);
    if (ms.some((v) => v === null)) {
      ctx.addIssue({ code: 'custom', message: `a comma-separated list of durations such as 7d,2d,1d or 30s,10s (units ms, s, m, h, d, w, y)` });
      return z.NEVER;
    }
    const values = [...new Set(ms as number[])].sort((a, b) => b - a);
    if (values.length > 12 || values[0]! > UNIT_MS.y) {
      ctx.addIssue({ code: 'custom', message: 'at most 12 durations, each at most 1y' });
      return z.NEVER;
    }
    return values;
  });

/** Seconds → the shortest exact duration string ("30d", "36h", "90s"). */
export function formatDuration(seconds: number): string {
  for (const unit of ['y', 'w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] / 1000;
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
