// The end-to-end story across the routes, as a coordinator and an auditor would live it:
// open → a bilingual draft (English, partly Romanian) → invite five stakeholders (two endorsers) →
// import two more from a Windows-1252 CSV (Excel in the Netherlands) → comments → adoption refused
// (comments unanswered, endorsements missing, the comment period open) → answers → a second draft →
// a late letter on the first, recorded after the second was published → endorsement request → the
// police made an endorser by PATCH → endorsements → still refused until the comment period is over
// → close as adopted; then the auditor's history at /events replays to the same views and its hash
// chain verifies. Once on SQLite, once on EventStoreDB's protocol. The story runs on a clock it moves
// (test/fixtures/story.ts).
import t from 'tap';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store.ts';
import type { EventStore } from '../../src/store/port.ts';
import { startTestEventStoreDB } from '../esdb/test-server.ts';
import { startApi } from '../helpers/http.ts';
import { story, storyClock } from '../fixtures/story.ts';

t.setTimeout(120_000);

t.test('the story on the embedded SQLite store', async (t) => {
  const { clock, setTime } = storyClock();
  const api = await startApi(t, { clock });
  await story(t, api, setTime);
});

t.test('the story on EventStoreDB (protocol test double)', async (t) => {
  const server = await startTestEventStoreDB();
  t.teardown(() => server.stop());
  const store: EventStore = await EsdbEventStore.open({ url: server.url });
  t.teardown(() => store.close());
  const { clock, setTime } = storyClock();
  const api = await startApi(t, { store, clock });
  await story(t, api, setTime);
});
