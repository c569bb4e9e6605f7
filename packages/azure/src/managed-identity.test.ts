import type { TokenCredential } from '@azure/core-auth';
import { defineAgent, defineBaton, silentLogger } from '@baton/core';
import { CosmosStore } from '@baton/store-cosmos';
import { ScriptedModel } from '@baton/testing';
import { describe, expect, it, vi } from 'vitest';
import { createAzureApp } from './azure-app.js';
import { lazyCredential, usesManagedIdentity } from './managed-identity.js';

const definition = defineBaton({
  agents: [defineAgent({ name: 'helper', instructions: 'Help.', model: new ScriptedModel([]) })],
  auth: 'none',
});

/** The app settings infra/azure.ts gives the Function App: names and endpoints, no key anywhere. */
const identitySettings = {
  AzureWebJobsStorage__accountName: 'batonacct',
  COSMOS_ENDPOINT: 'https://batonacct.documents.azure.com:443/',
  BATON_COSMOS_DATABASE: 'baton',
  BATON_COSMOS_CONTAINER: 'sessions',
  BATON_QUEUE_NAME: 'baton-runs',
};

describe('managed identity', () => {
  it('builds the app on Cosmos DB and the storage queue from identity-based settings without a key', () => {
    const azure = createAzureApp(definition, { env: identitySettings, logger: silentLogger });
    expect(azure.app.baton.store).toBeInstanceOf(CosmosStore);
    expect(azure.queue.client.url).toBe('https://batonacct.queue.core.windows.net/baton-runs');
    expect(azure.connection).toBe('AzureWebJobsStorage');
  });

  it('tells identity-based connections from keyed ones', () => {
    expect(usesManagedIdentity(identitySettings)).toBe(true);
    expect(
      usesManagedIdentity({ BATON_STORAGE_CONNECTION__queueServiceUri: 'https://a.queue.core.windows.net' }),
    ).toBe(true);
    expect(
      usesManagedIdentity({ COSMOS_ENDPOINT: 'https://a.documents.azure.com', COSMOS_KEY: 'a2V5' }),
    ).toBe(false);
    expect(
      usesManagedIdentity({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', BATON_STORE: 'memory' }),
    ).toBe(false);
  });

  it('makes the credential on the first token request, once', async () => {
    const getToken = vi.fn(async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }));
    const create = vi.fn((): TokenCredential => ({ getToken }));
    const credential = lazyCredential(create);
    expect(create).not.toHaveBeenCalled();
    await credential.getToken('https://storage.azure.com/.default');
    await credential.getToken('https://cosmos.azure.com/.default');
    expect(create).toHaveBeenCalledTimes(1);
    expect(getToken).toHaveBeenCalledTimes(2);
  });
});
