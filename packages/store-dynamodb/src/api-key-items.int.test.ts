import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type ApiKeyRecord, BatonError, ConflictError, CorruptRecordError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoStore } from './dynamo-store.js';
import { API_KEYS_PK, apiKeySortKey } from './keys.js';
import { freshTable, type TestTable } from './test-table.js';

let table: TestTable;

beforeAll(async () => {
  table = await freshTable(inject('dynamodbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
});

function store(options: { ttlSeconds?: number } = {}): DynamoStore {
  return new DynamoStore({ client: table.client, tableName: table.tableName, ...options });
}

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

async function rawItem(keyId: string): Promise<Record<string, unknown>> {
  const output = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: marshall({ pk: API_KEYS_PK, sk: apiKeySortKey(keyId) }),
      ConsistentRead: true,
    }),
  );
  return unmarshall(output.Item!);
}

describe('DynamoStore api keys', () => {
  it('creates, checks and revokes a key with one request each', async () => {
    const s = store();
    const k = key();
    const trips = async (run: () => Promise<unknown>) => {
      const before = s.stats.roundTrips;
      await run();
      return s.stats.roundTrips - before;
    };

    expect(await trips(() => s.apiKeys.createApiKey(k))).toBe(1);
    expect(await trips(() => s.apiKeys.getApiKey(k.keyId))).toBe(1);
    expect(await trips(() => s.apiKeys.getApiKey('unknown'))).toBe(1);
    expect(await trips(() => s.apiKeys.revokeApiKey(k.keyId, 5))).toBe(1);
    expect(await trips(() => s.apiKeys.revokeApiKey('unknown', 5))).toBe(1);
  });

  it('writes key items with no index attribute and no expiry, even in a store with retention', async () => {
    const s = store({ ttlSeconds: 60 });
    const k = key({ name: 'ci' });
    await s.apiKeys.createApiKey(k);
    await s.apiKeys.revokeApiKey(k.keyId, 9);

    const item = await rawItem(k.keyId);
    expect(Object.keys(item).sort()).toEqual(['data', 'pk', 'revokedAt', 'sk', 'tenant']);
    // The secret's hash only: nothing in the item could authenticate.
    expect(JSON.parse(item.data as string)).toEqual({ ...k });
  });

  it('fails with CorruptRecordError on a key item that is not a key record', async () => {
    const s = store();
    const k = key();
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall({ pk: API_KEYS_PK, sk: apiKeySortKey(k.keyId), data: '{"keyId":1}', tenant: 'acme' }),
      }),
    );

    await expect(s.apiKeys.getApiKey(k.keyId)).rejects.toBeInstanceOf(CorruptRecordError);
  });

  it('maps a missing table to a store error, not to a conflict or an unknown key', async () => {
    const s = new DynamoStore({ client: table.client, tableName: `missing-${randomUUID()}` });

    for (const call of [
      () => s.apiKeys.createApiKey(key()),
      () => s.apiKeys.getApiKey('x'),
      () => s.apiKeys.revokeApiKey('x', 1),
      () => s.apiKeys.listApiKeys(),
    ]) {
      const error = await call().then(
        () => null,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(BatonError);
      expect(error).not.toBeInstanceOf(ConflictError);
      expect((error as BatonError).code).toBe('store_misconfigured');
    }
  });
});
