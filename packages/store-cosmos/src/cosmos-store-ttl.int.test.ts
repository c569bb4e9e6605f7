import { ConflictError, SCHEMA_VERSION, type SessionEvent } from '@baton/core';
import { newHead } from '@baton/core/store';
import { ManualClock } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CosmosStore } from './cosmos-store.js';
import { DEFAULT_MAX_LIFETIME_SECONDS } from './retention.js';
import { emulatorClient, freshStore } from './testing/emulator-store.js';
import { containerOf, rawDocuments } from './testing/raw-documents.js';

/**
 * Cosmos deletes a document `ttl` seconds after its last write and hides it from reads once
 * expired; the local API server ignores TTL and keeps everything. The store stamps its own
 * `expiresAt` by its clock and filters on it, so these tests run on a manual clock and show both:
 * what readers see, and that the documents are still stored.
 */

const TTL_SECONDS = 3600;
const clock = new ManualClock();
const client = emulatorClient();
let store: CosmosStore;
let counter = 0;

beforeAll(async () => {
  store = await freshStore({ client, clock, ttlSeconds: TTL_SECONDS });
});

afterAll(async () => {
  await containerOf(store).delete();
  client.dispose();
});

function input(text: string, seq: number): SessionEvent {
  return { kind: 'input', text, source: 'test', v: SCHEMA_VERSION, seq, at: clock.now() };
}

async function created(text = 'hello') {
  counter += 1;
  const ref = { tenant: 'ttl', sessionId: `session/${counter}` };
  const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', clock.now()), version: 1, seq: 1 };
  await store.commit({
    ref,
    expectedVersion: null,
    head,
    events: [input(text, 1)],
    dedupe: { dedupeKey: 'k', result: text },
  });
  return { ref, head };
}

describe('CosmosStore TTL', () => {
  it('creates the container with defaultTtl -1 so per-document ttl is honoured', async () => {
    const { resource } = await containerOf(store).read();

    expect(resource?.defaultTtl).toBe(-1);
    expect(resource?.partitionKey?.paths).toEqual(['/pk']);
  });

  it('stamps the head and dedupe record with the session TTL, events with TTL + lifetime', async () => {
    const { ref } = await created();

    const documents = await rawDocuments(store, ref);
    expect(documents.map((document) => document.type).sort()).toEqual(['dedupe', 'events', 'head']);
    const expiry = { ttl: TTL_SECONDS, expiresAt: clock.now() + TTL_SECONDS * 1000 };
    const later = TTL_SECONDS + DEFAULT_MAX_LIFETIME_SECONDS;
    const byType = Object.fromEntries(documents.map((document) => [document.type, document]));
    expect(byType.head).toMatchObject(expiry);
    expect(byType.dedupe).toMatchObject(expiry);
    expect(byType.events).toMatchObject({ ttl: later, expiresAt: clock.now() + later * 1000 });
  });

  it('hides a session from every read once its TTL passed, though the emulator still stores it', async () => {
    const { ref, head } = await created();
    clock.advance(TTL_SECONDS * 1000 - 1);
    expect(await store.readHead(ref)).toEqual(head);

    clock.advance(1);
    expect(await store.load(ref)).toBeNull();
    expect(await store.readHead(ref)).toBeNull();
    expect(await store.readEvents(ref)).toEqual([]);
    expect(await store.getDedupe(ref, 'k')).toBeNull();
    expect((await store.list({ tenant: 'ttl' })).sessions.map((listed) => listed.sessionId)).not.toContain(
      ref.sessionId,
    );
    expect(await rawDocuments(store, ref)).toHaveLength(3);
  });

  it('refuses a commit on an expired head with ConflictError, as on a missing one', async () => {
    const { ref, head } = await created();
    clock.advance(TTL_SECONDS * 1000);

    const next = { ...head, version: 2, seq: 2 };
    await expect(
      store.commit({ ref, expectedVersion: 1, head: next, events: [input('late', 2)] }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('starts an expired session afresh over the documents Cosmos has not deleted yet', async () => {
    const { ref } = await created('old');
    clock.advance(TTL_SECONDS * 1000);

    const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', clock.now()), version: 1, seq: 1 };
    await store.commit({
      ref,
      expectedVersion: null,
      head,
      events: [input('new', 1)],
      dedupe: { dedupeKey: 'k', result: 'new' },
    });

    expect(await store.load(ref)).toEqual({ head, events: [input('new', 1)] });
    expect(await store.getDedupe(ref, 'k')).toMatchObject({ result: 'new' });
  });

  it('keeps an event older than the TTL while the session goes on (issue 15, defect 7)', async () => {
    const { ref, head } = await created('early');
    clock.advance(TTL_SECONDS * 500);
    const late = input('late', 2);
    const next = { ...head, version: 2, seq: 2, updatedAt: clock.now() };
    await store.commit({ ref, expectedVersion: 1, head: next, events: [late] });
    clock.advance(TTL_SECONDS * 500);

    // The head was written again, so the session lives, and so does every event of it.
    const early = { ...input('early', 1), at: head.updatedAt };
    expect(await store.load(ref)).toEqual({ head: next, events: [early, late] });
    expect(await store.readEvents(ref)).toEqual([early, late]);
  });
});
