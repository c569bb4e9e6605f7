import {
  ConfigurationError,
  defineAgent,
  defineBaton,
  jsonLogger,
  MemoryStore,
  silentLogger,
} from '@baton/core';
import { CosmosStore } from '@baton/store-cosmos';
import { ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { createAzureApp, storeFromEnvironment } from './azure-app.js';

const env = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  BATON_QUEUE_NAME: 'runs',
  BATON_STORE: 'memory',
};
const helper = defineAgent({ name: 'helper', instructions: 'Help.', model: new ScriptedModel([]) });
const definition = defineBaton({ agents: [helper], auth: 'none' });

describe('createAzureApp', () => {
  it('serves the definition on the queue and store the settings name when given them', () => {
    const store = new MemoryStore();
    const azure = createAzureApp(definition, { env, store, logger: silentLogger });
    expect([...azure.app.baton.agents.keys()]).toEqual(['helper']);
    expect(azure.app.baton.store).toBe(store);
    expect(azure.queue.queueName).toBe('runs');
    expect(azure.connection).toBe('AzureWebJobsStorage');
    expect(azure.settings).toEqual({ functionTimeoutMs: 600_000, routePrefix: 'api', maxDequeueCount: 5 });
    expect(azure.authLevel).toBe('function');
  });

  it('applies host.json overrides, the auth level and the timing settings when the settings hold them', () => {
    const azure = createAzureApp(definition, {
      env: {
        ...env,
        AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '3',
        BATON_HTTP_AUTH_LEVEL: 'anonymous',
        BATON_LEASE_MS: '45000',
      },
      logger: silentLogger,
    });
    expect(azure.settings.maxDequeueCount).toBe(3);
    expect(azure.authLevel).toBe('anonymous');
    expect(azure.app.baton.agents.get('helper')?.timing.leaseMs).toBe(45_000);
  });

  it('refuses to start with one line naming the fix when the definition declares no auth', () => {
    const start = () => createAzureApp(defineBaton({ agents: [helper] }), { env, logger: silentLogger });
    expect(start).toThrow(ConfigurationError);
    expect(start).toThrow(/auth/);
    expect(() => start()).not.toThrow(/\n/);
  });

  it("starts with auth 'none' said out loud and announces it in the log", () => {
    const lines: { level: string; message: string }[] = [];
    createAzureApp(definition, {
      env,
      logger: jsonLogger({ write: (line) => lines.push(JSON.parse(line)) }),
    });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/none/i) }),
    );
  });

  it('takes the auth level from the option over the setting, and App Service authentication only from its setting', () => {
    const anonymous = { ...env, BATON_HTTP_AUTH_LEVEL: 'anonymous' };
    const start = (settings: Record<string, string>, options = {}) =>
      createAzureApp(definition, { env: settings, logger: silentLogger, ...options });
    expect(start(anonymous, { authLevel: 'function' }).authLevel).toBe('function');
    expect(start(env, { authLevel: 'anonymous' }).authLevel).toBe('anonymous');
    expect(start(env).appServiceAuth).toBe(false);
    expect(start({ ...env, BATON_APP_SERVICE_AUTH: 'true' }).appServiceAuth).toBe(true);
    expect(start({ ...env, BATON_APP_SERVICE_AUTH: 'yes please' }).appServiceAuth).toBe(false);
  });

  it('refuses what is not an app definition with a one-line error', () => {
    expect(() => createAzureApp({ agents: [] } as never, { env, logger: silentLogger })).toThrow(
      /default export of defineBaton/,
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
