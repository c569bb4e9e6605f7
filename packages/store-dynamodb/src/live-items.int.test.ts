import { randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { SessionRef } from '@baton/core';
import type { LiveSnapshot } from '@baton/core/store';
import { ManualClock } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoStore } from './dynamo-store.js';
import { LIVE_SK, partitionKey } from './keys.js';
import { LIST_INDEX_NAME, PENDING_INDEX_NAME } from './table.js';
import { expireItems, freshTable, type TestTable } from './test-table.js';

// TTL is off on this table, as AWS looks for days after an item expired: reads must filter.
let table: TestTable;
beforeAll(async () => {
  table = await freshTable(inject('dynamodbEndpoint'));
});
afterAll(async () => {
  await table?.drop();
});

function setup() {
  const clock = new ManualClock(Date.now());
  return { clock, store: new DynamoStore({ client: table.client, tableName: table.tableName, clock }) };
}
const ref = (): SessionRef => ({ tenant: 'acme', sessionId: randomUUID() });
const snapshot = (text: string, at: number): LiveSnapshot => ({
  afterSeq: 3,
  runId: 'run-1',
  text,
  toolCalls: [],
  updatedAt: at,
  expiresAt: at + 60_500,
});

describe('DynamoStore.live', () => {
  it('puts one item beside the head with data and the TTL in epoch seconds, rounded up', async () => {
    const { clock, store } = setup();
    const r = ref();
    const written = snapshot('Hel', clock.now());
    await store.live.write(r, written);
    const output = await table.client.send(
      new GetItemCommand({ TableName: table.tableName, Key: marshall({ pk: partitionKey(r), sk: LIVE_SK }) }),
    );
    const item = unmarshall(output.Item!);
    expect(Object.keys(item).sort()).toEqual(['data', 'expiresAt', 'pk', 'sk']);
    expect(item.expiresAt).toBe(Math.ceil(written.expiresAt / 1000));
    expect(JSON.parse(item.data)).toEqual(written);

    // What DynamoDB's TTL process deletes at the snapshot's expiry, and not a second before.
    await expireItems(table, written.expiresAt - 1000);
    expect(await store.live.read(r)).toEqual(written);
    await expireItems(table, Math.ceil(written.expiresAt / 1000) * 1000);
    clock.set(written.expiresAt);
    expect(await store.live.read(r)).toBeNull();
  });

  it('is in neither sparse index', async () => {
    const { clock, store } = setup();
    const r = ref();
    await store.live.write(r, snapshot('x', clock.now()));
    for (const IndexName of [LIST_INDEX_NAME, PENDING_INDEX_NAME]) {
      const scan = await table.client.send(new ScanCommand({ TableName: table.tableName, IndexName }));
      expect((scan.Items ?? []).map((item) => unmarshall(item).pk)).not.toContain(partitionKey(r));
    }
    const partition = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': partitionKey(r) }),
      }),
    );
    expect(partition.Items?.map((item) => unmarshall(item).sk)).toEqual([LIVE_SK]);
  });

  it('costs one request per write, read and clear, and the units of one item', async () => {
    const { clock, store } = setup();
    const r = ref();
    for (const kb of [1, 10, 100]) {
      const text = 'x'.repeat(kb * 1024 - 200);
      const before = { ...store.stats };
      await store.live.write(r, snapshot(text, clock.now()));
      const wrote = store.stats.consumedCapacity - before.consumedCapacity;
      await store.live.read(r);
      const read = store.stats.consumedCapacity - before.consumedCapacity - wrote;
      expect(store.stats.roundTrips - before.roundTrips).toBe(2);
      expect({ kb, wrote, read }).toEqual({ kb, wrote: kb, read: Math.ceil(kb / 4) / 2 });
      expect(store.stats).toMatchObject({ commits: before.commits, liveWrites: before.liveWrites + 1 });
    }
    const before = store.stats.roundTrips;
    await store.live.clear(r);
    await store.live.clear(r);
    expect(store.stats.roundTrips - before).toBe(2);
    expect(await store.live.read(r)).toBeNull();
  });
});
