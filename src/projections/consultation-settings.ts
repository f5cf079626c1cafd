// What a consultation declared when it opened and never changes: its languages and its time zone.
// The routes read it to give every time in the consultation's own zone (src/http/local-times.ts).
//
// One document per consultation (keyed by its id), written at its ConsultationOpened and never
// again, so the other events cost this projection nothing.
import { z } from 'zod';
import { consultationIdOf } from '../domain/stream-name.ts';
import { collection, readable, type DocReader, type Projection } from './projection.ts';

export const ConsultationSettings = z.object({
  languages: z.array(z.string()).describe('the first is the language of the drafts\' own text'),
  timeZone: z.string().describe('IANA time zone, e.g. Europe/Amsterdam'),
});
export type ConsultationSettings = z.infer<typeof ConsultationSettings>;

const Settings = collection('', ConsultationSettings);

export const consultationSettings = {
  name: 'consultation-settings',
  version: 1,
  collections: [Settings],
  async apply(docs, e) {
    if (e.event?.type !== 'ConsultationOpened') return;
    const consultationId = consultationIdOf(e.streamName);
    // the first ConsultationOpened of a stream opens it (a later one is refused by decide, and changes nothing here)
    if (!consultationId || await docs.get(Settings, consultationId)) return;
    docs.put(Settings, consultationId, { languages: e.event.data.languages, timeZone: e.event.data.timeZone });
  },
} satisfies Projection;

/** A consultation's settings, or null when the view has not seen it opened. */
export async function readSettings(reader: DocReader, consultationId: string): Promise<ConsultationSettings | null> {
  return readable(reader, Settings, await reader.get(Settings, consultationId), consultationSettings.name);
}
