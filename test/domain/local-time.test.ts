// Local time in a consultation's time zone: the wall-clock time and the zone's offset at that instant.
import t from 'tap';
import { localTime, offsetMinutes } from '../../src/domain/local-time.ts';

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
