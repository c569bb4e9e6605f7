import type { TransactWriteItem, TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { EventTooLargeError, jsonBytes } from '@baton/core';
import {
  type CommitRequest,
  type DedupeRecord,
  eventRecords,
  incarnationOf,
  LEGACY_INCARNATION,
} from '@baton/core/store';
import type { ActionRole } from './error-mapping.js';
import { partitionKey } from './keys.js';
import {
  type FlatItem,
  ITEM_BYTES,
  itemBytes,
  MAX_EVENT_BYTES,
  TRANSACTION_ACTIONS,
  TRANSACTION_BYTES,
  TransactionTooLargeError,
} from './limits.js';
import { dedupeItem, eventItems, headItem, toAttributes } from './records.js';
import { expiriesFor, type Retention } from './retention.js';
import { ATTRIBUTES, EXPIRES_AT_ATTRIBUTE } from './table.js';

/** Room in the 4 MB transaction for what is not item data (expressions, their values). */
const TRANSACTION_SAFETY_BYTES = 64 * 1024;

export interface CommitPlan {
  input: TransactWriteItemsCommandInput;
  /** What each action writes, in action order, to read CancellationReasons by. */
  roles: ActionRole[];
  /** Sum of the item sizes written. */
  bytes: number;
  /** Write capacity the transaction consumes on the table: 2 units per started KB of each item. */
  writeUnits: number;
}

/**
 * Builds the one TransactWriteItems of a commit, or throws before anything is sent when it cannot
 * fit: an event over MAX_EVENT_BYTES (EventTooLargeError), or a commit over 100 actions or 4 MB, or a
 * head or dedupe record over one item (TransactionTooLargeError, also an EventTooLargeError).
 *
 * Conditions: the head must still be at `expectedVersion` (or absent when creating); every event
 * item and the dedupe record must be absent. An item whose TTL has passed counts as absent, as it
 * does for reads, so a session that expired but that AWS has not yet deleted can be started afresh.
 */
export function planCommit(
  request: CommitRequest,
  options: { tableName: string; nowMs: number; retention: Retention },
): CommitPlan {
  for (const event of request.events) {
    const bytes = jsonBytes(event);
    if (bytes > MAX_EVENT_BYTES) throw new EventTooLargeError(bytes, MAX_EVENT_BYTES);
  }
  const pk = partitionKey(request.ref);
  // Per session (retention.ts): the head's expiry moves with every commit, events outlive any head.
  const expiries = expiriesFor(options.nowMs, request.head, options.retention);
  const context = { pk, expiresAt: expiries.head };
  const now = Math.floor(options.nowMs / 1000);

  const head = headItem(request.ref, request.head, context);
  checkItem(head, 'the head');
  const actions: TransactWriteItem[] = [
    headPut(options.tableName, head, request.expectedVersion, incarnationOf(request.head), now),
  ];
  const roles: ActionRole[] = [{ kind: 'head' }];
  const written: FlatItem[] = [head];

  const records = eventRecords(request.events);
  for (const [index, event] of request.events.entries()) {
    const json = JSON.stringify(records[index]);
    for (const item of eventItems(event.seq, json, { pk, expiresAt: expiries.events })) {
      actions.push(absentPut(options.tableName, item, now, false));
      roles.push({ kind: 'event', seq: event.seq });
      written.push(item);
    }
  }
  if (request.dedupe) {
    const record: DedupeRecord = { v: request.head.v, ...request.dedupe, at: request.head.updatedAt };
    const item = dedupeItem(record, { pk, expiresAt: expiries.dedupe });
    checkItem(item, `the dedupe record ${request.dedupe.dedupeKey}`);
    // ALL_OLD on this action alone: a duplicate's answer comes back without another read.
    actions.push(absentPut(options.tableName, item, now, true));
    roles.push({ kind: 'dedupe' });
    written.push(item);
  }

  if (actions.length > TRANSACTION_ACTIONS) {
    throw new TransactionTooLargeError(
      written.reduce((sum, item) => sum + itemBytes(item), 0),
      TRANSACTION_BYTES,
      `the commit needs ${actions.length} DynamoDB transaction actions (${request.events.length} events); at most ${TRANSACTION_ACTIONS} fit in one`,
    );
  }
  const bytes = written.reduce((sum, item) => sum + itemBytes(item), 0);
  if (bytes > TRANSACTION_BYTES - TRANSACTION_SAFETY_BYTES) {
    throw new TransactionTooLargeError(
      bytes,
      TRANSACTION_BYTES - TRANSACTION_SAFETY_BYTES,
      `the commit writes ${bytes} bytes (${request.events.length} events); one DynamoDB transaction holds at most ${TRANSACTION_BYTES - TRANSACTION_SAFETY_BYTES}`,
    );
  }
  const writeUnits = written.reduce((sum, item) => sum + 2 * Math.ceil(itemBytes(item) / 1024), 0);
  return { input: { TransactItems: actions }, roles, bytes, writeUnits };
}

function checkItem(item: FlatItem, what: string): void {
  const bytes = itemBytes(item);
  if (bytes > ITEM_BYTES) {
    throw new TransactionTooLargeError(
      bytes,
      ITEM_BYTES,
      `${what} takes ${bytes} bytes; a DynamoDB item holds at most ${ITEM_BYTES}`,
    );
  }
}

/**
 * The head's Put: absent (or expired) when creating; otherwise still at `expectedVersion` in the same
 * incarnation, so a writer of a deleted session never lands on a new session of the same id. A head
 * stored before incarnations has no attribute, which counts as LEGACY_INCARNATION (`sameIncarnation`).
 */
function headPut(
  tableName: string,
  item: FlatItem,
  expectedVersion: number | null,
  incarnation: string,
  now: number,
): TransactWriteItem {
  const names = { '#pk': ATTRIBUTES.pk, '#exp': EXPIRES_AT_ATTRIBUTE };
  if (expectedVersion === null) {
    return {
      Put: {
        TableName: tableName,
        Item: toAttributes(item),
        ConditionExpression: 'attribute_not_exists(#pk) OR #exp <= :now',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':now': { N: String(now) } },
      },
    };
  }
  const sameIncarnation =
    incarnation === LEGACY_INCARNATION ? '(attribute_not_exists(#inc) OR #inc = :inc)' : '#inc = :inc';
  return {
    Put: {
      TableName: tableName,
      Item: toAttributes(item),
      ConditionExpression: `#version = :expected AND ${sameIncarnation} AND (attribute_not_exists(#exp) OR #exp > :now)`,
      ExpressionAttributeNames: {
        '#version': ATTRIBUTES.version,
        '#inc': ATTRIBUTES.incarnation,
        '#exp': EXPIRES_AT_ATTRIBUTE,
      },
      ExpressionAttributeValues: {
        ':expected': { N: String(expectedVersion) },
        ':now': { N: String(now) },
        ':inc': { S: incarnation },
      },
    },
  };
}

function absentPut(tableName: string, item: FlatItem, now: number, returnOld: boolean): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: toAttributes(item),
      ConditionExpression: 'attribute_not_exists(#pk) OR #exp <= :now',
      ExpressionAttributeNames: { '#pk': ATTRIBUTES.pk, '#exp': EXPIRES_AT_ATTRIBUTE },
      ExpressionAttributeValues: { ':now': { N: String(now) } },
      ...(returnOld ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
    },
  };
}
