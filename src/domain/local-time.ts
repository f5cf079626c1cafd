// An instant as the wall-clock time of a time zone: ISO-8601 with the zone's offset at that
// instant (`2027-03-06T17:00:00+01:00`), so a reader sees the time the consultation's people live
// by and the instant it stands for. Intl.DateTimeFormat knows the zones (IANA, with their daylight
// saving rules); nothing else here does.

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in whole minutes (east positive). */
export function offsetMinutes(epochMs: number, timeZone: string): number {
  const parts = formatIn(timeZone).formatToParts(new Date(epochMs));
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 60_000);
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const FRACTION = /T\d{2}:\d{2}:\d{2}(\.\d+)/;

/**
 * The instant (ISO-8601 with an offset or Z) as local time in `timeZone`, with that zone's offset:
 * `localTime('2027-03-06T16:00:00Z', 'Europe/Amsterdam')` is `2027-03-06T17:00:00+01:00`. Fractional
 * seconds are kept as written. Throws on a string that is not an instant.
 */
export function localTime(instant: string, timeZone: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${JSON.stringify(instant)}`);
  const offset = offsetMinutes(ms, timeZone);
  const wall = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  return `${wall}${FRACTION.exec(instant)?.[1] ?? ''}${offsetText(offset)}`;
}

const DAY_MS = 86_400_000;

/** The instant at which the wall clock of `timeZone` shows 00:00 on this calendar date (month 0-based; overflowing days roll over). */
function localMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month, day);
  let instant = wall - offsetMinutes(wall, timeZone) * 60_000;
  // the offset at the guess may differ from the offset at midnight itself (a change of offset that night)
  const offset = offsetMinutes(instant, timeZone);
  instant = wall - offset * 60_000;
  return instant;
}

/** The calendar date the wall clock of `timeZone` shows at an instant. */
function localDate(epochMs: number, timeZone: string): { year: number; month: number; day: number } {
  const local = new Date(epochMs + offsetMinutes(epochMs, timeZone) * 60_000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth(), day: local.getUTCDate() };
}

/**
 * The local day of `timeZone` that holds the instant: from its midnight (inclusive) to the next
 * midnight (exclusive), as epoch ms. 23 or 25 hours long on the days the clocks change.
 */
export function localDay(epochMs: number, timeZone: string): { start: number; end: number } {
  const { year, month, day } = localDate(epochMs, timeZone);
  let start = localMidnight(year, month, day, timeZone);
  let end = localMidnight(year, month, day + 1, timeZone);
  // where midnight itself is skipped (a zone that changes its clocks at 00:00), the day starts when the clock does
  if (start > epochMs) start = Math.min(epochMs, end - DAY_MS);
  if (end <= epochMs) end = epochMs + 1;
  return { start, end };
}

/**
 * The period of `periodMs` that holds the instant, in `timeZone`: a period of a day or more is the
 * local calendar day (midnight to midnight, whatever its length); a shorter one (a demonstration,
 * a test) is a slice of the local day from its midnight, the day's last slice ending at the next
 * midnight. The digests of a consultation are made per period of its own time zone.
 */
export function localPeriod(epochMs: number, timeZone: string, periodMs: number): { start: number; end: number } {
  const day = localDay(epochMs, timeZone);
  if (periodMs >= DAY_MS) return day;
  const start = day.start + Math.floor((epochMs - day.start) / periodMs) * periodMs;
  return { start, end: Math.min(start + periodMs, day.end) };
}
