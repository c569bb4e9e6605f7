import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  QueryCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { type SessionRef, ThrottledError } from '@baton/core';
import { HEAD_SK, partitionKey } from './keys.js';
import type { StoreContext } from './store-context.js';
import { ATTRIBUTES } from './table.js';

/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;
const MAX_ATTEMPTS = 8;

/**
 * Removes every item of the session's partition. The head goes first, on its own: from then on the
 * session reads as absent, and if the rest fails halfway a second delete finishes the job (until it
 * does, re-creating the same session id fails with a ConflictError on the leftover events).
 */
export async function deleteSession(context: StoreContext, ref: SessionRef): Promise<void> {
  const pk = partitionKey(ref);
  await context.call(() =>
    context.client.send(
      new DeleteItemCommand({
        TableName: context.tableName,
        Key: marshall({ [ATTRIBUTES.pk]: pk, [ATTRIBUTES.sk]: HEAD_SK }),
      }),
    ),
  );
  context.stats.itemsWritten++;
  let cursor: Record<string, AttributeValue> | undefined;
  do {
    const page = await context.call(() =>
      context.client.send(
        new QueryCommand({
          TableName: context.tableName,
          KeyConditionExpression: '#pk = :pk',
          ProjectionExpression: '#pk, #sk',
          ExpressionAttributeNames: { '#pk': ATTRIBUTES.pk, '#sk': ATTRIBUTES.sk },
          ExpressionAttributeValues: marshall({ ':pk': pk }),
          ConsistentRead: true,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      ),
    );
    const keys = page.Items ?? [];
    for (let start = 0; start < keys.length; start += BATCH) {
      await deleteBatch(context, keys.slice(start, start + BATCH));
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
}

async function deleteBatch(context: StoreContext, keys: Record<string, AttributeValue>[]): Promise<void> {
  let pending: WriteRequest[] = keys.map((key) => ({ DeleteRequest: { Key: key } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === MAX_ATTEMPTS) {
      throw new ThrottledError(`DynamoDB left ${pending.length} deletes unprocessed; delete again to finish`);
    }
    // Unprocessed items mean the partition is throttled: back off before asking again.
    if (attempt > 0) await backoff(attempt);
    const requests = pending;
    const output = await context.call(() =>
      context.client.send(new BatchWriteItemCommand({ RequestItems: { [context.tableName]: requests } })),
    );
    const unprocessed = output.UnprocessedItems?.[context.tableName] ?? [];
    context.stats.itemsWritten += requests.length - unprocessed.length;
    pending = unprocessed;
  }
}

function backoff(attempt: number): Promise<void> {
  const ms = Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
