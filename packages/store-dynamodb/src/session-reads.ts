import { type AttributeValue, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Head, SessionEvent, SessionRef } from '@baton/core';
import {
  type DedupeRecord,
  eventNeededBefore,
  parseDedupe,
  parseEvents,
  parseHead,
  type SessionSnapshot,
} from '@baton/core/store';
import { EventAssembler, parseItemJson } from './chunks.js';
import { dedupeKey, EVENT_PREFIX, EVENTS_END, eventKey, HEAD_SK, partitionKey } from './keys.js';
import { fromAttributes, isLive, type StoredItem } from './records.js';
import type { StoreContext } from './store-context.js';
import { ATTRIBUTES } from './table.js';

const KEY_NAMES = { '#pk': ATTRIBUTES.pk, '#sk': ATTRIBUTES.sk };
const RANGE = '#pk = :pk AND #sk BETWEEN :from AND :to';

/**
 * Loads the head and the live context, usually in one round trip. The head's key ('H') sorts after
 * every event, so a descending Query from it returns the head first and then the newest events. The
 * first page is capped at `window` items: when the live context is shorter, the page already holds
 * all of it and the items past its start are dropped (at most `window` items read in vain, however
 * long the history). When it is longer, the rest is read with the exact range, now that the head
 * says where the live context starts.
 */
export async function loadSession(
  context: StoreContext,
  ref: SessionRef,
  window: number,
): Promise<SessionSnapshot | null> {
  const pk = partitionKey(ref);
  const first = await query(context, pk, EVENT_PREFIX, HEAD_SK, { forward: false, limit: window });
  const now = context.clock.now();
  const top = first.items[0];
  if (!top || top.sk !== HEAD_SK || !isLive(top, now)) return null;
  const head = parseHead(parseItemJson(top.data));

  const from = eventKey(head.contextStart);
  const live = first.items.slice(1).filter((item) => item.sk >= from);
  let cursor = first.cursor;
  let lowest = first.items.at(-1)!.sk;
  while (cursor && lowest > from && head.seq >= head.contextStart) {
    const page = await query(context, pk, from, HEAD_SK, { forward: false, cursor });
    live.push(...page.items);
    cursor = page.cursor;
    lowest = page.items.at(-1)?.sk ?? lowest;
  }
  const assembler = new EventAssembler();
  for (const item of live.reverse()) if (isLive(item, now)) assembler.push(item);
  return { head, events: await toEvents(context, ref, assembler.finish()) };
}

export async function readHead(context: StoreContext, ref: SessionRef): Promise<Head | null> {
  const item = await getItem(context, partitionKey(ref), HEAD_SK);
  return item ? parseHead(parseItemJson(item.data)) : null;
}

export async function readDedupe(
  context: StoreContext,
  ref: SessionRef,
  key: string,
): Promise<DedupeRecord | null> {
  const item = await getItem(context, partitionKey(ref), dedupeKey(key));
  if (!item) return null;
  const record = parseDedupe(parseItemJson(item.data));
  // The sort key is a hash of the dedupe key; the record itself says which key it is for.
  return record.dedupeKey === key ? record : null;
}

/** Events with seq > afterSeq in order, at most `limit`; chunks are read and joined on the way. */
export async function readEventRange(
  context: StoreContext,
  ref: SessionRef,
  afterSeq: number,
  limit: number | undefined,
): Promise<SessionEvent[]> {
  if (limit !== undefined && limit <= 0) return [];
  const pk = partitionKey(ref);
  const assembler = new EventAssembler();
  let cursor: Record<string, AttributeValue> | undefined;
  do {
    // Ask for what is still missing: the remaining events and the chunks of the one in progress.
    const want = limit === undefined ? undefined : limit - assembler.count + assembler.missingChunks;
    const page = await query(context, pk, eventKey(afterSeq + 1), EVENTS_END, {
      forward: true,
      limit: want,
      cursor,
    });
    const now = context.clock.now();
    for (const item of page.items) {
      if (isLive(item, now)) assembler.push(item);
      if (limit !== undefined && assembler.count >= limit) {
        return toEvents(context, ref, assembler.completed());
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return toEvents(context, ref, assembler.finish());
}

async function getItem(context: StoreContext, pk: string, sk: string): Promise<StoredItem | null> {
  const output = await context.call(() =>
    context.client.send(
      new GetItemCommand({
        TableName: context.tableName,
        Key: marshall({ [ATTRIBUTES.pk]: pk, [ATTRIBUTES.sk]: sk }),
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
  if (!output.Item) return null;
  context.stats.itemsRead++;
  const item = fromAttributes(output.Item);
  return isLive(item, context.clock.now()) ? item : null;
}

async function query(
  context: StoreContext,
  pk: string,
  from: string,
  to: string,
  options: {
    forward: boolean;
    limit?: number | undefined;
    cursor?: Record<string, AttributeValue> | undefined;
  },
): Promise<{ items: StoredItem[]; cursor: Record<string, AttributeValue> | undefined }> {
  const output = await context.call(() =>
    context.client.send(
      new QueryCommand({
        TableName: context.tableName,
        KeyConditionExpression: RANGE,
        ExpressionAttributeNames: KEY_NAMES,
        ExpressionAttributeValues: marshall({ ':pk': pk, ':from': from, ':to': to }),
        ScanIndexForward: options.forward,
        ConsistentRead: true,
        ReturnConsumedCapacity: 'TOTAL',
        ...(options.limit === undefined ? {} : { Limit: options.limit }),
        ...(options.cursor ? { ExclusiveStartKey: options.cursor } : {}),
      }),
    ),
  );
  const items = (output.Items ?? []).map(fromAttributes);
  context.stats.itemsRead += items.length;
  return { items, cursor: output.LastEvaluatedKey };
}

/**
 * Parses the events' JSON in seq order; when the first is a run_finished stored without the text of
 * the model response before it, that response is read too (one more request, and only for a read
 * that starts right after a model response).
 */
async function toEvents(context: StoreContext, ref: SessionRef, jsons: string[]): Promise<SessionEvent[]> {
  const records = jsons.map(parseItemJson);
  const needed = eventNeededBefore(records);
  const before = needed === null ? undefined : (await readEventRange(context, ref, needed - 1, 1))[0];
  return parseEvents(records, before);
}
