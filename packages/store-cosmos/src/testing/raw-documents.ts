import type { Container } from '@azure/cosmos';
import type { SessionRef } from '@baton/core';
import type { CosmosStore } from '../cosmos-store.js';
import { eventsId, HEAD_ID, partitionKeyOf } from '../documents.js';

/** The store's container, for tests that look at or plant documents behind the store's back. */
export function containerOf(store: CosmosStore): Container {
  return store.client.database(store.names.database).container(store.names.container);
}

/** Every document of one session as stored, Cosmos's own fields included. */
export async function rawDocuments(store: CosmosStore, ref: SessionRef): Promise<Record<string, unknown>[]> {
  const { resources } = await containerOf(store)
    .items.query<Record<string, unknown>>(
      {
        query: 'SELECT * FROM c WHERE c.pk = @pk',
        parameters: [{ name: '@pk', value: partitionKeyOf(ref) }],
      },
      { partitionKey: partitionKeyOf(ref) },
    )
    .fetchAll();
  return resources;
}

/**
 * Writes a head and events exactly as given, in the store's document layout, without validation:
 * records of an older (or newer) schema, as a store of that version would have left them.
 */
export async function writeRawSession(
  store: CosmosStore,
  fixture: { ref: SessionRef; head: unknown; events: unknown[] },
): Promise<void> {
  const container = containerOf(store);
  const pk = partitionKeyOf(fixture.ref);
  const head = fixture.head as { status?: string; updatedAt?: number };
  await container.items.create({
    id: HEAD_ID,
    pk,
    type: 'head',
    tenant: fixture.ref.tenant,
    sessionId: fixture.ref.sessionId,
    status: head.status,
    updatedAt: head.updatedAt,
    head: fixture.head,
  });
  if (fixture.events.length === 0) return;
  const seqs = fixture.events.map((event) => (event as { seq: number }).seq);
  await container.items.create({
    id: eventsId(Math.min(...seqs)),
    pk,
    type: 'events',
    seq: Math.min(...seqs),
    last: Math.max(...seqs),
    events: fixture.events,
  });
}

/**
 * Does what Cosmos's TTL does, at once: deletes every document whose `expiresAt` (epoch ms, the
 * store's own stamp that matches its `ttl`) is not after `now`. The local API server never deletes
 * anything, and Cosmos does so in the background in no order, so what is left must be consistent.
 */
export async function expireDocuments(store: CosmosStore, now: number): Promise<number> {
  const container = containerOf(store);
  const { resources } = await container.items
    .query<{ id: string; pk: string }>({
      query: 'SELECT c.id, c.pk FROM c WHERE IS_NUMBER(c.expiresAt) AND c.expiresAt <= @now',
      parameters: [{ name: '@now', value: now }],
    })
    .fetchAll();
  for (const document of resources) await container.item(document.id, document.pk).delete();
  return resources.length;
}
