import { type AttributeValue, QueryCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type Head, type ListPage, type PendingQuery, ValidationError } from '@baton/core';
import { parseHead } from '@baton/core/store';
import { parseItemJson } from './chunks.js';
import { pendingShard } from './keys.js';
import type { StoreContext } from './store-context.js';
import { ATTRIBUTES, EXPIRES_AT_ATTRIBUTE, PENDING_INDEX_NAME, PENDING_SHARDS } from './table.js';

const DEFAULT_LIMIT = 50;
const KEY_NAMES = [ATTRIBUTES.pk, ATTRIBUTES.sk, ATTRIBUTES.pendingPk, ATTRIBUTES.pendingSk] as const;

interface Position {
  shard: number;
  key?: Record<string, AttributeValue>;
}

/**
 * Heads with pending work, from the sparse pending index: a Query per shard (never a Scan), so a
 * page reads only index entries, which exist only while a session has work. Shards are read in
 * order; the cursor is the shard and the index key of the last head returned. One item past the
 * page is read to know whether another follows, so the last page has no cursor. Index reads are
 * eventually consistent: a head may show up just after it settled, which callers check again.
 */
export async function listPendingSessions(context: StoreContext, query: PendingQuery): Promise<ListPage> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ValidationError('limit must be a positive integer', { field: 'limit' });
  }
  const found: { item: Record<string, AttributeValue>; shard: number }[] = [];
  let position: Position | undefined = decodeCursor(query.cursor);
  while (position && found.length <= limit) {
    const shard: number = position.shard;
    const key = position.key;
    const page: QueryCommandOutput = await context.call(() =>
      context.client.send(
        new QueryCommand({
          TableName: context.tableName,
          IndexName: PENDING_INDEX_NAME,
          KeyConditionExpression: '#shard = :shard',
          FilterExpression: 'attribute_not_exists(#exp) OR #exp > :now',
          ExpressionAttributeNames: { '#shard': ATTRIBUTES.pendingPk, '#exp': EXPIRES_AT_ATTRIBUTE },
          ExpressionAttributeValues: marshall({
            ':shard': pendingShard(shard),
            ':now': Math.floor(context.clock.now() / 1000),
          }),
          Limit: limit + 1 - found.length,
          ReturnConsumedCapacity: 'TOTAL',
          ...(key ? { ExclusiveStartKey: key } : {}),
        }),
      ),
    );
    for (const item of page.Items ?? []) found.push({ item, shard });
    context.stats.itemsRead += page.Items?.length ?? 0;
    position = page.LastEvaluatedKey
      ? { shard, key: page.LastEvaluatedKey }
      : shard + 1 < PENDING_SHARDS
        ? { shard: shard + 1 }
        : undefined;
  }
  const returned = found.slice(0, limit);
  const sessions = returned.map(
    ({ item }) => parseHead(parseItemJson(unmarshall(item)[ATTRIBUTES.data])) as Head,
  );
  const last = returned.at(-1);
  return found.length > limit && last ? { sessions, cursor: encodeCursor(last) } : { sessions };
}

function encodeCursor(last: { item: Record<string, AttributeValue>; shard: number }): string {
  const plain = unmarshall(last.item);
  const key = Object.fromEntries(KEY_NAMES.map((name) => [name, plain[name]]));
  return Buffer.from(JSON.stringify({ shard: last.shard, key }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): Position {
  if (cursor === undefined) return { shard: 0 };
  let parsed: { shard?: unknown; key?: Record<string, unknown> };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const shard = parsed?.shard;
  const key = parsed?.key;
  const valid =
    typeof shard === 'number' &&
    Number.isInteger(shard) &&
    shard >= 0 &&
    shard < PENDING_SHARDS &&
    key !== null &&
    typeof key === 'object' &&
    KEY_NAMES.every((name) => typeof key[name] === 'string') &&
    Object.keys(key).length === KEY_NAMES.length &&
    key[ATTRIBUTES.pendingPk] === pendingShard(shard);
  if (!valid) throw invalidCursor();
  return { shard, key: marshall(key) };
}

function invalidCursor(): ValidationError {
  return new ValidationError('cursor is not one this store returned for listPending', { field: 'cursor' });
}
