// A consumer that cannot act on an event now (the mail relay with Redis down) throws
// ConsumerRetryError: the runner does not stop it, keeps its checkpoint before the batch, tries the
// batch again with backoff, and once the consumer can act it has seen every event, none skipped.
import t from 'tap';
import { ConsumerRetryError, type LogConsumer } from '../../src/projections/projection.ts';
import { ProjectionRunner } from '../../src/projections/runner.ts';
import { CONSULTATION_STREAM_PREFIX } from '../../src/store/port.ts';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import { seedConsultations } from '../helpers/consultation.ts';
import { tempStore } from '../helpers/temp-store.ts';

t.setTimeout(60_000);

t.test('ConsumerRetryError: the batch again from the checkpoint, the consumer not stopped, nothing skipped', async (t) => {
  const { store } = tempStore(t);
  await seedConsultations(store);
  let down = true;
  let refusals = 0;
  const seen = new Set<string>();
  const consumer: LogConsumer = {
    name: 'flaky-consumer', version: 1, collections: [],
    async apply(_docs, e) {
      if (down && e.revision === 3) {
        refusals++;
        throw new ConsumerRetryError('its queue is down');
      }
      seen.add(`${e.streamName}@${e.revision}`);
    },
  };
  const viewStore = new MemoryViewStore();
  const runner = new ProjectionRunner({ store, projections: [consumer], viewStore });
  t.teardown(() => runner.stop());
  await runner.start();
  while (refusals < 3) await new Promise((r) => setTimeout(r, 20));
  const [held] = runner.status();
  t.equal(held?.failure, null, 'not stopped');
  t.equal(held?.position, null, 'its checkpoint stays before the batch it could not finish');
  down = false;
  await runner.caughtUp(20_000);
  const all = await store.readAll({ streamPrefix: CONSULTATION_STREAM_PREFIX });
  t.same([...seen].sort(), all.map((e) => `${e.streamName}@${e.revision}`).sort(), 'every event, once it could act');
  t.equal((await viewStore.checkpoint('flaky-consumer@1'))?.position, store.positions.serialise(all.at(-1)!.position), 'then the checkpoint moved to the end');
});
