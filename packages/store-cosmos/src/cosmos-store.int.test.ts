import { describeStoreConformance } from '@baton/testing';
import type { CosmosStore } from './cosmos-store.js';
import { freshStore } from './testing/emulator-store.js';
import { containerOf, expireDocuments, writeRawSession } from './testing/raw-documents.js';

// The shared definition of a correct store, against the Cosmos DB API server, in a container of
// its own per run. Cosmos-specific behaviour is tested beside this file.
describeStoreConformance('cosmos', {
  create: async ({ clock }) => freshStore({ clock }),
  writeRaw: async (store, fixture) => writeRawSession(store as CosmosStore, fixture),
  destroy: async (store) => {
    await containerOf(store as CosmosStore).delete();
    await store.close?.();
  },
  // Each retention store has a container of its own; `expire` deletes what Cosmos's TTL would.
  retention: {
    create: async ({ clock, ttlSeconds, dedupeTtlSeconds }) =>
      freshStore({
        clock,
        ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
        ...(dedupeTtlSeconds === undefined ? {} : { dedupeTtlSeconds }),
      }),
    expire: async (store, now) => {
      await expireDocuments(store as CosmosStore, now);
    },
    destroy: async (store) => {
      await containerOf(store as CosmosStore).delete();
      await store.close?.();
    },
  },
});
