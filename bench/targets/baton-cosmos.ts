import { Agent as HttpsAgent } from 'node:https';
import { CosmosStore } from '@baton/store-cosmos';
import type { Location } from '../harness.js';
import { batonTarget } from './baton-target.js';

const COSMOS_NAMES = { database: 'baton-bench', container: 'sessions' };

function cosmosStore(location: Location): CosmosStore {
  const { cosmos, cosmosKey } = location.endpoints;
  if (!cosmos || !cosmosKey) throw new Error('the Cosmos DB server is not running');
  return new CosmosStore({
    // The emulator's certificate is self-signed: only this client trusts it.
    clientOptions: { endpoint: cosmos, key: cosmosKey, agent: new HttpsAgent({ rejectUnauthorized: false }) },
    ...COSMOS_NAMES,
  });
}

export const batonCosmos = batonTarget(
  'baton-cosmos',
  'Baton, Cosmos DB server',
  (location) => {
    const store = cosmosStore(location);
    return {
      store,
      physical: () => ({ bytes: store.stats.bytesWritten, roundTrips: store.stats.roundTrips }),
      close: () => store.close(),
    };
  },
  {
    needs: 'cosmos',
    async prepare(location) {
      const store = cosmosStore(location);
      await store.ensureContainer();
      await store.close();
    },
  },
);
