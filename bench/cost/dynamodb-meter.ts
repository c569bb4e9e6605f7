import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemSize, readUnits, transactWriteUnits, writeUnits } from './dynamodb-units.js';
import type { RequestUnits } from './units.js';

/**
 * Meters a DynamoDB client from the outside, without touching the store that uses it: a middleware
 * asks DynamoDB for `ReturnConsumedCapacity: 'INDEXES'` on every data request, keeps what it
 * reports, and prices the same request by the documented rules (dynamodb-units.ts). Index writes are
 * taken as reported (DynamoDB Local charges them at the transactional rate, 2 per head write).
 *
 * @example
 * const meter = meterDynamo(client);
 * const before = meter.read(); await work(); const turn = subtractUnits(meter.read(), before);
 */
export interface DynamoMeter {
  read(): Pick<
    RequestUnits,
    | 'dynamoWrite'
    | 'dynamoIndexWrite'
    | 'dynamoRead'
    | 'dynamoReportedWrite'
    | 'dynamoReportedRead'
    | 'dynamoRequests'
  >;
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
]);
const READS = new Set([
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'TransactGetItemsCommand',
]);

type Capacity = {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
};
type Item = Record<string, AttributeValue>;

function capacities(reported: unknown): Capacity[] {
  if (reported === undefined || reported === null) return [];
  return (Array.isArray(reported) ? reported : [reported]) as Capacity[];
}

/** Units reported on the whole request, on the table alone, and on its indexes. */
export function reportedUnits(reported: unknown): { total: number; table: number; indexes: number } {
  let total = 0;
  let table = 0;
  let indexes = 0;
  for (const one of capacities(reported)) {
    total += one.CapacityUnits ?? 0;
    table += one.Table?.CapacityUnits ?? one.CapacityUnits ?? 0;
    for (const index of [
      ...Object.values(one.GlobalSecondaryIndexes ?? {}),
      ...Object.values(one.LocalSecondaryIndexes ?? {}),
    ])
      indexes += index.CapacityUnits ?? 0;
  }
  return { total, table, indexes };
}

/** Documented write units of a write request, given what DynamoDB reported for its indexes and table. */
export function documentedWriteUnits(
  command: string,
  input: Record<string, unknown>,
  reported: { table: number; indexes: number },
): number {
  switch (command) {
    case 'TransactWriteItemsCommand':
      return (
        transactWriteUnits((input.TransactItems ?? []) as Parameters<typeof transactWriteUnits>[0]) +
        reported.indexes
      );
    case 'PutItemCommand':
      return writeUnits(itemSize((input.Item ?? {}) as Item)) + reported.indexes;
    case 'BatchWriteItemCommand': {
      const requests = Object.values(
        (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Item } }[]>,
      ).flat();
      return (
        requests.reduce((sum, r) => sum + writeUnits(r.PutRequest ? itemSize(r.PutRequest.Item) : 0), 0) +
        reported.indexes
      );
    }
    default:
      // Updates and deletes do not carry the item: take DynamoDB's own figure, at least 1.
      return Math.max(1, reported.table) + reported.indexes;
  }
}

/** Documented read units of a read request, from the items it returned. */
export function documentedReadUnits(
  command: string,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  reportedTotal: number,
): number {
  const consistent = input.ConsistentRead === true;
  if (command === 'GetItemCommand') return readUnits(itemSize((output.Item ?? {}) as Item), consistent);
  if (command === 'QueryCommand' || command === 'ScanCommand') {
    const items = (output.Items ?? []) as Item[];
    return readUnits(
      items.reduce((sum, item) => sum + itemSize(item), 0),
      consistent,
    );
  }
  return reportedTotal;
}

export function meterDynamo(client: DynamoDBClient): DynamoMeter {
  const totals = {
    dynamoWrite: 0,
    dynamoIndexWrite: 0,
    dynamoRead: 0,
    dynamoReportedWrite: 0,
    dynamoReportedRead: 0,
    dynamoRequests: 0,
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const isWrite = WRITES.has(command);
      if (!isWrite && !READS.has(command)) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'INDEXES';
      totals.dynamoRequests++;
      const result = await next(args);
      const output = result.output as unknown as Record<string, unknown>;
      const reported = reportedUnits(output.ConsumedCapacity);
      if (isWrite) {
        totals.dynamoReportedWrite += reported.total;
        totals.dynamoWrite += documentedWriteUnits(command, input, reported);
        totals.dynamoIndexWrite += reported.indexes;
      } else {
        totals.dynamoReportedRead += reported.total;
        totals.dynamoRead += documentedReadUnits(command, input, output, reported.total);
      }
      return result;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
  return { read: () => ({ ...totals }) };
}
