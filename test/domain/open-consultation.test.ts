import t from 'tap';
import { openConsultation } from '../../src/commands/open-consultation.ts';
import { event } from '../../src/domain/events.ts';
import { CONSULTATION_ID, opened, when } from '../helpers/domain-spec.ts';

const input = {
  title: 'Third National Action Plan on Women, Peace and Security',
  summary: 'Consultation on the draft plan',
  leadOrganisation: 'Ministry of Defence, Gender Office',
  languages: ['en', 'ro'],
  timeZone: 'Europe/Bucharest',
};

t.test('given nothing, when OpenConsultation, then ConsultationOpened', async (t) => {
  t.same(when(openConsultation, [], input), [event('ConsultationOpened', { consultationId: CONSULTATION_ID, ...input })]);
});

t.test('given an opened consultation, when OpenConsultation again, then CONSULTATION_ALREADY_EXISTS', async (t) => {
  t.throws(() => when(openConsultation, [opened], input), { code: 'CONSULTATION_ALREADY_EXISTS' });
});

t.test('a time zone that is not IANA is refused by the schema', async (t) => {
  t.throws(() => when(openConsultation, [], { ...input, timeZone: 'Mars/Olympus' }), { name: 'ZodError' });
  t.throws(() => when(openConsultation, [], { ...input, timeZone: '+02:00' }), { name: 'ZodError' });
});

t.test('languages: at most MAX_LANGUAGES (6), each once', async (t) => {
  const open = openConsultation;
  const base = { title: 'NAP', leadOrganisation: 'Gender Office', timeZone: 'Europe/Amsterdam' };
  t.ok(open.schema.safeParse({ ...base, languages: ['nl', 'en', 'fy', 'de', 'fr', 'pap'] }).success);
  t.notOk(open.schema.safeParse({ ...base, languages: ['nl', 'en', 'fy', 'de', 'fr', 'pap', 'ro'] }).success);
  const twice = open.schema.safeParse({ ...base, languages: ['nl', 'en', 'nl'] });
  t.match(twice.error?.issues[0]?.message, 'each language once');
});
