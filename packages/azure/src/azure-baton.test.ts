import { MemoryStore, silentLogger } from '@baton/core';
import { CosmosStore } from '@baton/store-cosmos';
import { ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { createAzureBaton, modelFromEnvironment, storeFromEnvironment } from './azure-baton.js';

const env = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', BATON_QUEUE_NAME: 'runs' };

describe('createAzureBaton', () => {
  it('serves the example agent with the hooked model and store when hooks are given', () => {
    const model = new ScriptedModel([]);
    const store = new MemoryStore();
    const app = createAzureBaton(env, { model: () => model, store: () => store, logger: silentLogger });
    expect(app.baton.agents.get('assistant')?.model).toBe(model);
    expect(app.baton.store).toBe(store);
    expect(app.queue.queueName).toBe('runs');
    expect(app.connection).toBe('AzureWebJobsStorage');
  });

  it('applies the timing settings when they are configured', () => {
    const app = createAzureBaton(
      { ...env, BATON_STORE: 'memory', BATON_LEASE_MS: '45000', BATON_MODEL_CALL_MS: '20000' },
      { logger: silentLogger },
    );
    expect(app.baton.agents.get('assistant')?.timing).toEqual({ leaseMs: 45_000, modelCallMs: 20_000 });
    expect(() =>
      createAzureBaton({ ...env, BATON_STORE: 'memory', BATON_LEASE_MS: 'soon' }, { logger: silentLogger }),
    ).toThrow(/BATON_LEASE_MS/);
  });
});

describe('modelFromEnvironment', () => {
  it('serves the offline demo model when no provider is configured', () => {
    expect(modelFromEnvironment({}).provider).toBe('offline-demo');
  });

  it('throws instead of falling back to the demo model when a provider is configured without a factory', () => {
    expect(() => modelFromEnvironment({ OPENAI_API_KEY: 'sk-test' })).toThrow(/"openai" is configured/);
    expect(() => modelFromEnvironment({ AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' })).toThrow(
      /azure-openai/,
    );
    expect(() => modelFromEnvironment({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })).toThrow(
      /openai-compatible/,
    );
  });
});

describe('storeFromEnvironment', () => {
  it('refuses to start without a store, and keeps sessions in memory only when asked by name', () => {
    expect(() => storeFromEnvironment({})).toThrow(/no session store configured/);
    expect(storeFromEnvironment({ BATON_STORE: 'memory' })).toBeInstanceOf(MemoryStore);
  });

  it('builds the Cosmos DB store when its settings are present', () => {
    const store = storeFromEnvironment({
      COSMOS_ENDPOINT: 'https://acct.documents.azure.com',
      COSMOS_KEY: 'a2V5',
      BATON_COSMOS_DATABASE: 'baton',
      BATON_COSMOS_CONTAINER: 'sessions',
    });
    expect(store).toBeInstanceOf(CosmosStore);
    expect((store as CosmosStore).names).toEqual({ database: 'baton', container: 'sessions' });
  });

  it('throws instead of falling back to memory when a store is asked for but not configured', () => {
    expect(() => storeFromEnvironment({ BATON_STORE: 'cosmos' })).toThrow(/BATON_STORE is "cosmos"/);
    expect(() => storeFromEnvironment({ COSMOS_ENDPOINT: 'https://acct.documents.azure.com' })).toThrow(
      /COSMOS_KEY/,
    );
  });
});
