// The consultation-settings view: given a consultation opened, then its languages and time zone;
// nothing else changes it, and it costs the other events nothing.
import t from 'tap';
import { event } from '../../src/domain/events.ts';
import { consultationSettings, readSettings } from '../../src/projections/consultation-settings.ts';
import { CONSULTATION_ID, draft, opened } from '../helpers/domain-spec.ts';
import { OTHER_ID, globalHistory } from './fixtures/history.ts';
import { costOf, recorded, replay } from './fixtures/recorded.ts';

t.test('given ConsultationOpened, then its languages and time zone; an unknown consultation has none', async (t) => {
  const replayed = await replay(consultationSettings, recorded([opened, draft(1)]));
  t.strictSame(await readSettings(replayed.reader, CONSULTATION_ID), { languages: ['en', 'ro'], timeZone: 'Europe/Bucharest' });
  t.equal(await readSettings(replayed.reader, OTHER_ID), null);
});

t.test('a second ConsultationOpened on the stream, and redeliveries, change nothing', async (t) => {
  const again = event('ConsultationOpened', { ...(opened.data as Record<string, unknown>), timeZone: 'Europe/Amsterdam' } as never);
  const events = recorded([opened, again]);
  const replayed = await replay(consultationSettings, [...events, ...events]);
  t.strictSame(await readSettings(replayed.reader, CONSULTATION_ID), { languages: ['en', 'ro'], timeZone: 'Europe/Bucharest' });
});

t.test('over the realistic history (two consultations, a foreign stream, an unknown type), each has its own settings', async (t) => {
  const replayed = await replay(consultationSettings, globalHistory(), 7);
  t.strictSame(await readSettings(replayed.reader, CONSULTATION_ID), { languages: ['en', 'ro'], timeZone: 'Europe/Bucharest' });
  t.strictSame((await readSettings(replayed.reader, OTHER_ID))?.timeZone, 'Europe/Bucharest');
});

t.test('an event after the opening reads and writes no document', async (t) => {
  const { reads, writes } = await costOf(consultationSettings, recorded([opened, draft(1)]), 1);
  t.strictSame({ reads, writes }, { reads: 0, writes: 0 });
});
