import t from 'tap';
import { configureReminders } from '../../src/commands/configure-reminders.ts';
import { event } from '../../src/domain/events.ts';
import { asStakeholder, closedWithdrawn, CSO, cso, opened, stateFrom, when } from '../helpers/domain-spec.ts';

t.test('given nothing, when ConfigureReminders, then CONSULTATION_NOT_FOUND', async (t) => {
  t.throws(() => when(configureReminders, [], { offsets: ['7d'] }), { code: 'CONSULTATION_NOT_FOUND' });
});

t.test('given a closed consultation, when ConfigureReminders, then CONSULTATION_CLOSED', async (t) => {
  t.throws(() => when(configureReminders, [opened, closedWithdrawn], { offsets: ['7d'] }), { code: 'CONSULTATION_CLOSED' });
});

t.test('a stakeholder may not configure reminders: ACTOR_NOT_ALLOWED', async (t) => {
  t.throws(() => when(configureReminders, [opened, cso], { enabled: false }, { actor: asStakeholder(CSO) }), { code: 'ACTOR_NOT_ALLOWED' });
});

t.test('given an open consultation, when ConfigureReminders, then RemindersConfigured with the offsets longest first, each once, in their shortest form', async (t) => {
  t.same(when(configureReminders, [opened], { offsets: ['1d', '168h', '24h', '90s'], message: 'Section 3 first, please.' }), [
    event('RemindersConfigured', { offsets: ['1w', '1d', '90s'], enabled: true, message: 'Section 3 first, please.' }),
  ]);
  t.same(when(configureReminders, [opened], { enabled: false }), [event('RemindersConfigured', { offsets: null, enabled: false })],
    'without offsets: the server\'s REMINDER_OFFSETS');
});

t.test('the same settings again record nothing; the defaults, before any settings, are nothing new either', async (t) => {
  const set = event('RemindersConfigured', { offsets: ['1w', '1d'], enabled: true });
  t.same(when(configureReminders, [opened, set], { offsets: ['1d', '7d'] }), []);
  t.same(when(configureReminders, [opened], {}), [], 'enabled with the server\'s offsets and no message is how it starts');
  t.same(when(configureReminders, [opened, set], { offsets: ['1d', '7d'], message: 'New words.' }).length, 1, 'a new message is a change');
});

t.test('offsets are whole seconds up to a year, at most 12', async (t) => {
  for (const offsets of [['soon'], ['500ms'], ['2y'], [], Array.from({ length: 13 }, (_, i) => `${i + 1}d`)]) {
    t.notOk(configureReminders.schema.safeParse({ offsets }).success, JSON.stringify(offsets));
  }
});

t.test('the state keeps the settings (the relay and the workers read them)', async (t) => {
  const s = stateFrom([opened, event('RemindersConfigured', { offsets: ['2d'], enabled: false, message: 'Hello' })]);
  t.same(s.reminders, { offsets: ['2d'], enabled: false, message: 'Hello' });
});
