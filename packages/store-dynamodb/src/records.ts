import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Head, SessionRef } from '@baton/core';
import { type DedupeRecord, hasPendingWork, headRecord } from '@baton/core/store';
import { splitUtf8 } from './chunks.js';
import {
  chunkKey,
  dedupeKey,
  eventKey,
  HEAD_SK,
  listSortKey,
  partitionKey,
  pendingShardKey,
} from './keys.js';
import { type FlatItem, ITEM_BYTES, ITEM_SAFETY_BYTES, itemBytes } from './limits.js';
import { ATTRIBUTES, EXPIRES_AT_ATTRIBUTE, PENDING_SHARDS } from './table.js';

/**
 * How records become items and back. Every record is stored as its exact JSON text in `data`: no
 * nesting limit (DynamoDB maps stop at 32 levels), no number precision loss (marshall refuses numbers
 * beyond 2^53), and a byte size known before the write, which chunking and the limits depend on.
 * The few fields DynamoDB itself must see (version, status, index keys, TTL) are copied beside it.
 */

/** An item as read back, before its record is parsed. */
export interface StoredItem {
  pk: string;
  sk: string;
  data: string;
  chunks?: number;
  expiresAt?: number;
}

export interface ItemContext {
  pk: string;
  /** Epoch seconds, or undefined when the store keeps records forever. */
  expiresAt: number | undefined;
}

/** The head's item; `data` is its stored record (core's headRecord) unless a test writes a raw one. */
export function headItem(
  ref: SessionRef,
  head: Head,
  context: ItemContext,
  data: string = JSON.stringify(headRecord(head)),
): FlatItem {
  return {
    [ATTRIBUTES.pk]: context.pk,
    [ATTRIBUTES.sk]: HEAD_SK,
    [ATTRIBUTES.data]: data,
    [ATTRIBUTES.version]: head.version,
    [ATTRIBUTES.incarnation]: head.incarnation,
    [ATTRIBUTES.status]: head.status,
    [ATTRIBUTES.listPk]: ref.tenant,
    [ATTRIBUTES.listSk]: listSortKey(ref, head.updatedAt),
    // Part of the same Put as the head, so the index entry comes and goes with the head's state;
    // the key never changes while the session has work, so a step rewrites the entry in place.
    ...(hasPendingWork(head)
      ? {
          [ATTRIBUTES.pendingPk]: pendingShardKey(ref, PENDING_SHARDS),
          [ATTRIBUTES.pendingSk]: context.pk,
        }
      : {}),
    [EXPIRES_AT_ATTRIBUTE]: context.expiresAt,
  };
}

/**
 * One item per event, or several when its stored record (`json`, from core's eventRecords) does
 * not fit in one (the first says how many).
 */
export function eventItems(seq: number, json: string, context: ItemContext): FlatItem[] {
  const pieces = splitUtf8(json, chunkCapacity(context.pk, seq));
  const first: FlatItem = {
    [ATTRIBUTES.pk]: context.pk,
    [ATTRIBUTES.sk]: eventKey(seq),
    [ATTRIBUTES.data]: pieces[0]!,
    [ATTRIBUTES.chunks]: pieces.length > 1 ? pieces.length : undefined,
    [EXPIRES_AT_ATTRIBUTE]: context.expiresAt,
  };
  const rest = pieces.slice(1).map(
    (piece, index): FlatItem => ({
      [ATTRIBUTES.pk]: context.pk,
      [ATTRIBUTES.sk]: chunkKey(seq, index + 1),
      [ATTRIBUTES.data]: piece,
      [EXPIRES_AT_ATTRIBUTE]: context.expiresAt,
    }),
  );
  return [first, ...rest];
}

export function dedupeItem(record: DedupeRecord, context: ItemContext): FlatItem {
  return {
    [ATTRIBUTES.pk]: context.pk,
    [ATTRIBUTES.sk]: dedupeKey(record.dedupeKey),
    [ATTRIBUTES.data]: JSON.stringify(record),
    [EXPIRES_AT_ATTRIBUTE]: context.expiresAt,
  };
}

/**
 * Bytes of JSON one item can carry for this partition: the limit less the keys, the other
 * attributes at their largest, and a safety margin.
 */
export function chunkCapacity(pk: string, seq: number): number {
  const overhead = itemBytes({
    [ATTRIBUTES.pk]: pk,
    [ATTRIBUTES.sk]: chunkKey(seq, 999),
    [ATTRIBUTES.data]: '',
    [ATTRIBUTES.chunks]: 999,
    [EXPIRES_AT_ATTRIBUTE]: Number.MAX_SAFE_INTEGER,
  });
  return ITEM_BYTES - ITEM_SAFETY_BYTES - overhead;
}

export function toAttributes(item: FlatItem): Record<string, AttributeValue> {
  return marshall(item, { removeUndefinedValues: true });
}

export function fromAttributes(attributes: Record<string, AttributeValue>): StoredItem {
  return unmarshall(attributes) as StoredItem;
}

/**
 * Whether an item still counts. AWS removes expired items up to days after `expiresAt`, and until
 * then returns them from every read, so each read filters them out itself.
 */
export function isLive(item: { expiresAt?: number }, nowMs: number): boolean {
  return item.expiresAt === undefined || item.expiresAt * 1000 > nowMs;
}

/**
 * The head item a commit creating this session would put, as DynamoDB attributes (no TTL): for
 * bulk loads outside commits, such as the benchmark's thousands of idle sessions.
 */
export function headItemAttributes(ref: SessionRef, head: Head): Record<string, AttributeValue> {
  return toAttributes(headItem(ref, head, { pk: partitionKey(ref), expiresAt: undefined }));
}
