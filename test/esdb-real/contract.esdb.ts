// `npm run test:esdb`: the store contract and the handler's concurrency check against a REAL
// EventStoreDB/KurrentDB server named by EVENTSTORE_URL (not part of `npm test`: no server can be
// installed on the development and CI machines). Start one with:
//   docker run --rm -p 2113:2113 -e KURRENTDB_INSECURE=true docker.kurrent.io/kurrent-latest/kurrentdb:25.1
//   EVENTSTORE_URL='esdb://127.0.0.1:2113?tls=false' npm run test:esdb
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { EsdbEventStore } from '../../src/store/esdb/esdb-event-store.ts';
import { CommandHandler } from '../../src/commands/handler.ts';
import { verifyStream } from '../../src/audit/hash-chain.ts';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { eventStoreContract } from '../store/contract.ts';
import { comment, invite, openWithDraft } from '../helpers/consultation.ts';

t.setTimeout(300_000);
const url = process.env.EVENTSTORE_URL;

if (!url) {
  t.fail('EVENTSTORE_URL is not set: point it at a running EventStoreDB, e.g. esdb://127.0.0.1:2113?tls=false');
} else {
  t.test(`the store contract against ${url.replace(/\/\/[^@/]*@/, '//')}`, async (t) => {
    eventStoreContract(t, async () => {
      const store = await EsdbEventStore.open({ url });
      return { store, cleanup: () => store.close() };
    });
  });

  t.test('50 concurrent commands from five handlers on the real server', async (t) => {
    const store = await EsdbEventStore.open({ url });
    t.teardown(() => store.close());
    const pool = Array.from({ length: 5 }, () => new CommandHandler({ store }));
    const id = await openWithDraft(pool[0]!);
    const sid = await invite(pool[0]!, id, 'Peace Institute');
    await Promise.all(Array.from({ length: 50 }, (_, i) => comment(pool[i % 5]!, id, sid, `comment ${i}`, randomUUID())));
    const stored = await store.readStream(streamNameFor(id));
    t.equal(stored.filter((e) => e.type === 'CommentSubmitted').length, 50);
    t.equal((await verifyStream(store, streamNameFor(id))).ok, true);
  });
}
