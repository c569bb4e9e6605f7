import type { Clock, SessionRef } from '@baton/core';
import { fitLiveSnapshot, type LiveSnapshot, type LiveStore, parseLiveSnapshot } from '@baton/core/store';
import type { CosmosGateway } from './cosmos-gateway.js';
import { isExpired, LIVE_ID, LIVE_WATCH_ID, type LiveDocument, partitionKeyOf } from './documents.js';

/** A stored document's JSON, or null (which parseLiveSnapshot reports as a corrupt record). */
function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

/**
 * Live snapshots as one document per session, in the session's own partition under LIVE_ID: a
 * write is one upsert (no ETag: the last writer wins), a read one point read, a clear one delete.
 * The document's `ttl` is the snapshot's remaining life, so Cosmos removes what a crashed run left
 * (the container's defaultTtl -1 honours it); reads go by `expiresAt` and the store's clock, since
 * Cosmos deletes late and the emulator never. A session's delete takes it with the partition.
 * The watch is a second such document (LIVE_WATCH_ID), so snapshot upserts never replace it.
 */
export class CosmosLive implements LiveStore {
  constructor(
    private readonly gateway: CosmosGateway,
    private readonly clock: Clock,
  ) {}

  /** One upsert. A snapshot over LIVE_SNAPSHOT_MAX_BYTES is stored cut to fit (fitLiveSnapshot). */
  async write(ref: SessionRef, snapshot: LiveSnapshot): Promise<void> {
    const stored = fitLiveSnapshot(snapshot);
    const document: LiveDocument = {
      id: LIVE_ID,
      pk: partitionKeyOf(ref),
      type: 'live',
      data: JSON.stringify(stored),
      // Cosmos needs a positive whole number of seconds; never shorter than the snapshot's life.
      ttl: Math.max(1, Math.ceil((stored.expiresAt - this.clock.now()) / 1000)),
      expiresAt: stored.expiresAt,
    };
    await this.gateway.upsert(document, 'write a live snapshot');
  }

  /** One point read; null when absent or past its `expiresAt` by the store's clock. */
  async read(ref: SessionRef): Promise<LiveSnapshot | null> {
    const document = await this.gateway.read<LiveDocument>(
      LIVE_ID,
      partitionKeyOf(ref),
      'read a live snapshot',
    );
    if (!document || isExpired(document, this.clock.now())) return null;
    const snapshot = parseLiveSnapshot(parseData(document.data));
    return snapshot.expiresAt > this.clock.now() ? snapshot : null;
  }

  /** One delete; a missing document is fine. */
  async clear(ref: SessionRef): Promise<void> {
    await this.gateway.remove(LIVE_ID, partitionKeyOf(ref), 'clear a live snapshot');
  }

  /** One upsert of the watch document; its `ttl` ends with the watch. */
  async watch(ref: SessionRef, until: number): Promise<void> {
    const document: LiveDocument = {
      id: LIVE_WATCH_ID,
      pk: partitionKeyOf(ref),
      type: 'live',
      data: String(until),
      ttl: Math.max(1, Math.ceil((until - this.clock.now()) / 1000)),
      expiresAt: until,
    };
    await this.gateway.upsert(document, 'watch a live session');
  }

  /** One point read; null when absent or passed by the store's clock. */
  async watchedUntil(ref: SessionRef): Promise<number | null> {
    const document = await this.gateway.read<LiveDocument>(
      LIVE_WATCH_ID,
      partitionKeyOf(ref),
      'read a live watch',
    );
    const until = document ? Number(document.data) : Number.NaN;
    return Number.isFinite(until) && until > this.clock.now() ? until : null;
  }
}
