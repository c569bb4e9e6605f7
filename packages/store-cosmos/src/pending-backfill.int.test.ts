import type { CosmosClient } from '@azure/cosmos';
import {
  createBatonApp,
  defineAgent,
  defineBaton,
  type Head,
  type RunMessage,
  type SessionRef,
  silentLogger,
} from '@baton/core';
import { newHead, parseHead } from '@baton/core/store';
import { ManualClock, ScriptedModel } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CosmosStore } from './cosmos-store.js';
import { HEAD_ID, type HeadDocument, partitionKeyOf } from './documents.js';
import { backfillPendingIndex, type PendingBackfillProgress } from './pending-backfill.js';
import { freshStore } from './testing/emulator-store.js';
import { containerOf } from './testing/raw-documents.js';

const AT = Date.UTC(2026, 0, 1);

/** Sessions as an older Baton left them: every state the sweeper must tell apart. */
const FIXTURE: { id: string; pending: boolean; shape: (head: Head) => Head }[] = [
  { id: 'running-1', pending: true, shape: (head) => ({ ...head, status: 'running' }) },
  { id: 'running-2', pending: true, shape: (head) => ({ ...head, status: 'running' }) },
  {
    id: 'decided',
    pending: true,
    shape: (head) => ({ ...head, status: 'waiting_approval', seq: 4, lastInputSeq: 4, processedSeq: 3 }),
  },
  {
    id: 'awaiting',
    pending: false,
    shape: (head) => ({ ...head, status: 'waiting_approval', seq: 3, lastInputSeq: 2, processedSeq: 3 }),
  },
  { id: 'failed', pending: false, shape: (head) => ({ ...head, status: 'failed' }) },
  ...Array.from({ length: 5 }, (_, index) => ({
    id: `idle-${index}`,
    pending: false,
    shape: (head: Head) => head,
  })),
];

const keyOf = (ref: SessionRef) => `${ref.tenant}/${ref.sessionId}`;
const refOf = (prefix: string, id: string): SessionRef => ({
  tenant: id.startsWith('idle') ? 'globex' : 'acme',
  sessionId: `${prefix}-${id}`,
});
const expected = (prefix: string) =>
  FIXTURE.filter((entry) => entry.pending)
    .map((entry) => keyOf(refOf(prefix, entry.id)))
    .sort();

/** The head document as stored, Cosmos's own fields included. */
async function rawHead(store: CosmosStore, ref: SessionRef): Promise<HeadDocument & Record<string, unknown>> {
  const { resource } = await containerOf(store).item(HEAD_ID, partitionKeyOf(ref)).read();
  return resource;
}

/** Commits the fixture through the store, then takes the marker off, as heads written before the index. */
async function writeOldShape(store: CosmosStore, prefix: string): Promise<Map<string, Head>> {
  const heads = new Map<string, Head>();
  for (const entry of FIXTURE) {
    const ref = refOf(prefix, entry.id);
    const head = entry.shape({ ...newHead(ref.tenant, ref.sessionId, 'helper', AT), version: 1 });
    await store.commit({ ref, expectedVersion: null, head, events: [] });
    await removeMarker(store, ref);
    heads.set(keyOf(ref), head);
  }
  return heads;
}

async function removeMarker(store: CosmosStore, ref: SessionRef): Promise<void> {
  const { _rid, _self, _etag, _attachments, _ts, pending, ...document } = await rawHead(store, ref);
  await containerOf(store).item(HEAD_ID, partitionKeyOf(ref)).replace(document);
  // The store remembers the ETag of its own commit: let it see this write, as a fresh instance would.
  await store.readHead(ref);
}

async function pendingKeys(store: CosmosStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listPending({ limit: 3, ...(cursor ? { cursor } : {}) });
    keys.push(...page.sessions.map(keyOf));
    cursor = page.cursor;
  } while (cursor);
  return keys.filter((key) => key.includes(`/${prefix}-`)).sort();
}

/** What the app's sweep enqueues: the sessions it found stalled. */
async function sweep(store: CosmosStore, prefix: string): Promise<string[]> {
  const enqueued: RunMessage[] = [];
  const app = createBatonApp(
    defineBaton({
      agents: [defineAgent({ name: 'helper', instructions: 'Help.', model: new ScriptedModel([]) })],
      auth: 'none',
    }),
    {
      store,
      queue: { enqueue: async (message) => void enqueued.push(message) },
      logger: silentLogger,
      env: {},
    },
  );
  await app.baton.sweep({ idleForMs: 0 });
  return enqueued
    .map((message) => keyOf(message))
    .filter((key) => key.includes(`/${prefix}-`))
    .sort();
}

/** The client, with `before` run just ahead of every item replace (the backfill's write). */
function racingClient(client: CosmosClient, before: (pk: string) => Promise<void>): CosmosClient {
  const wrap = <T extends object>(target: T, override: Record<string, (...args: never[]) => unknown>): T =>
    new Proxy(target, {
      get(object, property) {
        if (typeof property === 'string' && property in override) return override[property];
        const value = Reflect.get(object, property);
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
  return wrap(client, {
    database: (id: string) =>
      wrap(client.database(id), {
        container: (name: string) => {
          const container = client.database(id).container(name);
          return wrap(container, {
            item: (itemId: string, pk: string) => {
              const item = container.item(itemId, pk);
              return wrap(item, {
                replace: async (...args: Parameters<typeof item.replace>) => {
                  await before(pk);
                  return item.replace(...args);
                },
              });
            },
          });
        },
      }),
  });
}

describe('backfillPendingIndex on the Cosmos DB API server', () => {
  let store: CosmosStore;

  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await containerOf(store).delete();
    await store.close();
  });

  it('makes exactly the pending sessions of an old container visible to the sweep, and a second run writes nothing', async () => {
    const heads = await writeOldShape(store, 'a');
    expect(await sweep(store, 'a')).toEqual([]);

    const first = await backfillPendingIndex(store.client, store.names, { pageSize: 2 });
    expect(first).toMatchObject({ pending: 3, marked: 3, movedOn: 0, unreadable: 0 });
    expect(first.resumeToken).toBeUndefined();
    expect(await pendingKeys(store, 'a')).toEqual(expected('a'));
    expect(await sweep(store, 'a')).toEqual(expected('a'));

    // Only the marker was added: the head itself is the one committed.
    for (const [key, head] of heads) {
      const stored = await rawHead(store, head);
      expect(parseHead(stored.head), key).toEqual(head);
      expect(stored.pending, key).toBe(expected('a').includes(key) ? true : undefined);
    }

    const etags = await Promise.all(
      [...heads.values()].map(async (head) => (await rawHead(store, head))._etag),
    );
    const second = await backfillPendingIndex(store.client, store.names, { pageSize: 2 });
    expect(second).toMatchObject({ pending: 0, marked: 0, movedOn: 0 });
    expect(
      await Promise.all([...heads.values()].map(async (head) => (await rawHead(store, head))._etag)),
    ).toEqual(etags);
  });

  it('leaves a head a commit moved on between its read and its write to that commit', async () => {
    const heads = await writeOldShape(store, 'b');
    const settles = heads.get('acme/b-running-1')!;
    const oldWriter = heads.get('acme/b-running-2')!;
    // Each commit lands just before the backfill's write to that head: one settles the session
    // (the sweep must not see it), one comes from a writer that predates the index (no marker).
    const racing = racingClient(store.client, async (pk) => {
      if (pk === partitionKeyOf(settles)) {
        await store.commit({
          ref: settles,
          expectedVersion: 1,
          head: { ...settles, version: 2, status: 'idle' },
          events: [],
        });
      }
      if (pk === partitionKeyOf(oldWriter)) {
        await store.commit({
          ref: oldWriter,
          expectedVersion: 1,
          head: { ...oldWriter, version: 2, runSteps: 1 },
          events: [],
        });
        await removeMarker(store, oldWriter);
      }
    });

    const progress = await backfillPendingIndex(racing, store.names);
    expect(progress).toMatchObject({ marked: 1, movedOn: 2 });
    expect((await rawHead(store, settles)).pending).toBeUndefined();
    expect(await pendingKeys(store, 'b')).toEqual(['acme/b-decided']);

    // The old writer's head is still pending: the next run marks it.
    const again = await backfillPendingIndex(store.client, store.names);
    expect(again).toMatchObject({ marked: 1, movedOn: 0 });
    expect(await pendingKeys(store, 'b')).toEqual(['acme/b-decided', 'acme/b-running-2']);
    expect(parseHead((await rawHead(store, oldWriter)).head).version).toBe(2);
  });

  it('resumes from the token of a bounded run and marks each head once', async () => {
    await writeOldShape(store, 'c');
    const seen: PendingBackfillProgress[] = [];
    const bounded = await backfillPendingIndex(store.client, store.names, {
      pageSize: 1,
      maxPages: 2,
      onPage: (progress) => seen.push(progress),
    });
    expect(bounded.pages).toBe(2);
    expect(seen.map((progress) => progress.resumeToken)).toEqual([expect.any(String), bounded.resumeToken]);
    expect(bounded.resumeToken).toEqual(expect.any(String));

    let marked = bounded.marked;
    let token = bounded.resumeToken;
    let runs = 1;
    while (token) {
      const next = await backfillPendingIndex(store.client, store.names, {
        pageSize: 1,
        maxPages: 2,
        startKey: token,
      });
      marked += next.marked;
      token = next.resumeToken;
      runs++;
    }
    expect(runs).toBeGreaterThan(1);
    expect(marked).toBe(3);
    expect(await pendingKeys(store, 'c')).toEqual(expected('c'));
  });

  it('keeps the deletion time of a head with a session TTL', async () => {
    const clock = new ManualClock(AT);
    const timed = await freshStore({ clock, ttlSeconds: 3_600 });
    try {
      const ref = { tenant: 'acme', sessionId: 'timed' };
      const head: Head = {
        ...newHead(ref.tenant, ref.sessionId, 'helper', AT),
        version: 1,
        status: 'running',
      };
      await timed.commit({ ref, expectedVersion: null, head, events: [] });
      await removeMarker(timed, ref);
      clock.advance(600_000);
      const progress = await backfillPendingIndex(timed.client, timed.names, { clock });
      expect(progress).toMatchObject({ marked: 1 });
      const stored = await rawHead(timed, ref);
      expect(stored).toMatchObject({ pending: true, ttl: 3_000, expiresAt: AT + 3_600_000 });
    } finally {
      await containerOf(timed).delete();
      await timed.close();
    }
  });
});
