import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isRetryable, type SessionRef, ValidationError } from '@baton/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CorruptRecordError } from './chunks.js';
import { DynamoStore } from './dynamo-store.js';
import { HEAD_SK, partitionKey } from './keys.js';
import { append } from './test-sessions.js';
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

function ref(tenant = 'acme'): SessionRef {
  return { tenant, sessionId: randomUUID() };
}

function texts(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `event ${index + 1}`);
}

describe('DynamoStore reads', () => {
  it('loads the head and the live context in one round trip when the context fits the window', async () => {
    const s = store();
    const r = ref();
    let head = await append(s, r, null, ['a', 'b']);
    head = await append(s, r, head, ['c']);
    const before = s.stats.roundTrips;

    const snapshot = await s.load(r);
    expect(s.stats.roundTrips - before).toBe(1);
    expect(snapshot?.head).toEqual(head);
    expect(snapshot?.events.map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('drops the events before contextStart that the first page read', async () => {
    const s = store({ loadWindow: 8 });
    const r = ref();
    let head = await append(s, r, null, texts(6));
    head = await append(s, r, head, ['7', '8'], { patch: { contextStart: 5 } });
    const before = { trips: s.stats.roundTrips, items: s.stats.itemsRead };

    expect((await s.load(r))?.events.map((event) => event.seq)).toEqual([5, 6, 7, 8]);
    expect(s.stats.roundTrips - before.trips).toBe(1);
    // The head and events 8..2: the window, not the history, bounds what a load reads in vain.
    expect(s.stats.itemsRead - before.items).toBe(8);
  });

  it('reads the rest of a long live context with the exact range when the window is too small', async () => {
    const s = store({ loadWindow: 3 });
    const r = ref();
    const head = await append(s, r, null, texts(30), { patch: { contextStart: 4 } });
    const before = { trips: s.stats.roundTrips, items: s.stats.itemsRead };

    const snapshot = await s.load(r);
    expect(snapshot?.head).toEqual(head);
    expect(snapshot?.events.map((event) => event.seq)).toEqual(texts(27).map((_, index) => index + 4));
    expect(s.stats.roundTrips - before.trips).toBe(2);
    // The head and events 30..4: nothing before the live context was read.
    expect(s.stats.itemsRead - before.items).toBe(28);
  });

  it('loads a head whose live context is empty when the summary is the last event', async () => {
    const s = store({ loadWindow: 2 });
    const r = ref();
    const head = await append(s, r, null, texts(5), { patch: { contextStart: 6 } });

    expect(await s.load(r)).toEqual({ head, events: [] });
  });

  it('reads the head and a dedupe record with one GetItem each', async () => {
    const s = store();
    const r = ref();
    await append(s, r, null, ['a'], { dedupeKey: 'x'.repeat(2000) });
    const before = s.stats.roundTrips;

    expect(await s.readHead(r)).toMatchObject({ seq: 1 });
    // Longer than a sort key may be: the key is stored hashed, the record keeps it whole.
    expect(await s.getDedupe(r, 'x'.repeat(2000))).toMatchObject({ dedupeKey: 'x'.repeat(2000) });
    expect(s.stats.roundTrips - before).toBe(2);
  });

  it('deletes sessions of more items than one batch holds', async () => {
    const s = store();
    const r = ref();
    await append(s, r, null, texts(60), { dedupeKey: 'k' });

    await s.delete(r);
    expect(await s.load(r)).toBeNull();
    expect(await s.readEvents(r)).toEqual([]);
    expect(await s.getDedupe(r, 'k')).toBeNull();
  });

  it('counts the items and bytes a commit writes', async () => {
    const s = store();
    await append(s, ref(), null, ['a', 'b'], { dedupeKey: 'k' });

    expect(s.stats).toMatchObject({ commits: 1, itemsWritten: 4, writeUnits: 8 });
    expect(s.stats.bytesWritten).toBeGreaterThan(0);
  });
});

describe('DynamoStore list', () => {
  it('lists a tenant newest update first', async () => {
    const s = store();
    const tenant = `t-${randomUUID()}`;
    const refs = [ref(tenant), ref(tenant), ref(tenant)];
    for (const [index, r] of refs.entries()) await append(s, r, null, ['a'], { at: 1_000 + index });

    const page = await s.list({ tenant });
    expect(page.sessions.map((head) => head.sessionId)).toEqual(refs.map((r) => r.sessionId).reverse());
  });

  it('rejects a cursor it did not hand out with ValidationError', async () => {
    const s = store();

    await expect(s.list({ tenant: 'acme', cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects a cursor of another tenant with ValidationError', async () => {
    const s = store();
    const tenant = `t-${randomUUID()}`;
    await append(s, ref(tenant), null, ['a']);
    await append(s, ref(tenant), null, ['a']);
    const { cursor } = await s.list({ tenant, limit: 1 });

    expect(cursor).toBeDefined();
    await expect(s.list({ tenant: 'other', cursor: cursor! })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('DynamoStore construction', () => {
  it('takes the table name from BATON_TABLE when none is given', async () => {
    const previous = process.env.BATON_TABLE;
    process.env.BATON_TABLE = table.tableName;
    try {
      expect(new DynamoStore({ client: table.client }).tableName).toBe(table.tableName);
    } finally {
      if (previous === undefined) delete process.env.BATON_TABLE;
      else process.env.BATON_TABLE = previous;
    }
  });

  it('refuses to start without a table name', () => {
    const previous = process.env.BATON_TABLE;
    delete process.env.BATON_TABLE;
    try {
      expect(() => new DynamoStore({ client: table.client })).toThrow(/BATON_TABLE/);
    } finally {
      if (previous !== undefined) process.env.BATON_TABLE = previous;
    }
  });

  it('builds its own client from a config and reads through it', async () => {
    const s = new DynamoStore({
      client: {
        endpoint: inject('dynamodbEndpoint'),
        region: 'us-east-1',
        credentials: { accessKeyId: 'other', secretAccessKey: 'other' },
      },
      tableName: table.tableName,
    });
    const r = ref();
    await append(s, r, null, ['a']);

    expect((await store().load(r))?.events).toHaveLength(1);
    await s.close();
  });

  // Found by the reliability suite (issue 7): an item edited behind the store's back failed with a
  // bare SyntaxError, which HTTP answered as "internal" and queue adapters retried as if transient.
  it('throws CorruptRecordError a retry cannot fix when a stored head is not JSON', async () => {
    const s = store();
    const r = ref();
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: partitionKey(r) },
          sk: { S: HEAD_SK },
          data: { S: '{"v":2,"tenant":' },
          version: { N: '1' },
        },
      }),
    );

    for (const read of [s.readHead(r), s.load(r)]) {
      const error = await read.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(CorruptRecordError);
      expect(isRetryable(error)).toBe(false);
    }
  });
});
