import { type ApiKeyRecord, type ApiKeyStore, jsonBytes, type SessionStore } from '@baton/core';
import { type CommitRequest, commitRecords } from '@baton/core/store';

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
}

/**
 * Wraps any store and counts what passes through the contract, so tests can assert the design's
 * promises (O(1) writes and bytes per step) and benchmarks can print them for every backend alike.
 */
export function countingStore<S extends SessionStore>(
  store: S,
): { store: SessionStore; counts: StoreCounts; reset(): StoreCounts } {
  const counts: StoreCounts = { writes: 0, reads: 0, records: 0, bytes: 0 };
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
    ...(store.close ? { close: store.close.bind(store) } : {}),
  };
  return {
    store: wrapped,
    counts,
    reset() {
      const snapshot = { ...counts };
      counts.writes = 0;
      counts.reads = 0;
      counts.records = 0;
      counts.bytes = 0;
      return snapshot;
    },
  };
}
