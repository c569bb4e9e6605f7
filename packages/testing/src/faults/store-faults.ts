import { type ApiKeyStore, type SessionStore, ThrottledError } from '@baton/core';
import type { CommitRequest, LiveStore } from '@baton/core/store';
import { FaultPlan, type FaultTiming } from './fault-plan.js';

export type StoreOperation =
  | 'load'
  | 'readHead'
  | 'readEvents'
  | 'getDedupe'
  | 'commit'
  | 'list'
  | 'listPending'
  | 'createApiKey'
  | 'getApiKey'
  | 'listApiKeys'
  | 'revokeApiKey'
  | 'liveWrite'
  | 'liveRead'
  | 'liveClear';

export interface StoreFaultOptions {
  /** Share of eligible calls that fail, from 0 to 1. */
  rate: number;
  seed?: number;
  /** Stop after this many faults (default: never), e.g. 1 to fail exactly one call. */
  limit?: number;
  /** Which calls may fail. Default: every session call; API key and live calls only when named here. */
  operations?: readonly StoreOperation[];
  /**
   * The error a failed call throws: what the store itself throws for a transient failure. Default: a
   * ThrottledError like SqliteStore's for SQLITE_BUSY.
   */
  error?: (operation: StoreOperation, timing: FaultTiming) => Error;
}

const ALL: readonly StoreOperation[] = [
  'load',
  'readHead',
  'readEvents',
  'getDedupe',
  'commit',
  'list',
  'listPending',
];

const WRITES: ReadonlySet<StoreOperation> = new Set([
  'commit',
  'createApiKey',
  'revokeApiKey',
  'liveWrite',
  'liveClear',
]);

/** The error SqliteStore raises when another connection holds the write lock past the busy timeout. */
export function sqliteBusyError(operation: StoreOperation, timing: FaultTiming): Error {
  const cause = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  return new ThrottledError(
    `the SQLite file is locked by another writer (SQLITE_BUSY); retry [injected ${timing} ${operation}]`,
    cause,
  );
}

/**
 * Wraps any store so a share of its calls fail with the store's own transient error, before the
 * call reaches the store or, for half of the failed commits, after the write landed (the answer was
 * lost). Reads only fail before. Use it where a client-level injector is not possible (SQLite is in-process).
 *
 * @example
 * const { store, plan } = faultyStore(new SqliteStore({ path }), { rate: 0.2, seed: 7 });
 * // ...run the agent, retrying retryable errors like a queue would, then:
 * plan.disable();
 */
export function faultyStore(
  inner: SessionStore,
  options: StoreFaultOptions,
): { store: SessionStore; plan: FaultPlan<'busy'> } {
  // Half of the failed commits land first; a failed read never changes anything.
  const plan = new FaultPlan<'busy'>({
    rate: options.rate,
    seed: options.seed ?? 1,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    kinds: [{ kind: 'busy', timings: ['before', 'after'] }],
  });
  const eligible = new Set(options.operations ?? ALL);
  const errorOf = options.error ?? sqliteBusyError;

  const guard = async <T>(operation: StoreOperation, call: () => Promise<T>): Promise<T> => {
    const timings: readonly FaultTiming[] = WRITES.has(operation) ? ['before', 'after'] : ['before'];
    const fault = eligible.has(operation) ? plan.next(operation, undefined, timings) : undefined;
    if (!fault) return call();
    if (fault.timing === 'after') await call();
    throw errorOf(operation, fault.timing);
  };

  const store: SessionStore = {
    name: inner.name,
    limits: inner.limits,
    load: (ref) => guard('load', () => inner.load(ref)),
    readHead: (ref) => guard('readHead', () => inner.readHead(ref)),
    readEvents: (ref, readOptions) => guard('readEvents', () => inner.readEvents(ref, readOptions)),
    getDedupe: (ref, key) => guard('getDedupe', () => inner.getDedupe(ref, key)),
    commit: (request: CommitRequest) => guard('commit', () => inner.commit(request)),
    list: (query) => guard('list', () => inner.list(query)),
    listPending: (query) => guard('listPending', () => inner.listPending(query)),
    delete: (ref) => inner.delete(ref),
    ...(inner.apiKeys ? { apiKeys: faultyKeys(inner.apiKeys, guard) } : {}),
    ...(inner.live ? { live: faultyLive(inner.live, guard) } : {}),
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
  return { store, plan };
}

type Guard = <T>(operation: StoreOperation, call: () => Promise<T>) => Promise<T>;

/** The key calls under the same plan; a created or revoked key may land before its answer is lost. */
function faultyKeys(keys: ApiKeyStore, guard: Guard): ApiKeyStore {
  return {
    createApiKey: (record) => guard('createApiKey', () => keys.createApiKey(record)),
    getApiKey: (keyId) => guard('getApiKey', () => keys.getApiKey(keyId)),
    listApiKeys: (query) => guard('listApiKeys', () => keys.listApiKeys(query)),
    revokeApiKey: (keyId, at) => guard('revokeApiKey', () => keys.revokeApiKey(keyId, at)),
  };
}

/** The live snapshot calls under the same plan: a write may land before its answer is lost. */
function faultyLive(live: LiveStore, guard: Guard): LiveStore {
  return {
    write: (ref, snapshot) => guard('liveWrite', () => live.write(ref, snapshot)),
    read: (ref) => guard('liveRead', () => live.read(ref)),
    clear: (ref) => guard('liveClear', () => live.clear(ref)),
  };
}
