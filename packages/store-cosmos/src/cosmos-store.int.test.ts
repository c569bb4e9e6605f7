import { describeStoreConformance } from '@baton/testing';
import type { CosmosStore } from './cosmos-store.js';
import { freshStore } from './testing/emulator-store.js';
import { containerOf, writeRawSession } from './testing/raw-documents.js';

// The shared definition of a correct store, against the Cosmos DB API server, in a container of
// its own per run. Cosmos-specific behaviour is tested beside this file.
describeStoreConformance('cosmos', {
  create: async ({ clock }) => freshStore({ clock }),
  writeRaw: async (store, fixture) => writeRawSession(store as CosmosStore, fixture),
  destroy: async (store) => {
    await containerOf(store as CosmosStore).delete();
    await store.close?.();
  },
});
