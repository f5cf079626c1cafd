// The key store contract: one function that every adapter's test file runs unchanged (memory,
// SQLite, PostgreSQL). It never assumes the store is empty: every test names its own consultations
// and people with a fresh UUID, so it may run against a shared PostgreSQL schema. get() is asked
// only after load(), as the decode path does.
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import type { KeyOwner, KeyStore } from '../../src/privacy/key-store.ts';

export interface KeyStoreUnderTest {
  keys: KeyStore;
  /** everything the adapter stored, as text (to look for a subject in it); absent where nothing is stored */
  stored?: () => Promise<string>;
  cleanup(): Promise<void>;
}

export type OpenKeyStore = () => Promise<KeyStoreUnderTest>;

const owner = (consultationId: string, contactId: string | null = 'c1'): KeyOwner => ({ consultationId, stakeholderId: 's1', contactId });

async function using(t: Test, open: OpenKeyStore): Promise<KeyStoreUnderTest> {
  const opened = await open();
  t.teardown(() => opened.cleanup());
  return opened;
}

async function read(keys: KeyStore, keyId: string): Promise<Buffer | null | undefined> {
  await keys.load([keyId]);
  return keys.get(keyId);
}

export function keyStoreContract(t: Test, open: OpenKeyStore): void {
  t.test('keyFor: the same person in the same consultation gets the same key; elsewhere another', async (t) => {
    const { keys } = await using(t, open);
    const subject = `email:${randomUUID()}@example.org`;
    const c1 = randomUUID();
    const a = await keys.keyFor(owner(c1), subject);
    const b = await keys.keyFor(owner(c1), subject);
    t.equal(b.keyId, a.keyId);
    t.ok(b.key.equals(a.key));
    t.equal(a.key.length, 32, 'AES-256');
    const other = await keys.keyFor(owner(randomUUID()), subject);
    t.not(other.keyId, a.keyId, 'another consultation, another key');
    const someoneElse = await keys.keyFor(owner(c1, 'c2'), `email:${randomUUID()}@example.org`);
    t.not(someoneElse.keyId, a.keyId, 'another person, another key');
    t.ok((await read(keys, a.keyId))?.equals(a.key), 'get answers the key');
  });

  t.test('destroy: get reads null, and the person gets a new key (a destroyed one is never used again)', async (t) => {
    const { keys } = await using(t, open);
    const subject = `email:${randomUUID()}@example.org`;
    const c = randomUUID();
    const a = await keys.keyFor(owner(c), subject);
    await keys.destroy([a.keyId]);
    t.equal(await read(keys, a.keyId), null);
    const b = await keys.keyFor(owner(c), subject);
    t.not(b.keyId, a.keyId);
    t.notOk(b.key.equals(a.key));
    t.ok((await read(keys, b.keyId))?.equals(b.key));
    t.equal(await read(keys, a.keyId), null, 'the old key stays destroyed');
    await keys.destroy([a.keyId]);
    t.equal(await read(keys, a.keyId), null, 'destroying again changes nothing');
  });

  t.test('a key this store does not know reads undefined', async (t) => {
    const { keys } = await using(t, open);
    t.equal(await read(keys, `pk-${randomUUID()}`), undefined);
  });

  t.test('find: the live keys of a subject in every consultation, with their owners, never the destroyed ones', async (t) => {
    const { keys } = await using(t, open);
    const subject = `signatory:${randomUUID()}`;
    const [c1, c2, c3] = [randomUUID(), randomUUID(), randomUUID()];
    const a = await keys.keyFor({ consultationId: c1, stakeholderId: 's1', contactId: 'c1' }, subject);
    const b = await keys.keyFor({ consultationId: c2, stakeholderId: 's2', contactId: null }, subject);
    const gone = await keys.keyFor(owner(c3), subject);
    await keys.destroy([gone.keyId]);
    await keys.keyFor(owner(c1, 'c9'), `signatory:${randomUUID()}`);
    const found = await keys.find(subject);
    t.same(found.sort((x, y) => x.consultationId.localeCompare(y.consultationId)), [
      { keyId: a.keyId, consultationId: c1, stakeholderId: 's1', contactId: 'c1' },
      { keyId: b.keyId, consultationId: c2, stakeholderId: 's2', contactId: null },
    ].sort((x, y) => x.consultationId.localeCompare(y.consultationId)));
    t.same(await keys.find(`signatory:${randomUUID()}`), [], 'nobody else');
  });

  t.test('a subject is kept only as its lookup, never as such', async (t) => {
    const { keys, stored } = await using(t, open);
    const address = `${randomUUID()}@example.org`;
    const subject = `email:${address}`;
    const lookup = keys.lookupOf(subject);
    t.equal(keys.lookupOf(subject), lookup, 'stable');
    t.not(keys.lookupOf(`email:${randomUUID()}@example.org`), lookup);
    t.notOk(lookup.includes(address));
    await keys.keyFor(owner(randomUUID()), subject);
    if (stored) {
      const text = await stored();
      t.ok(text.includes(lookup), 'the lookup is stored');
      t.notOk(text.includes(address), 'the address is not');
    }
  });

  t.test('erasures applied: null until set, then what was set', async (t) => {
    const { keys } = await using(t, open);
    const before = await keys.erasuresApplied();
    t.ok(before === null || typeof before === 'string');
    const position = `pos-${randomUUID()}`;
    await keys.setErasuresApplied(position);
    t.equal(await keys.erasuresApplied(), position);
    await keys.setErasuresApplied(`${position}-2`);
    t.equal(await keys.erasuresApplied(), `${position}-2`);
  });
}
