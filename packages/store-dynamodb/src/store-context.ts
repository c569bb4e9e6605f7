import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock } from '@baton/core';
import { storeError } from './error-mapping.js';

/** Counters for benchmarks and tests. They only grow; read them before and after what you measure. */
export interface DynamoStoreStats {
  /** Requests sent to DynamoDB (the SDK's own retries of one request are not counted). */
  roundTrips: number;
  /** Commits that DynamoDB accepted. */
  commits: number;
  /** Items returned by reads (heads, events, chunks, dedupe records). */
  itemsRead: number;
  /** Items put or deleted. */
  itemsWritten: number;
  /** Sizes of the items put by commits, by DynamoDB's size rules. */
  bytesWritten: number;
  /**
   * Write capacity units the commits cost on the table: 2 per started KB of each item, the rate
   * for transactional writes. The list index adds up to 2 units per head write on top.
   */
  writeUnits: number;
  /** Live snapshots put (`live.write`) and read (`live.read`), apart from commits and items read. */
  liveWrites: number;
  liveReads: number;
  /** Capacity units DynamoDB reported as consumed (reads and writes, table and index), when it reports them. */
  consumedCapacity: number;
}

export function emptyStats(): DynamoStoreStats {
  return {
    roundTrips: 0,
    commits: 0,
    itemsRead: 0,
    itemsWritten: 0,
    bytesWritten: 0,
    writeUnits: 0,
    liveWrites: 0,
    liveReads: 0,
    consumedCapacity: 0,
  };
}

/** What the store's operations share: the client, the table, the clock and the counters. */
export class StoreContext {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
    readonly clock: Clock,
    readonly stats: DynamoStoreStats,
  ) {}

  /**
   * Sends one request, counts it, and turns its failure into a core error. `mapError` lets a
   * commit read its cancellation reasons instead.
   */
  async call<T extends { ConsumedCapacity?: unknown }>(
    request: () => Promise<T>,
    mapError: (error: unknown) => Error = (error) => storeError(error, this.tableName),
  ): Promise<T> {
    this.stats.roundTrips++;
    let output: T;
    try {
      output = await request();
    } catch (error) {
      throw mapError(error);
    }
    this.stats.consumedCapacity += consumed(output.ConsumedCapacity);
    return output;
  }
}

function consumed(capacity: unknown): number {
  if (Array.isArray(capacity)) return capacity.reduce((sum: number, one) => sum + consumed(one), 0);
  const units = (capacity as { CapacityUnits?: number } | undefined)?.CapacityUnits;
  return typeof units === 'number' ? units : 0;
}
