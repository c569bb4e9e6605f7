import { randomUUID } from 'node:crypto';
import { CorruptRecordError, type SessionRef } from '@baton/core';
import type { LiveSnapshot } from '@baton/core/store';
import { ManualClock } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CosmosStore } from './cosmos-store.js';
import { LIVE_ID, partitionKeyOf } from './documents.js';
import { freshStore } from './testing/emulator-store.js';
import { containerOf, expireDocuments, rawDocuments } from './testing/raw-documents.js';

const clock = new ManualClock(Date.now());
let store: CosmosStore;
beforeAll(async () => {
  store = await freshStore({ clock });
});
afterAll(async () => {
  await containerOf(store).delete();
  await store.close();
});

const ref = (): SessionRef => ({ tenant: 'acme', sessionId: `chat/${randomUUID()}` });
const snapshot = (text: string): LiveSnapshot => ({
  afterSeq: 3,
  runId: 'run-1',
  text,
  toolCalls: [],
  updatedAt: clock.now(),
  expiresAt: clock.now() + 60_500,
});

describe('CosmosStore.live', () => {
  it('upserts one document in the session partition, its JSON in the unindexed data path, ttl from its expiry', async () => {
    const r = ref();
    await store.live.write(r, snapshot('Hel'));
    const written = snapshot('Hello');
    await store.live.write(r, written);
    const documents = await rawDocuments(store, r);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({
      id: LIVE_ID,
      pk: partitionKeyOf(r),
      type: 'live',
      ttl: 61,
      expiresAt: written.expiresAt,
    });
    expect(JSON.parse(documents[0]!.data as string)).toEqual(written);

    // What Cosmos's TTL deletes by the snapshot's expiry (the emulator never does it itself).
    await expireDocuments(store, written.expiresAt - 1);
    expect(await store.live.read(r)).toEqual(written);
    await expireDocuments(store, written.expiresAt);
    expect(await rawDocuments(store, r)).toEqual([]);
    expect(await store.live.read(r)).toBeNull();
  });

  it('costs one round trip per write, read and clear, a missing document included', async () => {
    const r = ref();
    const before = store.stats.roundTrips;
    await store.live.write(r, snapshot('x'));
    await store.live.read(r);
    await store.live.clear(r);
    await store.live.clear(r);
    expect(await store.live.read(r)).toBeNull();
    expect(store.stats.roundTrips - before).toBe(5);
  });

  it('fails with CorruptRecordError on a damaged document', async () => {
    const r = ref();
    await containerOf(store).items.upsert({
      id: LIVE_ID,
      pk: partitionKeyOf(r),
      type: 'live',
      data: '{"text":',
    });
    await expect(store.live.read(r)).rejects.toBeInstanceOf(CorruptRecordError);
  });
});
