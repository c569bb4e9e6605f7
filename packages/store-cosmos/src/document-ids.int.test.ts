import { SCHEMA_VERSION, type SessionRef } from '@baton/core';
import { newHead } from '@baton/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CosmosStore } from './cosmos-store.js';
import { isSafeId } from './documents.js';
import { emulatorClient, freshStore } from './testing/emulator-store.js';
import { containerOf, rawDocuments } from './testing/raw-documents.js';

const client = emulatorClient();
let store: CosmosStore;

beforeAll(async () => {
  store = await freshStore({ client });
});

afterAll(async () => {
  await containerOf(store).delete();
  client.dispose();
});

// Slack-derived keys and worse: every character Cosmos forbids in ids, and keys too long for one.
const SESSION_IDS = [
  'T024/C123/1700000000.000100',
  'back\\slash',
  'hash#tag',
  'what?now',
  `long/${'é'.repeat(250)}`,
];
const DEDUPE_KEYS = ['Ev/01', 'a\\b', '#1?x', `k/${'🚀'.repeat(120)}`];

async function commitOdd(ref: SessionRef) {
  const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1), version: 1, seq: 1 };
  const events = [
    { kind: 'input' as const, text: ref.sessionId, source: 'slack', v: SCHEMA_VERSION, seq: 1, at: 1 },
  ];
  await store.commit({
    ref,
    expectedVersion: null,
    head,
    events,
    dedupe: { dedupeKey: DEDUPE_KEYS[0]!, result: 0 },
  });
  for (const [index, dedupeKey] of DEDUPE_KEYS.slice(1).entries()) {
    const previous = { ...head, version: index + 1 };
    await store.commit({
      ref,
      expectedVersion: previous.version,
      head: { ...previous, version: index + 2 },
      events: [],
      dedupe: { dedupeKey, result: index + 1 },
    });
  }
}

describe('CosmosStore document ids', () => {
  it('stores every document under an id Cosmos accepts when keys contain "/", "\\\\", "#" or "?"', async () => {
    for (const sessionId of SESSION_IDS) {
      const ref = { tenant: 'ids', sessionId };
      await commitOdd(ref);

      const documents = await rawDocuments(store, ref);
      expect(documents).toHaveLength(2 + DEDUPE_KEYS.length);
      for (const document of documents) expect(isSafeId(document.id as string)).toBe(true);
      for (const [index, dedupeKey] of DEDUPE_KEYS.entries()) {
        expect(await store.getDedupe(ref, dedupeKey)).toMatchObject({ dedupeKey, result: index });
      }
      expect((await store.readEvents(ref))[0]).toMatchObject({ text: sessionId });
    }
  });

  it('reads the head back when its partition key holds quotes, slashes, "#" and "?"', async () => {
    const ref = { tenant: 'ids', sessionId: 'x/y\\z#?"\'' };
    await commitOdd(ref);

    expect(await store.readHead(ref)).toMatchObject({
      sessionId: ref.sessionId,
      version: DEDUPE_KEYS.length,
    });
  });
});
