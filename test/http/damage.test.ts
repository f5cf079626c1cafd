// One damaged consultation is isolated, through app.inject() on a real store: after a changed byte,
// a deleted event, a changed actor or an unparseable row (SQLite), or a tampered stream over the
// EventStoreDB protocol double, that consultation answers 503 HISTORY_DAMAGED (naming the stream,
// revision and reason) on reads and on commands and nothing is appended to it, while another
// consultation in the same store reads and writes normally, /readyz stays 200 and /healthz lists
// the damage. It holds when the damage is found at start (a restart: new handler, runner and app
// on the same data) and when it is done while the service runs (found by the background check).
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import { HistoryVerifier } from '../../src/audit/verifier.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store.ts';
import type { EventStore } from '../../src/store/port.ts';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.ts';
import { startTestEventStoreDB } from '../esdb/test-server.ts';
import { openConsultation, inviteThroughApi, startApi } from '../helpers/http.ts';
import { ESDB_TAMPERINGS, TAMPERINGS, countRows, expectedDamage, tamperEsdb, tamperSqlite, type Tampering } from '../helpers/tamper.ts';
import { tempDir } from '../helpers/temp-store.ts';
import path from 'node:path';

t.setTimeout(180_000);

type Teardown = { teardown(fn: () => unknown): void };
type Api = Awaited<ReturnType<typeof startApi>>;

interface Data {
  /** a new connection to the same data, closed when the test ends (a restart opens one) */
  connect(): Promise<EventStore>;
  tamper(streamName: string, revision: number, kind: Tampering): Promise<void>;
  /** the events stored for a stream, counted behind the service's back */
  count(streamName: string): Promise<number>;
}

const backends: { name: string; kinds: readonly Tampering[]; data(t: Teardown): Promise<Data> }[] = [
  {
    name: 'sqlite',
    kinds: TAMPERINGS,
    async data(t) {
      const file = path.join(tempDir(t), 'events.sqlite');
      return {
        async connect() {
          const store = new SqliteEventStore({ file });
          t.teardown(() => store.close());
          return store;
        },
        async tamper(streamName, revision, kind) { tamperSqlite(file, streamName, revision, kind); },
        async count(streamName) { return countRows(file, streamName); },
      };
    },
  },
  {
    name: 'EventStoreDB protocol',
    kinds: ESDB_TAMPERINGS,
    async data(t) {
      const server = await startTestEventStoreDB();
      t.teardown(() => server.stop());
      const connect = async () => {
        const store = await EsdbEventStore.open({ url: server.url });
        t.teardown(() => store.close());
        return store;
      };
      const reader = await connect();
      return {
        connect,
        tamper: (streamName, revision, kind) => tamperEsdb(server, reader, streamName, revision, kind),
        async count(streamName) { return (await reader.readStream(streamName)).length; },
      };
    },
  },
];

const invitee = (organisation: string) => ({ organisation, kind: 'civil-society', contacts: [{ name: 'Focal point', email: `${organisation.toLowerCase().replaceAll(' ', '.')}@example.org` }], language: 'en' });
const commentBody = (stakeholderId: string, text: string) => ({ stakeholderId, draftVersion: 1, sectionKey: 's1', text, channel: 'api' });

/** Two consultations of five events each (open, draft, invite, two comments). */
async function twoConsultations(api: Api) {
  const ids = [];
  for (const name of ['Women Mediators Network', 'Peace Research Institute']) {
    const id = await openConsultation(api);
    const sid = await inviteThroughApi(api, id, invitee(name));
    for (const text of ['First comment', 'Second comment']) {
      const res = await api.call({ url: `/consultations/${id}/comments`, body: commentBody(sid, text) });
      if (res.statusCode !== 201) throw new Error(`comment failed: ${res.statusCode} ${res.body}`);
    }
    ids.push({ id, sid });
  }
  return { damaged: ids[0]!, healthy: ids[1]! };
}

async function expectIsolated(
  t: Test,
  api: Api,
  data: Data,
  ids: Awaited<ReturnType<typeof twoConsultations>>,
  expected: { revision: number; reason: string | RegExp },
  detectedBy: string,
) {
  const { damaged, healthy } = ids;
  const stream = streamNameFor(damaged.id);
  const problem = { code: 'HISTORY_DAMAGED', status: 503, details: { streamName: stream, ...expected } };

  for (const url of [`/consultations/${damaged.id}`, `/consultations/${damaged.id}/stakeholders`, `/consultations/${damaged.id}/events`]) {
    const res = await api.call({ url });
    t.equal(res.statusCode, 503, `GET ${url} is refused`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.match(res.json(), problem);
  }
  const rows = await data.count(stream);
  const refused = await api.call({ url: `/consultations/${damaged.id}/comments`, body: commentBody(damaged.sid, 'On top of a broken history'), headers: { 'idempotency-key': randomUUID() } });
  t.equal(refused.statusCode, 503, 'a command is refused');
  t.match(refused.json(), problem);
  t.equal(await data.count(stream), rows, 'nothing was appended to the damaged consultation');

  const accepted = await api.call({ url: `/consultations/${healthy.id}/comments`, body: commentBody(healthy.sid, 'Heard as usual') });
  t.equal(accepted.statusCode, 201, `another consultation takes commands (${accepted.body})`);
  const summary = await api.call({ url: `/consultations/${healthy.id}` });
  t.equal(summary.statusCode, 200);
  t.equal((summary.json() as { counts: { commentsReceived: number } }).counts.commentsReceived, await data.count(streamNameFor(healthy.id)) - 3, 'and its views reflect them');

  const list = (await api.call({ url: '/consultations' })).json() as { consultations: { id: string; damaged?: unknown }[] };
  t.match(list.consultations.find((c) => c.id === damaged.id), { damaged: { revision: expected.revision, reason: expected.reason } }, 'the list flags the damaged one');
  t.equal(list.consultations.find((c) => c.id === healthy.id)?.damaged, undefined, 'and only that one');

  t.equal((await api.call({ url: '/readyz', as: null })).statusCode, 200, 'ready for everything else');
  const health = await api.call({ url: '/healthz', as: null });
  t.equal(health.statusCode, 200);
  t.match(health.json(), { status: 'ok', damaged: [{ consultationId: damaged.id, streamName: stream, ...expected, detectedBy, detectedAt: String }] });
  t.equal((health.json() as { damaged: unknown[] }).damaged.length, 1);
}

for (const backend of backends) {
  for (const kind of backend.kinds) {
    t.test(`${backend.name}, ${kind}: the damaged consultation answers HISTORY_DAMAGED, the other goes on`, async (t) => {
      const data = await backend.data(t);
      const running = await startApi(t, { store: await data.connect() });
      const ids = await twoConsultations(running);
      await data.tamper(streamNameFor(ids.damaged.id), 3, kind);
      const expected = expectedDamage(kind, 3);

      t.test('done while the service runs: the background check finds it', async (t) => {
        const verifier = new HistoryVerifier({ store: running.store, damage: running.damage, intervalMs: 3_600_000 });
        await verifier.runOnce();
        await verifier.stop();
        await expectIsolated(t, running, data, ids, expected, 'verifier');
      });

      t.test('after a restart: found as the views catch up, and still so after another restart', async (t) => {
        const restarted = await startApi(t, { store: await data.connect() });
        await expectIsolated(t, restarted, data, ids, expected, 'projections');
        const again = await startApi(t, { store: await data.connect() });
        await expectIsolated(t, again, data, ids, expected, 'projections');
      });
    });
  }
}
