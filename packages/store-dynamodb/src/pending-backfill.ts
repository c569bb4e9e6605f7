import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type Head, systemClock, ValidationError } from '@baton/core';
import {
  hasPendingWork,
  type PendingBackfillOptions,
  type PendingBackfillProgress,
  parseHead,
  startBackfill,
} from '@baton/core/store';
import { parseItemJson } from './chunks.js';
import { storeError } from './error-mapping.js';
import { HEAD_SK, partitionKey, pendingShardKey } from './keys.js';
import { ATTRIBUTES, EXPIRES_AT_ATTRIBUTE, LIST_INDEX_NAME, PENDING_SHARDS } from './table.js';

export type { PendingBackfillOptions, PendingBackfillProgress };

/** Conditional writes in flight at once within a page. */
const WRITES_IN_FLIGHT = 16;
const TOKEN_KEYS = [ATTRIBUTES.pk, ATTRIBUTES.sk, ATTRIBUTES.listPk, ATTRIBUTES.listSk] as const;

/**
 * Gives the pending-index marker (`pendingPk`/`pendingSk`) to heads written before the index
 * existed, so the sweeper sees their pending work. One-off, resumable and idempotent: it Scans the
 * sparse list index (heads only, never events) for running and approval-waiting sessions, and
 * marks each head with pending work in an UpdateItem conditioned on the version and incarnation it
 * read and on the marker being absent, so a head a commit moved on meanwhile is left to that commit
 * (which wrote the marker itself) and a second run writes nothing. Only the index attributes are
 * set: the head's record and version stay as they are, so no writer's condition breaks.
 *
 * @example
 * const done = await backfillPendingIndex(new DynamoDBClient({}), 'baton', {
 *   pageSize: 200,
 *   onPage: (progress) => console.log(progress.marked, progress.resumeToken),
 * });
 */
export async function backfillPendingIndex(
  client: DynamoDBClient,
  tableName: string,
  options: PendingBackfillOptions = {},
): Promise<PendingBackfillProgress> {
  const { pageSize, progress } = startBackfill(options);
  const clock = options.clock ?? systemClock;
  let start = options.startKey === undefined ? undefined : decodeToken(options.startKey);
  do {
    const page = await send(tableName, () =>
      client.send(
        new ScanCommand({
          TableName: tableName,
          IndexName: LIST_INDEX_NAME,
          // The list index does not project the marker, so the marker is checked by the write.
          FilterExpression: '#status IN (:running, :waiting) AND (attribute_not_exists(#exp) OR #exp > :now)',
          ExpressionAttributeNames: { '#status': ATTRIBUTES.status, '#exp': EXPIRES_AT_ATTRIBUTE },
          ExpressionAttributeValues: marshall({
            ':running': 'running',
            ':waiting': 'waiting_approval',
            ':now': Math.floor(clock.now() / 1000),
          }),
          Limit: pageSize,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    progress.pages++;
    progress.headsRead += page.ScannedCount ?? 0;
    const candidates = (page.Items ?? []).map(readCandidate);
    progress.unreadable += candidates.filter((candidate) => candidate === null).length;
    const pending = candidates.filter((candidate): candidate is Candidate => Boolean(candidate));
    progress.pending += pending.length;
    for (let from = 0; from < pending.length; from += WRITES_IN_FLIGHT) {
      const outcomes = await Promise.all(
        pending.slice(from, from + WRITES_IN_FLIGHT).map((candidate) => mark(client, tableName, candidate)),
      );
      for (const outcome of outcomes) progress[outcome]++;
    }
    start = page.LastEvaluatedKey;
    if (start) progress.resumeToken = encodeToken(start);
    else delete progress.resumeToken;
    options.onPage?.({ ...progress });
  } while (start && (options.maxPages === undefined || progress.pages < options.maxPages));
  return progress;
}

interface Candidate {
  pk: string;
  head: Head;
}

/** A head with pending work from a list-index item; undefined when it has none, null when unreadable. */
function readCandidate(attributes: Record<string, AttributeValue>): Candidate | null | undefined {
  const item = unmarshall(attributes) as { pk?: unknown; sk?: unknown; data?: unknown };
  if (item.sk !== HEAD_SK || typeof item.pk !== 'string' || typeof item.data !== 'string') return null;
  let head: Head;
  try {
    head = parseHead(parseItemJson(item.data));
  } catch {
    return null;
  }
  // The marker's keys derive from the session; a record that names another session is left alone.
  if (partitionKey(head) !== item.pk) return null;
  return hasPendingWork(head) ? { pk: item.pk, head } : undefined;
}

type Outcome = 'marked' | 'alreadyMarked' | 'movedOn';

async function mark(client: DynamoDBClient, tableName: string, { pk, head }: Candidate): Promise<Outcome> {
  const sameIncarnation =
    head.incarnation === undefined ? 'attribute_not_exists(#inc)' : '#inc = :incarnation';
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: marshall({ [ATTRIBUTES.pk]: pk, [ATTRIBUTES.sk]: HEAD_SK }),
        UpdateExpression: 'SET #ppk = :ppk, #psk = :psk',
        ConditionExpression: `#version = :version AND ${sameIncarnation} AND attribute_not_exists(#ppk)`,
        ExpressionAttributeNames: {
          '#version': ATTRIBUTES.version,
          '#inc': ATTRIBUTES.incarnation,
          '#ppk': ATTRIBUTES.pendingPk,
          '#psk': ATTRIBUTES.pendingSk,
        },
        // The same keys a commit writes (records.ts headItem): the shard of the session, then its pk.
        ExpressionAttributeValues: marshall({
          ':ppk': pendingShardKey(head, PENDING_SHARDS),
          ':psk': pk,
          ':version': head.version,
          ...(head.incarnation === undefined ? {} : { ':incarnation': head.incarnation }),
        }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'marked';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw storeError(error, tableName);
    const old = error.Item ? unmarshall(error.Item) : undefined;
    const unchanged =
      old !== undefined &&
      old[ATTRIBUTES.version] === head.version &&
      old[ATTRIBUTES.incarnation] === head.incarnation;
    return unchanged && old[ATTRIBUTES.pendingPk] !== undefined ? 'alreadyMarked' : 'movedOn';
  }
}

async function send<T>(tableName: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw storeError(error, tableName);
  }
}

function encodeToken(key: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify(unmarshall(key)), 'utf8').toString('base64url');
}

function decodeToken(token: string): Record<string, AttributeValue> {
  let key: Record<string, unknown> | undefined;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid =
    key !== null &&
    typeof key === 'object' &&
    Object.keys(key).length === TOKEN_KEYS.length &&
    TOKEN_KEYS.every((name) => typeof key[name] === 'string');
  if (!valid) {
    throw new ValidationError(
      'startKey is not a resume token this backfill printed: pass the resumeToken of an earlier run, or none to start over',
      { field: 'startKey' },
    );
  }
  return marshall(key);
}
