// The key store contract against the in-memory adapter (the one tests use).
import t from 'tap';
import { MemoryKeyStore } from '../../src/privacy/key-store.ts';
import { keyStoreContract } from './key-store-contract.ts';

keyStoreContract(t, async () => {
  const keys = new MemoryKeyStore();
  return { keys, cleanup: () => keys.close() };
});
