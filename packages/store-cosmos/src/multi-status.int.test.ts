import {
  ConflictError,
  DuplicateError,
  SCHEMA_VERSION,
  type SessionEvent,
  type SessionRef,
  StoreUnavailableError,
  ThrottledError,
} from '@baton/core';
import { newHead } from '@baton/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchLimits } from './commit-plan.js';
import type { CosmosStore } from './cosmos-store.js';
import {
  CosmosWireFake,
  isBatch,
  isPointRead,
  multiStatus,
  throttled,
  unavailable,
} from './testing/cosmos-wire-fake.js';
import { emulatorClientOptions, freshStore } from './testing/emulator-store.js';
import { rawDocuments } from './testing/raw-documents.js';

/**
 * What the local Cosmos API server cannot show: it answers a failed batch with 200 and keeps the
 * operations before the failing one, where Cosmos answers 207, rolls back, and reports 424 for the
 * operations that were fine. A wire-level fake in front of the server answers those requests as
 * Cosmos does; everything else reaches the server, and the SDK in between is the real one.
 */

let fake: CosmosWireFake;
let store: CosmosStore;
let counter = 0;

/** A store whose client talks to the fake; throttling is not retried, so tests see it at once. */
function storeBehindFake(options: { requestTimeout?: number; batchLimits?: BatchLimits } = {}) {
  return freshStore({
    ...(options.batchLimits ? { batchLimits: options.batchLimits } : {}),
    clientOptions: emulatorClientOptions({
      endpoint: fake.endpoint,
      agent: undefined,
      connectionPolicy: {
        // The server advertises its own (https) address; stay on the fake's.
        enableEndpointDiscovery: false,
        ...(options.requestTimeout ? { requestTimeout: options.requestTimeout } : {}),
        retryOptions: {
          maxRetryAttemptCount: 0,
          fixedRetryIntervalInMilliseconds: 0,
          maxWaitTimeInSeconds: 0,
        },
      },
    }),
  });
}

beforeAll(async () => {
  fake = await CosmosWireFake.start(emulatorClientOptions().endpoint!);
  store = await storeBehindFake();
});

afterAll(async () => {
  await store.close();
  await fake.close();
});

function input(text: string, seq: number): SessionEvent {
  return { kind: 'input', text, source: 'test', v: SCHEMA_VERSION, seq, at: 1 };
}

async function created(label: string, dedupeKey?: string) {
  counter += 1;
  const ref: SessionRef = { tenant: 'wire', sessionId: `${label}/${counter}` };
  const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1), version: 1, seq: 1 };
  await store.commit({
    ref,
    expectedVersion: null,
    head,
    events: [input('first', 1)],
    ...(dedupeKey ? { dedupe: { dedupeKey, result: { reply: 'first answer' } } } : {}),
  });
  const next = { ...head, version: 2, seq: 2 };
  return { ref, head, next, append: { ref, expectedVersion: 1, head: next, events: [input('second', 2)] } };
}

describe('CosmosStore on 207 multi-status answers', () => {
  it('throws ConflictError when the head operation failed its ETag condition (412)', async () => {
    const { ref, head, append } = await created('head-412');
    fake.intercept(isBatch, multiStatus([412, 424]));

    await expect(store.commit(append)).rejects.toBeInstanceOf(ConflictError);
    expect(await store.readHead(ref)).toEqual(head);
  });

  it('throws ConflictError when creating a session whose head exists (409 on the head)', async () => {
    const { ref, head } = await created('head-409');
    fake.intercept(isBatch, multiStatus([409, 424]));

    const again = { ref, expectedVersion: null, head, events: [input('again', 1)] };
    await expect(store.commit(again)).rejects.toBeInstanceOf(ConflictError);
  });

  it('throws DuplicateError carrying the stored original when the dedupe record exists (409)', async () => {
    const { ref, append } = await created('dedupe-409', 'Ev/1?x');
    fake.intercept(isBatch, multiStatus([424, 424, 409]));

    const duplicate = { ...append, dedupe: { dedupeKey: 'Ev/1?x', result: 'second answer' } };
    const error = await store.commit(duplicate).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DuplicateError);
    expect((error as DuplicateError).original).toMatchObject({
      dedupeKey: 'Ev/1?x',
      result: { reply: 'first answer' },
    });
    expect(await store.readEvents(ref)).toEqual([input('first', 1)]);
  });

  it('throws a retryable ThrottledError when one operation of the batch was throttled (429)', async () => {
    const { append } = await created('op-429');
    fake.intercept(isBatch, multiStatus([424, 429]));

    const error = await store.commit(append).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ retryable: true });
  });

  it('deletes the chunks of a commit Cosmos refused', async () => {
    const { ref, append } = await created('chunks-refused');
    const big = { ...input('x'.repeat(2_500_000), 2) };
    fake.intercept(isBatch, multiStatus([412, 424]));

    await expect(store.commit({ ...append, events: [big] })).rejects.toBeInstanceOf(ConflictError);
    const documents = await rawDocuments(store, ref);
    expect(documents.map((document) => document.type).sort()).toEqual(['events', 'head']);
  });
});

describe('CosmosStore on failed requests', () => {
  it('throws a retryable ThrottledError when the batch request is throttled (429)', async () => {
    const { append } = await created('batch-429');
    fake.intercept(isBatch, throttled());

    await expect(store.commit(append)).rejects.toBeInstanceOf(ThrottledError);
  });

  it('throws ThrottledError when a point read is throttled (429)', async () => {
    const { ref } = await created('read-429');
    fake.intercept(isPointRead, throttled());

    await expect(store.getDedupe(ref, 'any')).rejects.toBeInstanceOf(ThrottledError);
  });

  it('throws a retryable StoreUnavailableError when Cosmos is unavailable (503)', async () => {
    const { ref } = await created('read-503');
    fake.intercept(isPointRead, unavailable());

    const error = await store.readHead(ref).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ retryable: true });
  });

  it('throws StoreUnavailableError and keeps the chunks when a commit never gets an answer', async () => {
    // A short request timeout, and chunks small enough to be written well within it.
    const impatient = await storeBehindFake({
      requestTimeout: 300,
      batchLimits: { operations: 100, batchBytes: 20_000, chunkBytes: 16_000 },
    });
    const ref = { tenant: 'wire', sessionId: 'batch-timeout' };
    const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1), version: 1, seq: 1 };
    fake.intercept(isBatch, 'hang');

    const commit = impatient.commit({
      ref,
      expectedVersion: null,
      head,
      events: [input('y'.repeat(30_000), 1)],
    });
    await expect(commit).rejects.toBeInstanceOf(StoreUnavailableError);
    // The outcome is unknown: the batch may have committed the events document that names them.
    const documents = await rawDocuments(impatient, ref);
    expect(documents.map((document) => document.type)).toEqual(['chunk', 'chunk']);
    await impatient.close();
  });
});
