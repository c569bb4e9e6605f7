import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SessionRef } from '@baton/core';
import { fitLiveSnapshot, type LiveSnapshot, type LiveStore, parseLiveSnapshot } from '@baton/core/store';
import { parseItemJson } from './chunks.js';
import { LIVE_SK, LIVE_WATCH_SK, partitionKey } from './keys.js';
import { fromAttributes, toAttributes } from './records.js';
import type { StoreContext } from './store-context.js';
import { ATTRIBUTES, EXPIRES_AT_ATTRIBUTE } from './table.js';

/**
 * The live snapshot of a session as one item in its partition (sort key LIVE_SK), holding `data`
 * (the snapshot's JSON) and the table's TTL attribute only. Without the list and pending index
 * keys it is in neither sparse index, so a write costs the item's own units and no index write:
 * one PutItem, unconditioned (the last writer wins), 1 WCU per started KB. A read is one
 * eventually consistent GetItem, 0.5 RCU per started 4 KB, half a strongly consistent one: a
 * client polls it several times a second, and a snapshot a moment old is one the next poll
 * corrects (the reader checks `afterSeq` and `runId` against the head it streams from).
 * The watch is another such item (sort key LIVE_WATCH_SK, `data` the `until` in epoch ms): one
 * PutItem of 1 WCU per renewal, one eventually consistent GetItem of 0.5 RCU per read.
 */
export class DynamoLive implements LiveStore {
  constructor(private readonly context: StoreContext) {}

  /** One PutItem. A snapshot over LIVE_SNAPSHOT_MAX_BYTES is stored cut to fit (fitLiveSnapshot). */
  async write(ref: SessionRef, snapshot: LiveSnapshot): Promise<void> {
    const stored = fitLiveSnapshot(snapshot);
    const item = toAttributes({
      [ATTRIBUTES.pk]: partitionKey(ref),
      [ATTRIBUTES.sk]: LIVE_SK,
      [ATTRIBUTES.data]: JSON.stringify(stored),
      // Epoch seconds, rounded up: AWS never deletes it before the snapshot's own expiry.
      [EXPIRES_AT_ATTRIBUTE]: Math.ceil(stored.expiresAt / 1000),
    });
    const { context } = this;
    await context.call(() =>
      context.client.send(
        new PutItemCommand({ TableName: context.tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
      ),
    );
    context.stats.liveWrites++;
    context.stats.itemsWritten++;
  }

  /** One eventually consistent GetItem; null when absent or past its `expiresAt` by the store's clock. */
  async read(ref: SessionRef): Promise<LiveSnapshot | null> {
    const { context } = this;
    const output = await context.call(() =>
      context.client.send(
        new GetItemCommand({
          TableName: context.tableName,
          Key: this.key(ref),
          ConsistentRead: false,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    context.stats.liveReads++;
    if (!output.Item) return null;
    // AWS deletes expired items days late: the snapshot's own expiresAt (ms) decides.
    const snapshot = parseLiveSnapshot(parseItemJson(fromAttributes(output.Item).data));
    return snapshot.expiresAt > context.clock.now() ? snapshot : null;
  }

  /** One DeleteItem; deleting a missing item is not an error in DynamoDB. */
  async clear(ref: SessionRef): Promise<void> {
    const { context } = this;
    await context.call(() =>
      context.client.send(
        new DeleteItemCommand({
          TableName: context.tableName,
          Key: this.key(ref),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    context.stats.itemsWritten++;
  }

  /** One PutItem of the watch item, in neither index; TTL'd like the snapshot. */
  async watch(ref: SessionRef, until: number): Promise<void> {
    const item = toAttributes({
      [ATTRIBUTES.pk]: partitionKey(ref),
      [ATTRIBUTES.sk]: LIVE_WATCH_SK,
      [ATTRIBUTES.data]: String(until),
      [EXPIRES_AT_ATTRIBUTE]: Math.ceil(until / 1000),
    });
    const { context } = this;
    await context.call(() =>
      context.client.send(
        new PutItemCommand({ TableName: context.tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
      ),
    );
    context.stats.liveWrites++;
    context.stats.itemsWritten++;
  }

  /** One eventually consistent GetItem; null when absent or passed by the store's clock. */
  async watchedUntil(ref: SessionRef): Promise<number | null> {
    const { context } = this;
    const output = await context.call(() =>
      context.client.send(
        new GetItemCommand({
          TableName: context.tableName,
          Key: this.key(ref, LIVE_WATCH_SK),
          ConsistentRead: false,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    context.stats.liveReads++;
    const until = output.Item ? Number(fromAttributes(output.Item).data) : Number.NaN;
    return Number.isFinite(until) && until > context.clock.now() ? until : null;
  }

  private key(ref: SessionRef, sk = LIVE_SK) {
    return marshall({ [ATTRIBUTES.pk]: partitionKey(ref), [ATTRIBUTES.sk]: sk });
  }
}
