import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DeleteItemCommand,
  DeleteTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { Head, SessionEvent, SessionRef } from '@baton/core';
import { partitionKey } from './keys.js';
import { eventItems, headItem, toAttributes } from './records.js';
import { ATTRIBUTES, createTable, EXPIRES_AT_ATTRIBUTE } from './table.js';

/**
 * For this package's tests only (not exported): a client for DynamoDB Local and a table of its own
 * per test file, so files never see each other's sessions.
 */

export function localClient(endpoint: string, config: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...config,
  });
}

export interface TestTable {
  client: DynamoDBClient;
  tableName: string;
  drop(): Promise<void>;
}

/**
 * Creates a table with a unique name. TTL is left off: the emulator then never deletes expired
 * items, as AWS does not for days, and the store's own filtering is what the tests see.
 */
export async function freshTable(endpoint: string): Promise<TestTable> {
  const client = localClient(endpoint);
  const tableName = `baton-test-${randomUUID()}`;
  await createTable(client, tableName, { timeToLive: false });
  return {
    client,
    tableName,
    async drop() {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}

/**
 * Writes records exactly as given, without conditions or validation: old-schema fixtures for the
 * conformance suite, and damaged partitions for this package's own tests.
 */
export async function writeRawRecords(
  table: { client: DynamoDBClient; tableName: string },
  fixture: { ref: SessionRef; head?: unknown; events?: unknown[]; expiresAt?: number },
): Promise<void> {
  const context = { pk: partitionKey(fixture.ref), expiresAt: fixture.expiresAt };
  const items = [
    ...(fixture.head === undefined
      ? []
      : [headItem(fixture.ref, fixture.head as Head, context, JSON.stringify(fixture.head))]),
    ...(fixture.events ?? []).flatMap((event) =>
      eventItems((event as SessionEvent).seq, JSON.stringify(event), context),
    ),
  ];
  for (const item of items) {
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: toAttributes(item) }));
  }
}

/**
 * Does what DynamoDB's TTL process does, at once: deletes every item whose `expiresAt` (epoch
 * seconds) is not after `nowMs`. DynamoDB Local never runs it on these tables (TTL is off), and AWS
 * runs it days late and in no order, so what is left after it must be consistent whatever it took.
 */
export async function expireItems(
  table: { client: DynamoDBClient; tableName: string },
  nowMs: number,
): Promise<number> {
  let deleted = 0;
  let cursor: Record<string, AttributeValue> | undefined;
  do {
    const page = await table.client.send(
      new ScanCommand({
        TableName: table.tableName,
        ConsistentRead: true,
        FilterExpression: '#exp <= :now',
        ExpressionAttributeNames: { '#exp': EXPIRES_AT_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': { N: String(Math.floor(nowMs / 1000)) } },
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const key = { [ATTRIBUTES.pk]: item[ATTRIBUTES.pk]!, [ATTRIBUTES.sk]: item[ATTRIBUTES.sk]! };
      await table.client.send(new DeleteItemCommand({ TableName: table.tableName, Key: key }));
      deleted++;
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return deleted;
}
