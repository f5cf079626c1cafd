// Durations in settings (VERIFY_INTERVAL): `24h`, `30m`, `10s`, `500ms`, `7d`, or `off`.
import { z } from 'zod';

const DURATION = /^(\d{1,10})(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** the longest delay a Node timer takes (about 24.8 days) */
const MAX_TIMER_MS = 2_147_483_647;
const DURATION_HINT = 'a duration such as 24h, 30m or 10s (units ms, s, m, h, d), or off';

/** A duration like `24h`, `30m`, `10s` in milliseconds; `off` is null. */
export const Interval = (fallback: string) =>
  z.string().default(fallback).transform((text, ctx): number | null => {
    if (text === 'off') return null;
    const m = DURATION.exec(text);
    const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
    if (!(ms > 0 && ms <= MAX_TIMER_MS)) {
      ctx.addIssue({ code: 'custom', message: m ? `${DURATION_HINT}; more than 0 and at most 24d` : DURATION_HINT });
      return z.NEVER;
    }
    return ms;
  });
