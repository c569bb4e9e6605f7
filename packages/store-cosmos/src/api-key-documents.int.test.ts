import { randomUUID } from 'node:crypto';
import { type ApiKeyRecord, CorruptRecordError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CosmosStore } from './cosmos-store.js';
import { API_KEYS_PK, apiKeyId } from './documents.js';
import { freshStore } from './testing/emulator-store.js';
import { containerOf } from './testing/raw-documents.js';

let store: CosmosStore;

beforeAll(async () => {
  store = await freshStore({ ttlSeconds: 60 });
});

afterAll(async () => {
  await containerOf(store).delete();
  await store.close();
});

function key(extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    keyId: randomUUID().replaceAll('-', '').slice(0, 16),
    tenant: 'acme',
    scopes: ['send', 'read', 'approve'],
    secretHash: 'c'.repeat(64),
    createdAt: 1_700_000_000_000,
    ...extra,
  };
}

async function trips(run: () => Promise<unknown>): Promise<number> {
  const before = store.stats.roundTrips;
  await run();
  return store.stats.roundTrips - before;
}

describe('CosmosStore api keys', () => {
  it('creates and checks a key with one request each, and revokes with a read and a replace', async () => {
    const k = key();

    expect(await trips(() => store.apiKeys.createApiKey(k))).toBe(1);
    expect(await trips(() => store.apiKeys.getApiKey(k.keyId))).toBe(1);
    expect(await trips(() => store.apiKeys.getApiKey('unknown'))).toBe(1);
    expect(await trips(() => store.apiKeys.revokeApiKey(k.keyId, 5))).toBe(2);
    expect(await trips(() => store.apiKeys.revokeApiKey(k.keyId, 6))).toBe(1);
    expect(await trips(() => store.apiKeys.revokeApiKey('unknown', 5))).toBe(1);
  });

  it('writes key documents without a ttl in a store with retention, in their own partition', async () => {
    const k = key();
    await store.apiKeys.createApiKey(k);

    const { resource } = await containerOf(store).item(apiKeyId(k.keyId), API_KEYS_PK).read();
    expect(resource).toMatchObject({ pk: API_KEYS_PK, type: 'apikey', key: k });
    expect(resource).not.toHaveProperty('ttl');
    expect(resource).not.toHaveProperty('expiresAt');
    expect(resource).not.toHaveProperty('pending');
  });

  it('keeps long keyIds apart when their ids are hashes', async () => {
    const prefix = 'k'.repeat(300);
    const [a, b] = [key({ keyId: `${prefix}a` }), key({ keyId: `${prefix}b` })];
    await store.apiKeys.createApiKey(a);
    await store.apiKeys.createApiKey(b);

    expect(await store.apiKeys.getApiKey(a.keyId)).toStrictEqual(a);
    expect(await store.apiKeys.getApiKey(b.keyId)).toStrictEqual(b);
    expect(await store.apiKeys.getApiKey(`${prefix}c`)).toBeNull();
  });

  it('fails with CorruptRecordError on a key document that is not a key record', async () => {
    const keyId = 'planted-by-hand';
    await containerOf(store).items.create({
      id: apiKeyId(keyId),
      pk: API_KEYS_PK,
      type: 'apikey',
      key: { keyId, scopes: 'all' },
    });

    await expect(store.apiKeys.getApiKey(keyId)).rejects.toBeInstanceOf(CorruptRecordError);
  });
});
