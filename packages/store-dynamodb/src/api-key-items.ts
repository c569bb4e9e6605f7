import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type ApiKeyRecord, type ApiKeyStore, apiKeyRecord, ConflictError } from '@baton/core';
import { parseItemJson } from './chunks.js';
import { storeError } from './error-mapping.js';
import { API_KEY_PREFIX, API_KEYS_PK, apiKeySortKey } from './keys.js';
import type { StoreContext } from './store-context.js';
import { ATTRIBUTES } from './table.js';

/** Beside `data` on a key item: what a filter and the revoke update must see. */
const TENANT = 'tenant';
const REVOKED_AT = 'revokedAt';

/**
 * API keys as items of the session table, all in the partition API_KEYS_PK (no session's
 * partition key can equal it: see keys.ts). A key item carries no list or pending index attribute
 * and no TTL, so it is in neither index and never expires. `data` holds the record's JSON without
 * revokedAt, which is an attribute of its own so revoking is one conditional UpdateItem that keeps
 * the first time (`if_not_exists`).
 *
 * Reads are strongly consistent: a revoked key fails the very next check. `listApiKeys` reads the
 * whole partition (a tenant is a filter: the sort key must be the keyId alone for the one-GetItem
 * check) and sorts it; keys number in the hundreds, not the millions.
 */
export class DynamoApiKeys implements ApiKeyStore {
  constructor(private readonly context: StoreContext) {}

  /** One PutItem, conditioned on the key being new. */
  async createApiKey(record: ApiKeyRecord): Promise<void> {
    const { revokedAt, ...rest } = record;
    const item = {
      [ATTRIBUTES.pk]: API_KEYS_PK,
      [ATTRIBUTES.sk]: apiKeySortKey(record.keyId),
      [ATTRIBUTES.data]: JSON.stringify(rest),
      [TENANT]: record.tenant,
      ...(revokedAt === undefined ? {} : { [REVOKED_AT]: revokedAt }),
    };
    await this.context.call(
      () =>
        this.context.client.send(
          new PutItemCommand({
            TableName: this.context.tableName,
            Item: marshall(item),
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': ATTRIBUTES.pk },
          }),
        ),
      (error) =>
        conditionFailed(error)
          ? new ConflictError(`API key ${record.keyId} exists already`, error)
          : storeError(error, this.context.tableName),
    );
    this.context.stats.itemsWritten++;
  }

  /** One strongly consistent GetItem. */
  async getApiKey(keyId: string): Promise<ApiKeyRecord | null> {
    const output = await this.context.call(() =>
      this.context.client.send(
        new GetItemCommand({
          TableName: this.context.tableName,
          Key: marshall({ [ATTRIBUTES.pk]: API_KEYS_PK, [ATTRIBUTES.sk]: apiKeySortKey(keyId) }),
          ConsistentRead: true,
        }),
      ),
    );
    if (!output.Item) return null;
    this.context.stats.itemsRead++;
    return recordOf(output.Item);
  }

  /** Queries of the key partition, page by page (1 MB each), sorted here. */
  async listApiKeys(query: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const tenant = query.tenant;
      const page = await this.context.call(() =>
        this.context.client.send(
          new QueryCommand({
            TableName: this.context.tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ...(tenant === undefined ? {} : { FilterExpression: '#tenant = :tenant' }),
            ExpressionAttributeNames: {
              '#pk': ATTRIBUTES.pk,
              '#sk': ATTRIBUTES.sk,
              ...(tenant === undefined ? {} : { '#tenant': TENANT }),
            },
            ExpressionAttributeValues: marshall({
              ':pk': API_KEYS_PK,
              ':prefix': API_KEY_PREFIX,
              ...(tenant === undefined ? {} : { ':tenant': tenant }),
            }),
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) records.push(recordOf(item));
      this.context.stats.itemsRead += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    // In code, not by sort key: the sort key orders by keyId, the contract by createdAt first.
    return records.sort(
      (a, b) => a.createdAt - b.createdAt || (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0),
    );
  }

  /** One UpdateItem, conditioned on the key existing; returns the item as it is after. */
  async revokeApiKey(keyId: string, at: number): Promise<ApiKeyRecord | null> {
    let missing = false;
    const output = await this.context.call(() =>
      this.context.client
        .send(
          new UpdateItemCommand({
            TableName: this.context.tableName,
            Key: marshall({ [ATTRIBUTES.pk]: API_KEYS_PK, [ATTRIBUTES.sk]: apiKeySortKey(keyId) }),
            UpdateExpression: 'SET #revoked = if_not_exists(#revoked, :at)',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': ATTRIBUTES.pk, '#revoked': REVOKED_AT },
            ExpressionAttributeValues: marshall({ ':at': at }),
            ReturnValues: 'ALL_NEW',
          }),
        )
        .catch((error: unknown) => {
          if (!conditionFailed(error)) throw error;
          missing = true;
          return { Attributes: undefined, ConsumedCapacity: undefined };
        }),
    );
    if (missing || !output.Attributes) return null;
    this.context.stats.itemsWritten++;
    return recordOf(output.Attributes);
  }
}

function conditionFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** A key item back as the record, checked field by field (an item edited by hand fails here, not in auth). */
export function recordOf(item: Record<string, AttributeValue>): ApiKeyRecord {
  const attributes = unmarshall(item);
  const value = parseItemJson(attributes[ATTRIBUTES.data]);
  // Revocation lives in its own attribute (one conditional update), not in the record's JSON.
  const revokedAt: unknown = attributes[REVOKED_AT];
  return apiKeyRecord(typeof value === 'object' && value !== null ? { ...value, revokedAt } : value);
}
