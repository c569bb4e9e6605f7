import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { EventTooLargeError, type Head, type SessionRef } from '@baton/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CorruptRecordError } from './chunks.js';
import { DynamoStore } from './dynamo-store.js';
import { chunkKey, partitionKey } from './keys.js';
import { TransactionTooLargeError } from './limits.js';
import { append, appendRequest } from './test-sessions.js';
import { freshTable, type TestTable } from './test-table.js';

let table: TestTable;

beforeAll(async () => {
  table = await freshTable(inject('dynamodbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
});

function store(options: { loadWindow?: number } = {}): DynamoStore {
  return new DynamoStore({ client: table.client, tableName: table.tableName, ...options });
}

function ref(): SessionRef {
  return { tenant: 'acme', sessionId: randomUUID() };
}

/** Text of 4-byte characters with a 1-byte shift, so item boundaries are bound to fall inside one. */
function emojiText(bytes: number): string {
  return `x${'🚀'.repeat(Math.ceil(bytes / 4))}`;
}

async function itemKeys(r: SessionRef): Promise<string[]> {
  const output = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': partitionKey(r) }),
    }),
  );
  return (output.Items ?? []).map((item) => item.sk!.S!);
}

describe('DynamoStore chunked events', () => {
  it('splits a 1 MB event into items of at most 400 KB and reads it back exactly', async () => {
    const s = store();
    const r = ref();
    const big = emojiText(1024 * 1024);
    await append(s, r, null, ['before', big, 'after']);

    const keys = await itemKeys(r);
    expect(keys.filter((key) => key.startsWith('E#0000000000000002'))).toHaveLength(3);
    const snapshot = await s.load(r);
    expect(snapshot?.events.map((event) => (event as { text: string }).text)).toEqual([
      'before',
      big,
      'after',
    ]);
    expect((await s.readEvents(r)).map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('counts a chunked event once under readEvents limits', async () => {
    const s = store();
    const r = ref();
    const big = emojiText(900 * 1024);
    await append(s, r, null, ['one', big, 'three', big, 'five']);

    const read = async (afterSeq: number, limit: number) =>
      (await s.readEvents(r, { afterSeq, limit })).map((event) => event.seq);
    expect(await read(0, 1)).toEqual([1]);
    expect(await read(0, 2)).toEqual([1, 2]);
    expect(await read(1, 1)).toEqual([2]);
    expect(await read(1, 3)).toEqual([2, 3, 4]);
    expect(await read(3, 5)).toEqual([4, 5]);
    expect((await s.readEvents(r, { afterSeq: 1, limit: 1 }))[0]).toMatchObject({ text: big });
  });

  it('loads a chunked event whole when the first page ends inside it', async () => {
    const s = store({ loadWindow: 3 });
    const r = ref();
    const big = emojiText(1024 * 1024);
    const head = await append(s, r, null, ['one', big, 'three']);

    const snapshot = await s.load(r);
    expect(snapshot?.head).toEqual(head);
    expect(snapshot?.events.map((event) => (event as { text: string }).text)).toEqual(['one', big, 'three']);
  });

  it('reports a chunk that is missing as CorruptRecordError instead of a shorter event', async () => {
    const s = store();
    const r = ref();
    await append(s, r, null, [emojiText(700 * 1024)]);
    // Lose the event's second item, as a hand edit in the console might.
    await table.client.send(
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: marshall({ pk: partitionKey(r), sk: chunkKey(1, 1) }),
      }),
    );

    await expect(s.readEvents(r)).rejects.toBeInstanceOf(CorruptRecordError);
    await expect(s.load(r)).rejects.toBeInstanceOf(CorruptRecordError);
  });
});

describe('DynamoStore transaction limits', () => {
  it('commits 99 events with the head, exactly 100 actions', async () => {
    const s = store();
    const r = ref();
    const texts = Array.from({ length: 99 }, (_, index) => `e${index + 1}`);
    await append(s, r, null, texts);

    expect((await s.readEvents(r)).map((event) => event.seq)).toEqual(texts.map((_, index) => index + 1));
  });

  it('rejects a commit of 101 actions before sending anything', async () => {
    const s = store();
    const r = ref();
    const texts = Array.from({ length: 99 }, (_, index) => `e${index + 1}`);
    const trips = s.stats.roundTrips;

    const error = await s.commit(appendRequest(r, null, texts, { dedupeKey: 'k' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionTooLargeError);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect((error as Error).message).toMatch(/101 DynamoDB transaction actions/);
    expect(s.stats.roundTrips).toBe(trips);
    expect(await s.readHead(r)).toBeNull();
  });

  it('rejects a commit over 4 MB before sending anything', async () => {
    const s = store();
    const r = ref();
    const twoMegabytes = 'y'.repeat(2 * 1024 * 1024);
    const trips = s.stats.roundTrips;

    const error = await s
      .commit(appendRequest(r, null, [twoMegabytes, twoMegabytes]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionTooLargeError);
    expect((error as Error).message).toMatch(/one DynamoDB transaction holds at most/);
    expect(s.stats.roundTrips).toBe(trips);
    expect(await s.readHead(r)).toBeNull();
  });

  it('rejects a head larger than one item before sending anything', async () => {
    const s = store();
    const r = ref();
    const patch: Partial<Head> = { toolState: { notes: 'z'.repeat(410 * 1024) } };
    const trips = s.stats.roundTrips;

    const error = await s.commit(appendRequest(r, null, ['a'], { patch })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionTooLargeError);
    expect((error as Error).message).toMatch(/the head takes \d+ bytes/);
    expect(s.stats.roundTrips).toBe(trips);
  });
});
