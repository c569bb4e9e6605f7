import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ConflictError, type SessionRef } from '@baton/core';
import { ManualClock } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoStore } from './dynamo-store.js';
import { HEAD_SK, partitionKey } from './keys.js';
import { EXPIRES_AT_ATTRIBUTE } from './table.js';
import { append, appendRequest } from './test-sessions.js';
import { freshTable, type TestTable } from './test-table.js';

const TTL_SECONDS = 3600;

// The table has TTL switched off, so the emulator keeps expired items the way AWS does for days.
let table: TestTable;

beforeAll(async () => {
  table = await freshTable(inject('dynamodbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
});

function setup({ ttlSeconds }: { ttlSeconds: number | undefined } = { ttlSeconds: TTL_SECONDS }) {
  const clock = new ManualClock();
  const store = new DynamoStore({
    client: table.client,
    tableName: table.tableName,
    clock,
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
  });
  return { clock, store };
}

function ref(tenant = 'acme'): SessionRef {
  return { tenant, sessionId: randomUUID() };
}

async function rawHead(r: SessionRef): Promise<Record<string, unknown> | undefined> {
  const output = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: marshall({ pk: partitionKey(r), sk: HEAD_SK }) }),
  );
  return output.Item ? unmarshall(output.Item) : undefined;
}

describe('DynamoStore TTL', () => {
  it('stamps items with expiresAt in epoch seconds when ttlSeconds is set', async () => {
    const { clock, store } = setup();
    const r = ref();
    await append(store, r, null, ['a'], { at: clock.now() });

    expect((await rawHead(r))?.[EXPIRES_AT_ATTRIBUTE]).toBe(Math.floor(clock.now() / 1000) + TTL_SECONDS);
  });

  it('writes no expiresAt when ttlSeconds is not set', async () => {
    const { clock, store } = setup({ ttlSeconds: undefined });
    const r = ref();
    await append(store, r, null, ['a'], { at: clock.now() });

    expect(await rawHead(r)).not.toHaveProperty(EXPIRES_AT_ATTRIBUTE);
  });

  it('hides a session from every read once its TTL has passed, though the items are still stored', async () => {
    const { clock, store } = setup();
    const tenant = `t-${randomUUID()}`;
    const r = ref(tenant);
    await append(store, r, null, ['a', 'b'], { at: clock.now(), dedupeKey: 'k' });

    clock.advance(TTL_SECONDS * 1000 - 1);
    expect((await store.load(r))?.events).toHaveLength(2);
    expect((await store.list({ tenant })).sessions).toHaveLength(1);

    clock.advance(1);
    expect(await rawHead(r)).toBeDefined();
    expect(await store.load(r)).toBeNull();
    expect(await store.readHead(r)).toBeNull();
    expect(await store.readEvents(r)).toEqual([]);
    expect(await store.getDedupe(r, 'k')).toBeNull();
    expect((await store.list({ tenant })).sessions).toEqual([]);
  });

  it('refuses a commit on an expired head with ConflictError, as on a missing one', async () => {
    const { clock, store } = setup();
    const r = ref();
    const head = await append(store, r, null, ['a'], { at: clock.now() });
    clock.advance(TTL_SECONDS * 1000);

    await expect(store.commit(appendRequest(r, head, ['b'], { at: clock.now() }))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('starts an expired session afresh over the items AWS has not deleted yet', async () => {
    const { clock, store } = setup();
    const r = ref();
    await append(store, r, null, ['old 1', 'old 2', 'old 3'], { at: clock.now(), dedupeKey: 'k' });
    clock.advance(TTL_SECONDS * 1000);

    const head = await append(store, r, null, ['new 1'], { at: clock.now(), dedupeKey: 'k' });
    const snapshot = await store.load(r);
    expect(snapshot).toEqual({ head, events: [expect.objectContaining({ seq: 1, text: 'new 1' })] });
    expect(await store.readEvents(r)).toHaveLength(1);
    expect(await store.getDedupe(r, 'k')).toMatchObject({ at: clock.now() });
  });

  it('keeps an event older than the TTL while the session goes on (issue 15, defect 7)', async () => {
    const { clock, store } = setup();
    const r = ref();
    const first = await append(store, r, null, ['early'], { at: clock.now() });
    clock.advance(TTL_SECONDS * 500);
    await append(store, r, first, ['late'], { at: clock.now() });
    clock.advance(TTL_SECONDS * 500);

    expect((await store.load(r))?.events.map((event) => event.seq)).toEqual([1, 2]);
    expect((await store.readEvents(r)).map((event) => event.seq)).toEqual([1, 2]);
  });
});
