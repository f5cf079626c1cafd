// A stakeholder's own deadline (rules.ts): given everyone's deadline and its own extension, then the
// deadline that applies to it. decide (comments, endorsement, extensions) and the views use it.
import t from 'tap';
import { ownDeadline, ownDeadlineOverride } from '../../src/domain/rules.ts';

const EVERYONE = '2027-04-01T17:00:00+03:00';
const LATER = '2027-04-15T14:00:00Z';
const EARLIER = '2027-03-20T00:00:00Z';

t.test('given no own extension, then everyone\'s deadline applies', async (t) => {
  t.equal(ownDeadline(EVERYONE, null, 1), EVERYONE);
  t.equal(ownDeadline(EVERYONE, undefined, 1), EVERYONE);
  t.equal(ownDeadlineOverride(EVERYONE, null, 1), null);
});

t.test('given an own extension on this version that is later, then it applies', async (t) => {
  t.equal(ownDeadline(EVERYONE, { draftVersion: 2, deadline: LATER }, 2), LATER);
  t.equal(ownDeadlineOverride(EVERYONE, { draftVersion: 2, deadline: LATER }, 2), LATER);
});

t.test('given an own extension granted on another version, then everyone\'s deadline applies', async (t) => {
  t.equal(ownDeadline(EVERYONE, { draftVersion: 1, deadline: LATER }, 2), EVERYONE);
  t.equal(ownDeadlineOverride(EVERYONE, { draftVersion: 1, deadline: LATER }, 2), null);
});

t.test('given an extension for everyone that overtook the own one, then everyone\'s deadline applies (an extension never shortens)', async (t) => {
  t.equal(ownDeadline(LATER, { draftVersion: 1, deadline: EARLIER }, 1), LATER);
  t.equal(ownDeadlineOverride(LATER, { draftVersion: 1, deadline: EARLIER }, 1), null);
});

t.test('given an own extension at the same instant as everyone\'s (another offset), then everyone\'s applies', async (t) => {
  t.equal(ownDeadline(EVERYONE, { draftVersion: 1, deadline: '2027-04-01T14:00:00Z' }, 1), EVERYONE);
  t.equal(ownDeadlineOverride(EVERYONE, { draftVersion: 1, deadline: '2027-04-01T14:00:00Z' }, 1), null);
});
