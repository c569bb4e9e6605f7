import { SCHEMA_VERSION, type SessionEvent } from '@baton/core';
import { newHead } from '@baton/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CosmosStore } from './cosmos-store.js';
import { CosmosWireFake, type WireRequest } from './testing/cosmos-wire-fake.js';
import { emulatorClientOptions, freshStore } from './testing/emulator-store.js';

let fake: CosmosWireFake;
let store: CosmosStore;

beforeAll(async () => {
  fake = await CosmosWireFake.start(emulatorClientOptions().endpoint!);
  store = await freshStore({
    clientOptions: emulatorClientOptions({
      endpoint: fake.endpoint,
      agent: undefined,
      connectionPolicy: { enableEndpointDiscovery: false },
    }),
  });
});

afterAll(async () => {
  await store.close();
  await fake.close();
});

function input(text: string, seq: number): SessionEvent {
  return { kind: 'input', text, source: 'test', v: SCHEMA_VERSION, seq, at: 1 };
}

function isQueryPlan(request: WireRequest): boolean {
  return String(request.headers['x-ms-cosmos-is-query-plan-request']).toLowerCase() === 'true';
}

/**
 * Requests on the wire and round trips counted in stats while `run` runs. The SDK sends each query
 * with a query-plan request beside it (concurrently, so no extra latency): counted apart as `plans`.
 */
async function measure(target: CosmosStore, run: () => Promise<unknown>) {
  const start = fake.requests.length;
  const roundTrips = target.stats.roundTrips;
  await run();
  const sent = fake.requests.slice(start);
  return {
    requests: sent.filter((request) => !isQueryPlan(request)).length,
    plans: sent.filter(isQueryPlan).length,
    roundTrips: target.stats.roundTrips - roundTrips,
  };
}

describe('CosmosStore round trips', () => {
  it('commits in one request and loads in one query when it wrote the head itself', async () => {
    const ref = { tenant: 'rt', sessionId: 'warm' };
    const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1), version: 1, seq: 1 };
    // The SDK's first requests also fetch account and container metadata; not counted below.
    await store.commit({ ref, expectedVersion: null, head, events: [input('one', 1)] });
    await store.load(ref);
    const next = { ...head, version: 2, seq: 2 };

    const commit = () => store.commit({ ref, expectedVersion: 1, head: next, events: [input('two', 2)] });
    expect(await measure(store, commit)).toEqual({ requests: 1, plans: 0, roundTrips: 1 });
    expect(await measure(store, () => store.load(ref))).toEqual({ requests: 1, plans: 1, roundTrips: 1 });
  });

  it('reads the head first when another instance wrote it', async () => {
    const ref = { tenant: 'rt', sessionId: 'cold' };
    const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1), version: 1, seq: 1 };
    await store.commit({ ref, expectedVersion: null, head, events: [input('one', 1)] });
    const cold = new CosmosStore({ client: store.client, ...store.names });
    const next = { ...head, version: 2, seq: 2 };
    const third = { ...next, version: 3 };

    expect(await measure(cold, () => cold.load(ref))).toEqual({ requests: 2, plans: 1, roundTrips: 2 });
    const commitCold = () => cold.commit({ ref, expectedVersion: 1, head: next, events: [] });
    expect(await measure(cold, commitCold)).toEqual({ requests: 1, plans: 0, roundTrips: 1 });
    // The first instance's ETag is stale now: it reads the head again, then commits.
    const commitStale = () => store.commit({ ref, expectedVersion: 2, head: third, events: [] });
    expect(await measure(store, commitStale)).toEqual({ requests: 2, plans: 0, roundTrips: 2 });
  });

  it('writes one request per chunk before the batch when events are split', async () => {
    const ref = { tenant: 'rt', sessionId: 'chunked' };
    const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1), version: 1, seq: 1 };
    await store.commit({ ref, expectedVersion: null, head, events: [input('one', 1)] });
    const big = input('z'.repeat(3_000_000), 2);
    const next = { ...head, version: 2, seq: 2 };
    const before = { ...store.stats };

    const commit = () => store.commit({ ref, expectedVersion: 1, head: next, events: [big] });
    expect(await measure(store, commit)).toEqual({ requests: 4, plans: 0, roundTrips: 4 });
    expect(store.stats.documentsWritten - before.documentsWritten).toBe(3 + 2);
    expect(store.stats.bytesWritten - before.bytesWritten).toBeGreaterThan(4_000_000);
    expect(store.stats.requestCharge).toBeGreaterThan(before.requestCharge);
    // Head and events document in one query, the three chunks in another.
    expect(await measure(store, () => store.load(ref))).toEqual({ requests: 2, plans: 2, roundTrips: 2 });
  });
});
