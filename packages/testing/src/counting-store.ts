import {
  type ApiKeyRecord,
  type ApiKeyStore,
  jsonBytes,
  type SessionRef,
  type SessionStore,
} from '@baton/core';
import { type CommitRequest, commitRecords, type LiveStore } from '@baton/core/store';

export interface StoreCounts {
  /** Calls that write (commit; createApiKey and revokeApiKey). */
  writes: number;
  /** Calls that read (load, readHead, readEvents, getDedupe, list, listPending; getApiKey and listApiKeys). */
  reads: number;
  /** Records written: the head, each event, each dedupe record, each key created or revoked. */
  records: number;
  /**
   * JSON bytes of every record written, in the form every store writes it (core's headRecord and
   * eventRecord): the store-independent measure of what a step costs.
   */
  bytes: number;
  /**
   * Live snapshot writes (`live.write`; `live.clear` too, a delete), apart from `writes`: they
   * are no commit and no step's durability, and a streamed turn makes as many as it publishes.
   */
  liveWrites: number;
  /** Live snapshot reads (`live.read`), apart from `reads`: a streaming client polls them. */
  liveReads: number;
  /** JSON bytes of the snapshots given to `live.write`. */
  liveBytes: number;
  /** Watches written (`live.watch`): a follower outside the runner's process renews one every 5 s. */
  watchWrites: number;
  /** Watch reads (`live.watchedUntil`): an unwatched streamed call reads it about once a second. */
  watchReads: number;
}

const zero: StoreCounts = {
  ...{ writes: 0, reads: 0, records: 0, bytes: 0 },
  ...{ liveWrites: 0, liveReads: 0, liveBytes: 0, watchWrites: 0, watchReads: 0 },
};

/**
 * Wraps any store and counts what passes through the contract, so tests can assert the design's
 * promises (O(1) writes and bytes per step) and benchmarks can print them for every backend alike.
 */
export function countingStore<S extends SessionStore>(
  store: S,
): { store: SessionStore; counts: StoreCounts; reset(): StoreCounts } {
  const counts: StoreCounts = { ...zero };
  const read =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      counts.reads++;
      return fn(...args);
    };
  const write = (record: ApiKeyRecord | null) => {
    counts.writes++;
    if (!record) return;
    counts.records++;
    counts.bytes += jsonBytes(record);
  };
  const countingKeys = (keys: ApiKeyStore): ApiKeyStore => ({
    getApiKey: read(keys.getApiKey.bind(keys)),
    listApiKeys: read(keys.listApiKeys.bind(keys)),
    async createApiKey(record) {
      await keys.createApiKey(record);
      write(record);
    },
    async revokeApiKey(keyId, at) {
      const revoked = await keys.revokeApiKey(keyId, at);
      write(revoked);
      return revoked;
    },
  });
  const countingLive = (live: LiveStore): LiveStore => ({
    async write(ref, snapshot) {
      await live.write(ref, snapshot);
      counts.liveWrites++;
      counts.liveBytes += jsonBytes(snapshot);
    },
    async read(ref) {
      counts.liveReads++;
      return live.read(ref);
    },
    async clear(ref) {
      await live.clear(ref);
      counts.liveWrites++;
    },
    ...(live.watch
      ? {
          watch: async (ref: SessionRef, until: number) => {
            await live.watch?.(ref, until);
            counts.watchWrites++;
          },
        }
      : {}),
    ...(live.watchedUntil
      ? {
          watchedUntil: async (ref: SessionRef) => {
            counts.watchReads++;
            return (await live.watchedUntil?.(ref)) ?? null;
          },
        }
      : {}),
  });
  const wrapped: SessionStore = {
    name: store.name,
    limits: store.limits,
    load: read(store.load.bind(store)),
    readHead: read(store.readHead.bind(store)),
    readEvents: read(store.readEvents.bind(store)),
    getDedupe: read(store.getDedupe.bind(store)),
    list: read(store.list.bind(store)),
    listPending: read(store.listPending.bind(store)),
    delete: store.delete.bind(store),
    async commit(request: CommitRequest) {
      await store.commit(request);
      counts.writes++;
      counts.records += 1 + request.events.length + (request.dedupe ? 1 : 0);
      const records = commitRecords(request);
      counts.bytes +=
        jsonBytes(records.head) +
        records.events.reduce((sum, event) => sum + jsonBytes(event), 0) +
        (request.dedupe ? jsonBytes(request.dedupe) : 0);
    },
    ...(store.apiKeys ? { apiKeys: countingKeys(store.apiKeys) } : {}),
    ...(store.live ? { live: countingLive(store.live) } : {}),
    ...(store.close ? { close: store.close.bind(store) } : {}),
  };
  return {
    store: wrapped,
    counts,
    reset() {
      const snapshot = { ...counts };
      Object.assign(counts, zero);
      return snapshot;
    },
  };
}
