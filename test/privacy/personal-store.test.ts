// The log is the record of an erasure: once PersonalDataStore has read (or received) a
// PersonalDataErased event, the keys it names read as destroyed, whatever the key store still holds
// (the erasing replica records the erasure before it destroys the keys, and may die in between; a
// shared key store's cache may not have heard of the destroy yet).
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { streamNameFor } from '../../src/domain/stream-name.ts';
import { MemoryKeyStore } from '../../src/privacy/key-store.ts';
import { keysOf, openerFor, PersonalDataStore } from '../../src/privacy/personal-store.ts';
import { seal, type SealedValue } from '../../src/privacy/sealed.ts';
import type { RecordedEvent } from '../../src/store/port.ts';
import { tempStore } from '../helpers/temp-store.ts';

const nameOf = (e: RecordedEvent) => openerFor(keysOf(e))((e.data['signatory'] as { name: SealedValue }).name);

t.test('a PersonalDataErased event read or received: the keys it names read as destroyed', async (t) => {
  const { store: inner } = tempStore(t);
  const keys = new MemoryKeyStore();
  const consultationId = randomUUID();
  const stream = streamNameFor(consultationId);
  const ref = await keys.keyFor({ consultationId, stakeholderId: 's1', contactId: null }, 'signatory:ioana marinescu');
  await inner.append(stream, [{
    id: randomUUID(), type: 'DraftEndorsed', metadata: {},
    data: { stakeholderId: 's1', draftVersion: 1, signatory: { name: seal('Ioana Marinescu', ref.keyId, ref.key) as unknown as { [k: string]: string } } },
  }], 'no_stream');
  const reader = new PersonalDataStore(inner, keys);
  const [endorsed] = await reader.readStream(stream);
  t.equal(nameOf(endorsed!), 'Ioana Marinescu', 'before the erasure');

  // recorded, not (yet) destroyed in the key store
  await inner.append(stream, [{ id: randomUUID(), type: 'PersonalDataErased', metadata: {}, data: { erasureId: 'e1', reason: 'request', keyIds: [ref.keyId] } }], 0);
  t.ok(keys.get(ref.keyId) instanceof Buffer, 'the key store still has the key');
  const events = await reader.readStream(stream);
  t.equal(nameOf(events[0]!), '[erased]', 'read with its erasure');
  t.equal(nameOf(endorsed!), '[erased]', 'and an event read before reads so too from now on');
  t.equal(nameOf((await reader.readStream(stream, { maxCount: 1 }))[0]!), '[erased]', 'and a later read without the erasure event');

  const subscriber = new PersonalDataStore(inner, keys);
  const subscription = subscriber.subscribeToAll({ from: 'start' });
  let first: RecordedEvent | undefined;
  for await (const m of subscription) {
    if (m.kind !== 'event') continue;
    first ??= m.event;
    if (m.event.type === 'PersonalDataErased') break;
  }
  await subscription.close();
  t.equal(nameOf(first!), '[erased]', 'received by a subscription');
});
