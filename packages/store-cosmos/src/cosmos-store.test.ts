import { CosmosClient } from '@azure/cosmos';
import { afterAll, describe, expect, it } from 'vitest';
import { CosmosStore } from './cosmos-store.js';

// Construction does no I/O: nothing listens on this endpoint.
const client = new CosmosClient({ endpoint: 'https://127.0.0.1:9', key: 'a2V5' });
const names = { database: 'baton', container: 'sessions' };

afterAll(() => client.dispose());

describe('CosmosStore options', () => {
  it('throws a configuration error when given neither a client nor its options', () => {
    expect(() => new CosmosStore(names)).toThrow(expect.objectContaining({ code: 'store_config' }));
  });

  it('throws a configuration error when ttlSeconds is not a positive whole number', () => {
    for (const ttlSeconds of [0, -1, 1.5]) {
      expect(() => new CosmosStore({ client, ...names, ttlSeconds })).toThrow(/ttlSeconds/);
    }
  });

  it('declares a 16 MiB event limit unless told otherwise', () => {
    expect(new CosmosStore({ client, ...names }).limits.maxEventBytes).toBe(16 * 1024 * 1024);
    expect(new CosmosStore({ client, ...names, maxEventBytes: 1000 }).limits.maxEventBytes).toBe(1000);
  });
});
