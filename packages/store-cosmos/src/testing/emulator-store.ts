import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { CosmosClient, type CosmosClientOptions } from '@azure/cosmos';
import { inject } from 'vitest';
import { CosmosStore, type CosmosStoreOptions } from '../cosmos-store.js';

/**
 * Clients and stores on the Cosmos DB API server the global setup started. Its certificate is
 * self-signed, so these clients (and only these) trust it through their own agent.
 */

export const TEST_DATABASE = 'baton-test';

export function emulatorClientOptions(overrides: CosmosClientOptions = {}): CosmosClientOptions {
  return {
    endpoint: inject('cosmosEndpoint'),
    key: inject('cosmosKey'),
    agent: new Agent({ rejectUnauthorized: false }),
    // Tests that inject throttling want to see it, not wait out the SDK's nine retries.
    connectionPolicy: {
      retryOptions: { maxRetryAttemptCount: 0, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 0 },
    },
    ...overrides,
  };
}

export function emulatorClient(overrides: CosmosClientOptions = {}): CosmosClient {
  return new CosmosClient(emulatorClientOptions(overrides));
}

/**
 * A store over a container of its own (created here), so tests never see each other's sessions.
 * It owns its client unless given one: `close()` disposes it.
 */
export async function freshStore(
  options: Omit<CosmosStoreOptions, 'database' | 'container'> = {},
): Promise<CosmosStore> {
  const store = new CosmosStore({
    ...(options.client ? {} : { clientOptions: emulatorClientOptions() }),
    ...options,
    database: TEST_DATABASE,
    container: `sessions-${randomUUID()}`,
  });
  await store.ensureContainer();
  return store;
}
