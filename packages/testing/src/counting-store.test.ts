import { type ApiKeyRecord, jsonBytes } from '@baton/core';
import { MemoryStore } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { countingStore } from './counting-store.js';
import { faultyStore } from './faults/store-faults.js';

const key: ApiKeyRecord = {
  keyId: 'abcdefghijklmnop',
  tenant: 'acme',
  scopes: ['read'],
  secretHash: 'e'.repeat(64),
  createdAt: 1,
};

describe('countingStore', () => {
  it('forwards apiKeys and counts each key call like the session calls', async () => {
    const { store, counts } = countingStore(new MemoryStore());

    await store.apiKeys!.createApiKey(key);
    await store.apiKeys!.getApiKey(key.keyId);
    await store.apiKeys!.listApiKeys({ tenant: 'acme' });
    const revoked = await store.apiKeys!.revokeApiKey(key.keyId, 2);
    await store.apiKeys!.revokeApiKey('unknown', 2);

    expect(revoked).toEqual({ ...key, revokedAt: 2 });
    expect(counts).toEqual({ writes: 3, reads: 2, records: 2, bytes: jsonBytes(key) + jsonBytes(revoked) });
  });

  it('has no apiKeys when the wrapped store has none', () => {
    const inner = new MemoryStore();
    const { apiKeys: _, ...bare } = inner;
    const withoutKeys = Object.assign(Object.create(MemoryStore.prototype), bare) as MemoryStore;
    expect(countingStore(withoutKeys).store.apiKeys).toBeUndefined();
  });
});

describe('faultyStore', () => {
  it('fails key calls only when the plan names them', async () => {
    const inner = new MemoryStore();
    const quiet = faultyStore(inner, { rate: 1 }).store;
    await quiet.apiKeys!.createApiKey(key);
    expect(await quiet.apiKeys!.getApiKey(key.keyId)).toEqual(key);

    const { store } = faultyStore(inner, { rate: 1, operations: ['getApiKey'] });
    await expect(store.apiKeys!.getApiKey(key.keyId)).rejects.toMatchObject({ retryable: true });
  });
});
