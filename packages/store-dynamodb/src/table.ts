import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** Attribute names of Baton's items. Kept short because names count toward the 400 KB item size. */
export const ATTRIBUTES = {
  pk: 'pk',
  sk: 'sk',
  /** The record (head, event or dedupe record) as JSON, or one chunk of an event's JSON. */
  data: 'data',
  /** On an event split into several items: how many items hold its JSON. */
  chunks: 'chunks',
  /** On the head: its version, what every commit is conditioned on. */
  version: 'version',
  /**
   * On the head: its incarnation (core's `Head.incarnation`), which every commit is conditioned on
   * with the version. Absent on heads stored before incarnations, and on heads that have none.
   */
  incarnation: 'incarnation',
  /** On the head: its status, for list filters. */
  status: 'status',
  /** On the head only, which makes the list index sparse (heads, never events). */
  listPk: 'listPk',
  listSk: 'listSk',
  /**
   * On the head only while it may have pending work (core's hasPendingWork), which makes the
   * pending index sparse: settled sessions are not in it at all.
   */
  pendingPk: 'pendingPk',
  pendingSk: 'pendingSk',
} as const;

/**
 * The TTL attribute (epoch seconds, a Number). Declare it as the table's time-to-live attribute so
 * AWS removes expired items; reads filter on it regardless, since AWS deletes them days late.
 */
export const EXPIRES_AT_ATTRIBUTE = 'expiresAt';

/** The sparse index `list` queries: one partition per tenant, newest update first. */
export const LIST_INDEX_NAME = 'by-tenant';

/**
 * The sparse index `listPending` (the sweeper) queries: heads with pending work only, spread over
 * PENDING_SHARDS partition key values so the heads of many running sessions, rewritten on every
 * step, never make one index partition hot. A sweep is one Query per shard plus one per page.
 */
export const PENDING_INDEX_NAME = 'by-pending';
export const PENDING_SHARDS = 16;

/**
 * The table Baton expects, without its name: infrastructure code declares exactly this (plus TTL
 * on EXPIRES_AT_ATTRIBUTE), and `createTable` creates it for tests and local runs.
 *
 * @example
 * const input = { TableName: 'baton', ...tableDefinition };
 */
export const tableDefinition = {
  AttributeDefinitions: [
    { AttributeName: ATTRIBUTES.pk, AttributeType: 'S' },
    { AttributeName: ATTRIBUTES.sk, AttributeType: 'S' },
    { AttributeName: ATTRIBUTES.listPk, AttributeType: 'S' },
    { AttributeName: ATTRIBUTES.listSk, AttributeType: 'S' },
    { AttributeName: ATTRIBUTES.pendingPk, AttributeType: 'S' },
    { AttributeName: ATTRIBUTES.pendingSk, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: ATTRIBUTES.pk, KeyType: 'HASH' },
    { AttributeName: ATTRIBUTES.sk, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: LIST_INDEX_NAME,
      KeySchema: [
        { AttributeName: ATTRIBUTES.listPk, KeyType: 'HASH' },
        { AttributeName: ATTRIBUTES.listSk, KeyType: 'RANGE' },
      ],
      // What `list` reads and filters on; the head's version stays out of the index.
      Projection: {
        ProjectionType: 'INCLUDE',
        NonKeyAttributes: [ATTRIBUTES.data, ATTRIBUTES.status, EXPIRES_AT_ATTRIBUTE],
      },
    },
    {
      IndexName: PENDING_INDEX_NAME,
      KeySchema: [
        { AttributeName: ATTRIBUTES.pendingPk, KeyType: 'HASH' },
        { AttributeName: ATTRIBUTES.pendingSk, KeyType: 'RANGE' },
      ],
      // The head itself (the sweeper checks its lease and age) and the TTL the reads filter on.
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [ATTRIBUTES.data, EXPIRES_AT_ATTRIBUTE] },
    },
  ],
  BillingMode: 'PAY_PER_REQUEST',
} satisfies Omit<CreateTableCommandInput, 'TableName'>;

/**
 * Creates Baton's table (on-demand billing) and waits until it is active. TTL on `expiresAt` is
 * switched on unless `timeToLive: false`; tests that drive a fake clock switch it off so the
 * emulator never deletes their items, which is also how AWS's late deletion looks to a reader.
 *
 * @example
 * await createTable(new DynamoDBClient({}), 'baton');
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  options: { timeToLive?: boolean; maxWaitSeconds?: number } = {},
): Promise<void> {
  await client.send(new CreateTableCommand({ TableName: tableName, ...tableDefinition }));
  await waitUntilTableExists(
    { client, maxWaitTime: options.maxWaitSeconds ?? 300 },
    { TableName: tableName },
  );
  if (options.timeToLive === false) return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: EXPIRES_AT_ATTRIBUTE, Enabled: true },
    }),
  );
}
