// Local time in a consultation's time zone: the wall-clock time and the zone's offset at that instant.
import t from 'tap';
import { localDay, localPeriod, localTime, offsetMinutes } from '../../src/domain/local-time.ts';

t.test('an instant in Europe/Amsterdam, in winter and in summer', async (t) => {
  t.equal(localTime('2027-03-06T16:00:00Z', 'Europe/Amsterdam'), '2027-03-06T17:00:00+01:00');
  t.equal(localTime('2027-07-06T15:00:00Z', 'Europe/Amsterdam'), '2027-07-06T17:00:00+02:00');
});

t.test('across the change to summer time (28 March 2027, 02:00 becomes 03:00) and back (31 October, 03:00 becomes 02:00)', async (t) => {
  t.equal(localTime('2027-03-28T00:59:59Z', 'Europe/Amsterdam'), '2027-03-28T01:59:59+01:00');
  t.equal(localTime('2027-03-28T01:00:00Z', 'Europe/Amsterdam'), '2027-03-28T03:00:00+02:00');
  t.equal(localTime('2027-10-31T00:59:59Z', 'Europe/Amsterdam'), '2027-10-31T02:59:59+02:00');
  t.equal(localTime('2027-10-31T01:00:00Z', 'Europe/Amsterdam'), '2027-10-31T02:00:00+01:00', 'the hour that happens twice: told apart by its offset');
});

t.test('an instant written with another offset is the same instant', async (t) => {
  t.equal(localTime('2027-04-01T17:00:00+03:00', 'Europe/Bucharest'), '2027-04-01T17:00:00+03:00');
  t.equal(localTime('2027-04-01T17:00:00+03:00', 'Europe/Amsterdam'), '2027-04-01T16:00:00+02:00');
});

t.test('fractional seconds are kept as written; UTC is +00:00; offsets of half and three quarters of an hour, and west of UTC', async (t) => {
  t.equal(localTime('2027-03-01T09:00:00.000Z', 'Europe/Amsterdam'), '2027-03-01T10:00:00.000+01:00');
  t.equal(localTime('2027-03-01T09:00:00.123456Z', 'UTC'), '2027-03-01T09:00:00.123456+00:00');
  t.equal(localTime('2027-03-01T12:00:00Z', 'Asia/Kathmandu'), '2027-03-01T17:45:00+05:45');
  t.equal(localTime('2027-01-15T12:00:00Z', 'America/St_Johns'), '2027-01-15T08:30:00-03:30');
  t.equal(localTime('2027-01-01T00:30:00Z', 'America/New_York'), '2026-12-31T19:30:00-05:00', 'the day before, locally');
  t.equal(offsetMinutes(Date.parse('2027-07-01T00:00:00Z'), 'Europe/Bucharest'), 180);
});

t.test('a string that is not an instant is refused', async (t) => {
  t.throws(() => localTime('soon', 'Europe/Amsterdam'), RangeError);
});

t.test('localDay: the calendar day of the zone, midnight to midnight, 23 or 25 hours when the clocks change', async (t) => {
  const day = (instant: string, zone: string) => {
    const { start, end } = localDay(Date.parse(instant), zone);
    return [new Date(start).toISOString(), new Date(end).toISOString(), (end - start) / 3_600_000];
  };
  t.same(day('2027-03-28T12:00:00Z', 'Europe/Amsterdam'), ['2027-03-27T23:00:00.000Z', '2027-03-28T22:00:00.000Z', 23], 'spring forward');
  t.same(day('2027-10-31T12:00:00Z', 'Europe/Amsterdam'), ['2027-10-30T22:00:00.000Z', '2027-10-31T23:00:00.000Z', 25], 'fall back');
  t.same(day('2027-10-30T22:30:00Z', 'Europe/Amsterdam'), ['2027-10-30T22:00:00.000Z', '2027-10-31T23:00:00.000Z', 25], 'just after local midnight');
  t.same(day('2027-06-01T03:00:00Z', 'America/New_York'), ['2027-05-31T04:00:00.000Z', '2027-06-01T04:00:00.000Z', 24], 'west of UTC: still the day before');
  t.same(day('2027-06-01T03:00:00Z', 'UTC'), ['2027-06-01T00:00:00.000Z', '2027-06-02T00:00:00.000Z', 24]);
  // São Paulo skipped midnight on 4 November 2018 (00:00 became 01:00): the days still meet, without a gap
  const before = localDay(Date.parse('2018-11-03T12:00:00Z'), 'America/Sao_Paulo');
  const skipped = localDay(Date.parse('2018-11-04T12:00:00Z'), 'America/Sao_Paulo');
  t.equal(before.end, skipped.start);
  t.ok(skipped.start <= Date.parse('2018-11-04T12:00:00Z') && Date.parse('2018-11-04T12:00:00Z') < skipped.end);
});

t.test('localPeriod: a day or more is the local day; shorter periods slice it from local midnight', async (t) => {
  const at = Date.parse('2027-03-28T12:00:05Z');
  t.same(localPeriod(at, 'Europe/Bucharest', 86_400_000), localDay(at, 'Europe/Bucharest'));
  const { start, end } = localPeriod(at, 'Europe/Bucharest', 3_000);
  t.equal(new Date(start).toISOString(), '2027-03-28T12:00:03.000Z');
  t.equal(end - start, 3_000);
  // the last slice of a day ends at the next midnight
  const late = localPeriod(Date.parse('2027-03-28T20:59:59Z'), 'Europe/Bucharest', 7 * 3_600_000);
  t.equal(new Date(late.end).toISOString(), '2027-03-28T21:00:00.000Z');
});
