import { type ApiKeyRecord, jsonBytes, refKey } from '@baton/core';
import { type LiveSnapshot, type LiveStore, MemoryStore } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { countingStore } from './counting-store.js';
import { faultyStore } from './faults/store-faults.js';

const key: ApiKeyRecord = {
  keyId: 'abcdefghijklmnop',
  tenant: 'acme',
  scopes: ['read'],
  secretHash: 'e'.repeat(64),
  createdAt: 1,
};

/** A MemoryStore with a LiveStore of a plain map, whatever MemoryStore's own does. */
function withLive(): MemoryStore {
  const stored = new Map<string, LiveSnapshot>();
  const watches = new Map<string, number>();
  const live: LiveStore = {
    write: async (ref, snapshot) => void stored.set(refKey(ref), snapshot),
    read: async (ref) => stored.get(refKey(ref)) ?? null,
    clear: async (ref) => void stored.delete(refKey(ref)),
    watch: async (ref, until) => void watches.set(refKey(ref), until),
    watchedUntil: async (ref) => watches.get(refKey(ref)) ?? null,
  };
  return Object.assign(new MemoryStore(), { live });
}

describe('countingStore', () => {
  it('forwards apiKeys and counts each key call like the session calls', async () => {
    const { store, counts } = countingStore(new MemoryStore());

    await store.apiKeys!.createApiKey(key);
    await store.apiKeys!.getApiKey(key.keyId);
    await store.apiKeys!.listApiKeys({ tenant: 'acme' });
    const revoked = await store.apiKeys!.revokeApiKey(key.keyId, 2);
    await store.apiKeys!.revokeApiKey('unknown', 2);

    expect(revoked).toEqual({ ...key, revokedAt: 2 });
    expect(counts).toMatchObject({
      writes: 3,
      reads: 2,
      records: 2,
      bytes: jsonBytes(key) + jsonBytes(revoked),
    });
  });

  it('forwards live and counts its calls apart from commits and reads', async () => {
    const { store, counts, reset } = countingStore(withLive());
    const ref = { tenant: 'acme', sessionId: 's1' };
    const snapshot = { afterSeq: 1, runId: 'r', text: 'Hel', toolCalls: [], updatedAt: 1, expiresAt: 2 };

    await store.live!.write(ref, snapshot);
    expect(await store.live!.read(ref)).toEqual(snapshot);
    await store.live!.clear(ref);
    expect(await store.live!.read(ref)).toBeNull();
    await store.live!.watch!(ref, 5);
    expect(await store.live!.watchedUntil!(ref)).toBe(5);

    expect(reset()).toEqual({
      ...{ writes: 0, reads: 0, records: 0, bytes: 0 },
      ...{ liveWrites: 2, liveReads: 2, liveBytes: jsonBytes(snapshot), watchWrites: 1, watchReads: 1 },
    });
    expect(counts.liveWrites).toBe(0);
  });

  it('has no apiKeys when the wrapped store has none', () => {
    const inner = new MemoryStore();
    const { apiKeys: _, ...bare } = inner;
    const withoutKeys = Object.assign(Object.create(MemoryStore.prototype), bare) as MemoryStore;
    expect(countingStore(withoutKeys).store.apiKeys).toBeUndefined();
  });
});

describe('faultyStore', () => {
  it('forwards live and fails its calls only when the plan names them', async () => {
    const inner = withLive();
    const ref = { tenant: 'acme', sessionId: 's1' };
    const snapshot = {
      afterSeq: 1,
      runId: 'r',
      text: 'Hel',
      toolCalls: [],
      updatedAt: 1,
      expiresAt: Date.now() + 60_000,
    };
    const quiet = faultyStore(inner, { rate: 1 }).store;
    await quiet.live!.write(ref, snapshot);
    expect(await quiet.live!.read(ref)).toEqual(snapshot);

    const { store } = faultyStore(inner, { rate: 1, operations: ['liveRead'] });
    await expect(store.live!.read(ref)).rejects.toMatchObject({ retryable: true });
  });

  it('fails key calls only when the plan names them', async () => {
    const inner = new MemoryStore();
    const quiet = faultyStore(inner, { rate: 1 }).store;
    await quiet.apiKeys!.createApiKey(key);
    expect(await quiet.apiKeys!.getApiKey(key.keyId)).toEqual(key);

    const { store } = faultyStore(inner, { rate: 1, operations: ['getApiKey'] });
    await expect(store.apiKeys!.getApiKey(key.keyId)).rejects.toMatchObject({ retryable: true });
  });
});
