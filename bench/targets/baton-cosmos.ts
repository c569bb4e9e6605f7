import { Agent as HttpsAgent } from 'node:https';
import { CosmosStore } from '@baton/store-cosmos';
import { type CosmosMeter, meterCosmos } from '../cost/cosmos-meter.js';
import type { Location } from '../harness.js';
import { batonTarget } from './baton-target.js';

const COSMOS_NAMES = { database: 'baton-bench', container: 'sessions' };

function cosmosStore(location: Location, meter?: CosmosMeter): CosmosStore {
  const { cosmos, cosmosKey } = location.endpoints;
  if (!cosmos || !cosmosKey) throw new Error('the Cosmos DB server is not running');
  // The emulator's certificate is self-signed: only this client trusts it.
  const clientOptions = {
    endpoint: cosmos,
    key: cosmosKey,
    agent: new HttpsAgent({ rejectUnauthorized: false }),
  };
  return new CosmosStore({
    clientOptions: meter ? meter.options(clientOptions) : clientOptions,
    ...COSMOS_NAMES,
  });
}

export const batonCosmos = batonTarget(
  'baton-cosmos',
  'Baton, Cosmos DB server',
  (location) => {
    const meter = meterCosmos();
    const store = cosmosStore(location, meter);
    return {
      store,
      physical: () => ({
        bytes: store.stats.bytesWritten,
        roundTrips: store.stats.roundTrips,
        units: meter.read(),
      }),
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
