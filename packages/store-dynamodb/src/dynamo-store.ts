import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type Clock,
  ConflictError,
  type Head,
  type ListPage,
  type ListQuery,
  type PendingQuery,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
  systemClock,
} from '@baton/core';
import type { CommitRequest, DedupeRecord, SessionSnapshot, StoreLimits } from '@baton/core/store';
import { DynamoApiKeys } from './api-key-items.js';
import { planCommit } from './commit-plan.js';
import { commitError } from './error-mapping.js';
import { MAX_EVENT_BYTES } from './limits.js';
import { DynamoLive } from './live-items.js';
import { type Retention, resolveRetention } from './retention.js';
import { deleteSession } from './session-delete.js';
import { listSessions } from './session-list.js';
import { listPendingSessions } from './session-pending.js';
import { loadSession, readDedupe, readEventRange, readHead } from './session-reads.js';
import { type DynamoStoreStats, emptyStats, StoreContext } from './store-context.js';

export interface DynamoStoreOptions {
  /** A ready client (the store leaves it open on close), or the config to build one (closed on close). */
  client?: DynamoDBClient | DynamoDBClientConfig;
  /** The table; defaults to the BATON_TABLE environment variable. */
  tableName?: string;
  /**
   * Session retention: a session idle this many seconds is gone, as a whole (every commit moves
   * its head's expiry; events expire far later, see retention.ts). Omit to keep sessions forever.
   */
  ttlSeconds?: number;
  /** With ttlSeconds: the longest a session lives from its creation, however active. Default 365 days. */
  maxLifetimeSeconds?: number;
  /** How long a dedupe record is kept, with or without ttlSeconds. Default 7 days. */
  dedupeTtlSeconds?: number;
  /** Where "now" comes from for TTL stamps and filters. */
  clock?: Clock;
  /**
   * Items the first page of a load may read: a load takes one round trip when the live context
   * has fewer items than this, and reads at most this many items before the live context in vain.
   */
  loadWindow?: number;
}

const DEFAULT_LOAD_WINDOW = 64;

/**
 * Baton's session store on DynamoDB: one table, one partition per session, the head, events and
 * dedupe records as items, one TransactWriteItems per commit. See README.md for the key layout.
 *
 * @example
 * const store = new DynamoStore({ client: { region: 'eu-west-1' }, tableName: 'baton', ttlSeconds: 30 * 86_400 });
 * const snapshot = await store.load({ tenant: 'acme', sessionId: 'ticket-42' });
 */
export class DynamoStore implements SessionStore {
  readonly name = 'dynamodb';
  readonly limits: StoreLimits = { maxEventBytes: MAX_EVENT_BYTES };
  readonly stats: DynamoStoreStats = emptyStats();
  readonly tableName: string;
  /** API keys, in the same table under a partition no session can have (see keys.ts). */
  readonly apiKeys: DynamoApiKeys;
  /** Live snapshots, one item per session beside its head, in no index (see live-items.ts). */
  readonly live: DynamoLive;
  private readonly context: StoreContext;
  private readonly ownsClient: boolean;
  private readonly retention: Retention;
  private readonly loadWindow: number;

  constructor(options: DynamoStoreOptions = {}) {
    const tableName = options.tableName ?? process.env.BATON_TABLE;
    if (!tableName) {
      throw new Error('DynamoStore needs a table name: pass tableName or set BATON_TABLE');
    }
    this.retention = resolveRetention(options);
    this.tableName = tableName;
    this.loadWindow = Math.max(2, options.loadWindow ?? DEFAULT_LOAD_WINDOW);
    const given = options.client;
    // Duck-typed rather than instanceof, so a client from another copy of the SDK is still taken as one.
    const ready = given !== undefined && typeof (given as { send?: unknown }).send === 'function';
    this.ownsClient = !ready;
    const client = ready
      ? (given as DynamoDBClient)
      : new DynamoDBClient((given ?? {}) as DynamoDBClientConfig);
    this.context = new StoreContext(client, tableName, options.clock ?? systemClock, this.stats);
    this.apiKeys = new DynamoApiKeys(this.context);
    this.live = new DynamoLive(this.context);
  }

  /** One Query when the live context is shorter than `loadWindow` items and 1 MB. */
  load(ref: SessionRef): Promise<SessionSnapshot | null> {
    return loadSession(this.context, ref, this.loadWindow);
  }

  /** One GetItem. */
  readHead(ref: SessionRef): Promise<Head | null> {
    return readHead(this.context, ref);
  }

  readEvents(ref: SessionRef, options: { afterSeq?: number; limit?: number } = {}): Promise<SessionEvent[]> {
    // Events outlive their head (retention.ts): with a session TTL, a session whose head is gone
    // or expired has no events either. The head is read beside the events, in parallel.
    const events = readEventRange(this.context, ref, options.afterSeq ?? 0, options.limit);
    if (this.retention.ttlSeconds === undefined) return events;
    return Promise.all([readHead(this.context, ref), events]).then(([head, read]) => (head ? read : []));
  }

  /** One GetItem. */
  getDedupe(ref: SessionRef, dedupeKey: string): Promise<DedupeRecord | null> {
    return readDedupe(this.context, ref, dedupeKey);
  }

  /** One TransactWriteItems, or none when the commit cannot fit (EventTooLargeError). */
  async commit(request: CommitRequest): Promise<void> {
    try {
      await this.commitOnce(request);
    } catch (error) {
      // Creating a session over the items of one that expired (or whose delete stopped halfway):
      // the head is gone or expired, but events of the old session still hold their keys. They
      // are removed, head first, and the commit tried once more.
      if (!(error instanceof ConflictError) || request.expectedVersion !== null) throw error;
      if (await readHead(this.context, request.ref)) throw error;
      await deleteSession(this.context, request.ref);
      await this.commitOnce(request);
    }
  }

  private async commitOnce(request: CommitRequest): Promise<void> {
    const plan = planCommit(request, {
      tableName: this.tableName,
      nowMs: this.context.clock.now(),
      retention: this.retention,
    });
    await this.context.call(
      () =>
        this.context.client.send(
          new TransactWriteItemsCommand({ ...plan.input, ReturnConsumedCapacity: 'TOTAL' }),
        ),
      (error) => commitError(error, plan.roles, this.tableName),
    );
    this.stats.commits++;
    this.stats.itemsWritten += plan.roles.length;
    this.stats.bytesWritten += plan.bytes;
    this.stats.writeUnits += plan.writeUnits;
  }

  list(query: ListQuery = {}): Promise<ListPage> {
    return listSessions(this.context, query);
  }

  /** A Query of the sparse pending index per shard: reads only heads with pending work. */
  listPending(query: PendingQuery = {}): Promise<ListPage> {
    return listPendingSessions(this.context, query);
  }

  delete(ref: SessionRef): Promise<void> {
    return deleteSession(this.context, ref);
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.context.client.destroy();
  }
}
