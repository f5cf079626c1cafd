// The in-memory adapter: the shared contract, nothing more (it is for tests).
import t from 'tap';
import { MemoryViewStore } from '../../src/views/memory-view-store.ts';
import { viewStoreContract } from './view-store-contract.ts';

viewStoreContract(t, async () => {
  const store = new MemoryViewStore();
  return { store, cleanup: () => store.close() };
});
