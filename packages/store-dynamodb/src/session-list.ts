import { type AttributeValue, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type Head, type ListPage, type ListQuery, ValidationError } from '@baton/core';
import { parseHead } from '@baton/core/store';
import { parseItemJson } from './chunks.js';
import type { StoreContext } from './store-context.js';
import { ATTRIBUTES, EXPIRES_AT_ATTRIBUTE, LIST_INDEX_NAME } from './table.js';

const DEFAULT_LIMIT = 50;
/** Items read per request when a status filter may discard most of them, to save round trips. */
const FILTERED_READ = 100;
/**
 * Index items one call examines at most: a status filter that matches few sessions (failed ones
 * across every tenant, say) returns a short page and a cursor instead of reading the whole index.
 */
const MAX_EXAMINED = 1000;

/**
 * Lists sessions from the sparse list index, which holds one entry per head and none per event.
 * With a tenant: a Query of that tenant's partition, most recently updated first. Without one: a
 * Scan of the index, in DynamoDB's order (no order across tenants; every session still appears
 * exactly once over the pages). The status filter and the TTL filter are FilterExpressions, so a
 * status filter reads the tenant's other sessions too, at most MAX_EXAMINED per call (the page may
 * then be short, with a cursor); index reads are eventually consistent.
 *
 * The cursor is the index key of the last session returned, base64url JSON. One item past the page
 * is read to know whether another page exists, so the last page has no cursor.
 */
export async function listSessions(context: StoreContext, query: ListQuery): Promise<ListPage> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new ValidationError('limit must be a positive integer', { field: 'limit' });
  }
  const filters = [`(attribute_not_exists(#exp) OR #exp > :now)`];
  const names: Record<string, string> = { '#exp': EXPIRES_AT_ATTRIBUTE };
  const values: Record<string, string | number> = { ':now': Math.floor(context.clock.now() / 1000) };
  if (query.status !== undefined) {
    filters.push('#status = :status');
    names['#status'] = ATTRIBUTES.status;
    values[':status'] = query.status;
  }
  const found: Record<string, AttributeValue>[] = [];
  let start = decodeCursor(query.cursor, query.tenant);
  let examined = 0;
  while (found.length <= limit && examined < MAX_EXAMINED) {
    const need = limit + 1 - found.length;
    const common = {
      TableName: context.tableName,
      IndexName: LIST_INDEX_NAME,
      FilterExpression: filters.join(' AND '),
      Limit: query.status === undefined ? need : Math.max(need, FILTERED_READ),
      ReturnConsumedCapacity: 'TOTAL' as const,
      ...(start ? { ExclusiveStartKey: start } : {}),
    };
    const tenant = query.tenant;
    const page =
      tenant === undefined
        ? await context.call(() =>
            context.client.send(
              new ScanCommand({
                ...common,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: marshall(values),
              }),
            ),
          )
        : await context.call(() =>
            context.client.send(
              new QueryCommand({
                ...common,
                KeyConditionExpression: '#listPk = :tenant',
                ExpressionAttributeNames: { ...names, '#listPk': ATTRIBUTES.listPk },
                ExpressionAttributeValues: marshall({ ...values, ':tenant': tenant }),
              }),
            ),
          );
    found.push(...(page.Items ?? []));
    context.stats.itemsRead += page.Items?.length ?? 0;
    examined += page.ScannedCount ?? page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
    if (!start) break;
  }
  const returned = found.slice(0, limit);
  const sessions = returned.map(
    (item) => parseHead(parseItemJson(unmarshall(item)[ATTRIBUTES.data])) as Head,
  );
  if (found.length > limit) return { sessions, cursor: encodeCursor(returned.at(-1)!) };
  // Stopped at MAX_EXAMINED: go on after the last item examined.
  return start ? { sessions, cursor: encodeCursor(start) } : { sessions };
}

const CURSOR_KEYS = [ATTRIBUTES.pk, ATTRIBUTES.sk, ATTRIBUTES.listPk, ATTRIBUTES.listSk] as const;

function encodeCursor(item: Record<string, AttributeValue>): string {
  const plain = unmarshall(item);
  const key = Object.fromEntries(CURSOR_KEYS.map((name) => [name, plain[name]]));
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(
  cursor: string | undefined,
  tenant: string | undefined,
): Record<string, AttributeValue> | undefined {
  if (cursor === undefined) return undefined;
  let key: Record<string, unknown>;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const valid =
    key !== null &&
    typeof key === 'object' &&
    CURSOR_KEYS.every((name) => typeof key[name] === 'string') &&
    Object.keys(key).length === CURSOR_KEYS.length &&
    (tenant === undefined || key[ATTRIBUTES.listPk] === tenant);
  if (!valid) throw invalidCursor();
  return marshall(key);
}

function invalidCursor(): ValidationError {
  return new ValidationError('cursor is not one this store returned for this query', { field: 'cursor' });
}
