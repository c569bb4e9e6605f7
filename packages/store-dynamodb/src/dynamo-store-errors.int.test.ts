import { randomUUID } from 'node:crypto';
import {
  BatonError,
  ConflictError,
  DuplicateError,
  SCHEMA_VERSION,
  type SessionRef,
  StoreUnavailableError,
  ThrottledError,
} from '@baton/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoStore } from './dynamo-store.js';
import { injectFault } from './test-faults.js';
import { append, appendRequest, inputEvent } from './test-sessions.js';
import { freshTable, localClient, type TestTable, writeRawRecords } from './test-table.js';

let table: TestTable;

beforeAll(async () => {
  table = await freshTable(inject('dynamodbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
});

/** A store on a client of its own, so faults injected into it touch no other test. */
function isolatedStore(config: { maxAttempts?: number } = {}) {
  const client = localClient(inject('dynamodbEndpoint'), { maxAttempts: config.maxAttempts ?? 1 });
  return { client, store: new DynamoStore({ client, tableName: table.tableName }) };
}

function ref(): SessionRef {
  return { tenant: 'acme', sessionId: randomUUID() };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the call succeeded'),
    (error: unknown) => error,
  );
}

describe('DynamoStore commit errors', () => {
  it('maps a failed head condition to ConflictError when the version and the dedupe key both fail', async () => {
    const { store } = isolatedStore();
    const r = ref();
    const first = await append(store, r, null, ['a'], { dedupeKey: 'k' });
    await append(store, r, first, ['b']);

    const error = await failure(store.commit(appendRequest(r, first, ['c'], { dedupeKey: 'k' })));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).not.toBeInstanceOf(DuplicateError);
  });

  it('maps a failed dedupe condition to DuplicateError with the record DynamoDB returned', async () => {
    const { store } = isolatedStore();
    const r = ref();
    const head = await append(store, r, null, ['a'], { dedupeKey: 'Ev-1', at: 5_000 });
    const trips = store.stats.roundTrips;

    const error = await failure(store.commit(appendRequest(r, head, ['again'], { dedupeKey: 'Ev-1' })));
    expect(error).toBeInstanceOf(DuplicateError);
    expect((error as DuplicateError).original).toEqual({
      v: SCHEMA_VERSION,
      dedupeKey: 'Ev-1',
      result: { seq: 1 },
      at: 5_000,
    });
    // The record came back with the cancellation: no extra read.
    expect(store.stats.roundTrips - trips).toBe(1);
  });

  it('creates a session over event items whose head is gone, removing them first', async () => {
    const { store } = isolatedStore();
    const r = ref();
    // Left behind by a delete that stopped after removing the head, or by an expired head that
    // DynamoDB's TTL deleted before the session's events (they expire later, retention.ts).
    await writeRawRecords(table, { ref: r, events: [inputEvent(1, 'leftover'), inputEvent(2, 'more')] });

    const request = appendRequest(r, null, ['new']);
    await store.commit(request);
    expect(await store.load(r)).toEqual({ head: request.head, events: request.events });
    expect(await store.readEvents(r)).toEqual(request.events);
  });

  it('maps TransactionConflict to a retryable ConflictError and writes nothing', async () => {
    const { client, store } = isolatedStore();
    const r = ref();
    const head = await append(store, r, null, ['a']);
    const fault = injectFault(client, {
      command: 'TransactWriteItemsCommand',
      times: 1,
      status: 400,
      type: 'TransactionCanceledException',
      body: { CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict', Message: 'busy' }] },
    });
    const request = appendRequest(r, head, ['b']);

    const error = await failure(store.commit(request));
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).retryable).toBe(true);
    expect(fault.count).toBe(1);
    expect((await store.load(r))?.events.map((event) => event.seq)).toEqual([1]);

    // The caller's retry of the very same commit goes through once.
    await store.commit(request);
    expect((await store.load(r))?.events.map((event) => event.seq)).toEqual([1, 2]);
  });

  it('maps ProvisionedThroughputExceeded in the cancellation reasons to ThrottledError', async () => {
    const { client, store } = isolatedStore();
    injectFault(client, {
      command: 'TransactWriteItemsCommand',
      status: 400,
      type: 'TransactionCanceledException',
      body: { CancellationReasons: [{ Code: 'ProvisionedThroughputExceeded' }, { Code: 'None' }] },
    });

    const error = await failure(store.commit(appendRequest(ref(), null, ['a'])));
    expect(error).toBeInstanceOf(ThrottledError);
  });

  it('maps a throttled read to ThrottledError once the SDK has used up its attempts', async () => {
    const { client, store } = isolatedStore({ maxAttempts: 2 });
    const fault = injectFault(client, {
      command: 'GetItemCommand',
      status: 400,
      type: 'ProvisionedThroughputExceededException',
    });

    const error = await failure(store.readHead(ref()));
    expect(error).toBeInstanceOf(ThrottledError);
    expect(fault.count).toBe(2);
  });

  it('maps RequestLimitExceeded to ThrottledError', async () => {
    const { client, store } = isolatedStore();
    injectFault(client, { command: 'QueryCommand', status: 400, type: 'RequestLimitExceeded' });

    expect(await failure(store.load(ref()))).toBeInstanceOf(ThrottledError);
  });

  it('maps a 500 answer to a retryable StoreUnavailableError', async () => {
    const { client, store } = isolatedStore();
    injectFault(client, { command: 'QueryCommand', status: 500, type: 'InternalServerError' });

    const error = await failure(store.readEvents(ref()));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).retryable).toBe(true);
  });

  it('maps a refused connection to StoreUnavailableError', async () => {
    const store = new DynamoStore({
      client: {
        endpoint: 'http://127.0.0.1:1',
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      },
      tableName: table.tableName,
    });

    expect(await failure(store.commit(appendRequest(ref(), null, ['a'])))).toBeInstanceOf(
      StoreUnavailableError,
    );
    await store.close();
  });

  it('names the table and does not ask for a retry when the table does not exist', async () => {
    const store = new DynamoStore({ client: table.client, tableName: 'baton-no-such-table' });

    const error = await failure(store.readHead(ref()));
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).retryable).toBe(false);
    expect((error as Error).message).toContain('baton-no-such-table');
  });
});
