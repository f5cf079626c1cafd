// Durations in settings and on the command line: a whole number and one unit, "90s", "15m", "8h",
// "30d", "2w", "1y" (365 days). Parsed to seconds; formatted back in the largest unit that fits.
import { z } from 'zod';

const UNITS = { y: 365 * 86_400, w: 7 * 86_400, d: 86_400, h: 3_600, m: 60, s: 1 } as const;
type Unit = keyof typeof UNITS;
const PATTERN = /^([1-9]\d{0,9})\s?([smhdwy])$/;
/** Ten years: a bound that keeps every computed date in range. */
const LONGEST = 10 * UNITS.y;

/** A duration string → seconds. */
export const Duration = z
  .string()
  .trim()
  .regex(PATTERN, 'a duration such as 8h, 30d or 2w (units s, m, h, d, w, y)')
  .transform((text) => {
    const [, amount, unit] = PATTERN.exec(text)!;
    return Number(amount) * UNITS[unit as Unit];
  })
  .refine((seconds) => seconds <= LONGEST, 'at most 10 years');

/** Seconds → the shortest exact duration string ("30d", "36h", "90s"). */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of Object.entries(UNITS)) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
