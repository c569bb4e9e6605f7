import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import type { Clock } from '@baton/core';
import { CosmosStore } from '@baton/store-cosmos';
import { inject } from 'vitest';

/**
 * A CosmosStore on the run's Cosmos DB server (its self-signed certificate accepted) in a container
 * of its own, created before it is returned: what each Azure integration test runs against.
 *
 * @example
 *   const store = await emulatorCosmosStore('cancel', clock);
 */
export async function emulatorCosmosStore(prefix: string, clock?: Clock): Promise<CosmosStore> {
  const store = new CosmosStore({
    clientOptions: {
      endpoint: inject('cosmosEndpoint'),
      key: inject('cosmosKey'),
      agent: new Agent({ rejectUnauthorized: false }),
    },
    database: 'baton-azure-test',
    container: `${prefix}-${randomUUID()}`,
    ...(clock ? { clock } : {}),
  });
  await store.ensureContainer();
  return store;
}
