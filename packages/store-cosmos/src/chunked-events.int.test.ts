import {
  EventTooLargeError,
  jsonBytes,
  PayloadTooLargeError,
  SCHEMA_VERSION,
  type SessionEvent,
  StoreUnavailableError,
} from '@baton/core';
import { newHead } from '@baton/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COSMOS_BATCH_LIMITS } from './commit-plan.js';
import type { CosmosStore } from './cosmos-store.js';
import { chunkId, partitionKeyOf } from './documents.js';
import { emulatorClient, freshStore } from './testing/emulator-store.js';
import { containerOf, rawDocuments } from './testing/raw-documents.js';

const client = emulatorClient();
let store: CosmosStore;
let counter = 0;

beforeAll(async () => {
  store = await freshStore({ client });
});

afterAll(async () => {
  await containerOf(store).delete();
  client.dispose();
});

function input(text: string, seq: number): SessionEvent {
  return { kind: 'input', text, source: 'test', v: SCHEMA_VERSION, seq, at: 1 };
}

/** A 3 MB tool result of structured rows with multi-byte text: larger than any Cosmos document. */
function largeResult(seq: number): SessionEvent {
  const rows = Array.from({ length: 20_000 }, (_, index) => ({
    index,
    name: `row-${index}-Größe-世界-🚀`,
    note: `"quoted" \\ back\tslash ${index.toString(36)}`.repeat(3),
    price: index / 8,
  }));
  return {
    kind: 'tool_result',
    callId: 'call_export',
    name: 'export',
    outcome: 'ok',
    output: { rows },
    durationMs: 12,
    v: SCHEMA_VERSION,
    seq,
    at: 1,
  };
}

async function created() {
  counter += 1;
  const ref = { tenant: 'chunks', sessionId: `s/${counter}` };
  const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1), version: 1, seq: 1 };
  await store.commit({ ref, expectedVersion: null, head, events: [input('export everything', 1)] });
  return { ref, head };
}

describe('CosmosStore chunked events', () => {
  it('round-trips a 3 MB tool result intact through chunk documents', async () => {
    const { ref, head } = await created();
    const big = largeResult(2);
    expect(jsonBytes(big)).toBeGreaterThan(3 * 1024 * 1024);
    const next = { ...head, version: 2, seq: 3 };
    const events = [big, input('thanks', 3)];

    await store.commit({ ref, expectedVersion: 1, head: next, events });

    const documents = await rawDocuments(store, ref);
    const chunks = documents.filter((document) => document.type === 'chunk');
    expect(chunks).toHaveLength(Math.ceil(jsonBytes(events) / COSMOS_BATCH_LIMITS.chunkBytes));
    // Every document stays under Cosmos's 2 MB item limit.
    for (const document of documents) expect(jsonBytes(document)).toBeLessThan(2 * 1024 * 1024);
    expect(await store.readEvents(ref, { afterSeq: 1, limit: 1 })).toEqual([big]);
    expect(await store.load(ref)).toEqual({ head: next, events: [input('export everything', 1), ...events] });
  });

  it('ignores chunks that no committed events document names', async () => {
    const { ref, head } = await created();
    // What a writer that died between its chunks and its batch leaves behind.
    await containerOf(store).items.create({
      id: chunkId(2, 'orphan', 0),
      pk: partitionKeyOf(ref),
      type: 'chunk',
      seq: 2,
      token: 'orphan',
      index: 0,
      data: Buffer.from('[{"kind":"input","text":"never committed"}]').toString('base64'),
    });
    const big = largeResult(2);
    const next = { ...head, version: 2, seq: 2 };

    await store.commit({ ref, expectedVersion: 1, head: next, events: [big] });

    expect(await store.readEvents(ref, { afterSeq: 1 })).toEqual([big]);
  });

  it('throws StoreUnavailableError instead of a partial event when a chunk is missing', async () => {
    const { ref, head } = await created();
    await store.commit({
      ref,
      expectedVersion: 1,
      head: { ...head, version: 2, seq: 2 },
      events: [largeResult(2)],
    });
    const chunk = (await rawDocuments(store, ref)).find((document) => document.type === 'chunk')!;
    await containerOf(store)
      .item(chunk.id as string, partitionKeyOf(ref))
      .delete();

    await expect(store.readEvents(ref)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('writes a commit of 250 events as one batch of three operations', async () => {
    const { ref, head } = await created();
    const events = Array.from({ length: 250 }, (_, index) => input(`event ${index}`, index + 2));
    const next = { ...head, version: 2, seq: 251 };
    const before = store.stats.roundTrips;

    await store.commit({
      ref,
      expectedVersion: 1,
      head: next,
      events,
      dedupe: { dedupeKey: 'many', result: 250 },
    });

    expect(store.stats.roundTrips - before).toBe(1);
    expect(await store.readEvents(ref, { afterSeq: 1 })).toEqual(events);
    expect(await store.readEvents(ref, { afterSeq: 200, limit: 3 })).toEqual(events.slice(199, 202));
  });

  it('refuses an event above maxEventBytes before reading or writing anything', async () => {
    const { ref, head } = await created();
    const small = await freshStore({ client, maxEventBytes: 1024 });
    const before = { ...small.stats };

    const commit = small.commit({ ref, expectedVersion: 1, head, events: [input('x'.repeat(2000), 2)] });
    await expect(commit).rejects.toBeInstanceOf(EventTooLargeError);
    expect(small.stats).toEqual(before);
    await containerOf(small).delete();
  });

  it('throws PayloadTooLargeError and writes nothing when the head is larger than a batch allows', async () => {
    const { ref, head } = await created();
    const huge = { ...head, version: 2, seq: 2, toolState: { blob: 'x'.repeat(2_000_000) } };

    await expect(
      store.commit({ ref, expectedVersion: 1, head: huge, events: [largeResult(2)] }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(await store.load(ref)).toEqual({ head, events: [input('export everything', 1)] });
    expect((await rawDocuments(store, ref)).map((document) => document.type).sort()).toEqual([
      'events',
      'head',
    ]);
  });
});
