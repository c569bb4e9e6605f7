import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { CosmosClient } from '@azure/cosmos';
import { createTable } from '@baton/store-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { meterCosmos } from '../../bench/cost/cosmos-meter.js';
import { queryRu, readRu, writeRu } from '../../bench/cost/cosmos-units.js';
import { meterDynamo } from '../../bench/cost/dynamodb-meter.js';
import { itemSize, readUnits, transactWriteUnits, writeUnits } from '../../bench/cost/dynamodb-units.js';
import type { Prices } from '../../bench/cost/prices.js';
import { awsTurnCost, azureTurnCost, peerUnits, sqsRequests } from '../../bench/cost/turn-cost.js';
import { emptyUnits } from '../../bench/cost/units.js';

/**
 * The cost estimate of `npm run bench`: request units to dollars, DynamoDB's transaction rule, and
 * the meters on real clients against DynamoDB Local and the Cosmos DB server.
 */

/** Round prices, so the expected dollars can be worked out by hand. */
const PRICES: Prices = {
  dynamodb: { writeUnitPerMillion: 1, readUnitPerMillion: 0.5 },
  sqs: { requestPerMillion: 0.4 },
  lambda: { gbSecond: 0.00001, requestPerMillion: 0.2, memoryGb: 1 },
  cosmos: { ruPerMillion: 0.25 },
  storageQueue: { class1Per10k: 0.004, class2Per10k: 0.002 },
  functions: { gbSecond: 0.00002, executionPerMillion: 0.4, memoryGb: 2 },
};

/** An item of about `bytes` by DynamoDB's size rules. */
function itemOf(bytes: number, key: string) {
  const item = { pk: { S: 'cost-test' }, sk: { S: key }, body: { S: '' } };
  item.body.S = 'x'.repeat(bytes - itemSize(item));
  return item;
}

describe('DynamoDB capacity rules', () => {
  it('charges a transaction twice a standard write, per started KB of each item', () => {
    const small = itemOf(500, 'a');
    const large = itemOf(1500, 'b');
    expect(itemSize(small)).toBe(500);
    expect(writeUnits(itemSize(small)) + writeUnits(itemSize(large))).toBe(1 + 2);
    expect(transactWriteUnits([{ Put: { Item: small } }, { Put: { Item: large } }])).toBe(2 * (1 + 2));
    // Each item is rounded on its own: three items of 400 B are 3 KB started, not 2.
    const three = ['c', 'd', 'e'].map((key) => ({ Put: { Item: itemOf(400, key) } }));
    expect(transactWriteUnits(three)).toBe(6);
  });

  it('reads 4 KB per unit, half for an eventually consistent read, at least one unit', () => {
    expect(readUnits(5000, true)).toBe(2);
    expect(readUnits(5000, false)).toBe(1);
    expect(readUnits(0, true)).toBe(1);
  });
});

describe('Cosmos DB request units by the documented figures', () => {
  it('prices point writes, reads and queries by document size', () => {
    expect(writeRu(1024)).toBe(4.95);
    expect(writeRu(300)).toBe(4.95);
    expect(writeRu(1536)).toBeCloseTo((4.95 + 6.29) / 2, 10);
    expect(readRu(512)).toBe(1);
    expect(queryRu(512)).toBe(2);
  });
});

describe('dollars per turn', () => {
  it('adds the store, the queue and the functions on AWS', () => {
    const units = { ...emptyUnits(), dynamoWrite: 12, dynamoRead: 4, enqueues: 1, enqueuedChunks: 1 };
    expect(sqsRequests(units)).toBe(3);
    const cost = awsTurnCost({ units, frameworkMs: 5, invocations: 2 }, PRICES);
    expect(cost.store).toBeCloseTo((12 * 1 + 4 * 0.5) / 1e6, 15);
    expect(cost.queue).toBeCloseTo((3 * 0.4) / 1e6, 15);
    expect(cost.functions).toBeCloseTo((2 * 0.2) / 1e6 + 0.005 * 1 * 0.00001, 15);
    expect(cost.total).toBeCloseTo(cost.store + cost.queue + cost.functions, 15);
  });

  it('adds Cosmos RUs, Storage Queue operations and Flex Consumption on Azure', () => {
    const units = { ...emptyUnits(), cosmosRu: 20, enqueues: 1, enqueuedChunks: 1 };
    const cost = azureTurnCost({ units, frameworkMs: 10, invocations: 2 }, PRICES);
    expect(cost.store).toBeCloseTo((20 * 0.25) / 1e6, 15);
    // A put and a delete (class 1) and a get (class 2).
    expect(cost.queue).toBeCloseTo((2 * 0.004 + 0.002) / 10_000, 15);
    expect(cost.functions).toBeCloseTo((2 * 0.4) / 1e6 + 0.01 * 2 * 0.00002, 15);
  });

  it("prices a peer's turn as one plain put per write and a query of its history", () => {
    const units = peerUnits({ bytes: 1500, writes: 1 }, 10_000);
    expect(units.dynamoWrite).toBe(2);
    expect(units.dynamoRead).toBe(3);
    expect(units.cosmosRu).toBeCloseTo(writeRu(1500) + queryRu(10_000), 10);
    expect(units.enqueues).toBe(0);
  });
});

describe('the meters on real clients', () => {
  it('DynamoDB: asks for the consumed capacity without the caller, and prices a transaction by the rule', async () => {
    const client = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'cost', secretAccessKey: 'cost' },
    });
    try {
      const table = `cost-meter-${Date.now()}`;
      await createTable(client, table, { timeToLive: false });
      const meter = meterDynamo(client);
      const items = ['a', 'b', 'c'].map((key) => ({ Put: { TableName: table, Item: itemOf(400, key) } }));
      // No ReturnConsumedCapacity here: the meter adds it.
      await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      const units = meter.read();
      expect(units.dynamoRequests).toBe(1);
      expect(units.dynamoWrite).toBe(6);
      expect(units.dynamoIndexWrite).toBe(0);
      // DynamoDB Local doubles a transaction, but charges it like one item (its largest): 2, not 6.
      expect(units.dynamoReportedWrite).toBe(2);
    } finally {
      client.destroy();
    }
  });

  it('Cosmos DB: keeps the flat charge the server reports and the documented figure beside it', async () => {
    const meter = meterCosmos();
    const client = new CosmosClient(
      meter.options({
        endpoint: inject('cosmosEndpoint'),
        key: inject('cosmosKey'),
        agent: new HttpsAgent({ rejectUnauthorized: false }),
      }),
    );
    try {
      const { database } = await client.databases.createIfNotExists({ id: 'cost-meter' });
      const { container } = await database.containers.createIfNotExists({
        id: `c${Date.now()}`,
        partitionKey: { paths: ['/pk'] },
      });
      await container.items.create({ id: 'one', pk: 'p', text: 'x'.repeat(200) });
      await container.item('one', 'p').read();
      await container.items
        .query({ query: 'SELECT * FROM c WHERE c.pk = @pk', parameters: [{ name: '@pk', value: 'p' }] })
        .fetchAll();
      // The SDK sends a batch's body serialized: the meter reads its operations back.
      await container.items.batch(
        ['two', 'three'].map((id) => ({ operationType: 'Create' as const, resourceBody: { id, pk: 'p' } })),
        'p',
      );
      const units = meter.read();
      expect(units.cosmosRequests).toBe(4);
      expect(units.cosmosReportedRu).toBe(4);
      // Documents under 1 KB: a write, a point read, a query and a batch of two writes.
      expect(units.cosmosRu).toBeCloseTo(4.95 + 1 + 2 + 2 * 4.95, 10);
    } finally {
      client.dispose();
    }
  });
});
