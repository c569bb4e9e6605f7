import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type Clock,
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
   * Retention: every item written expires this many seconds after its write (the head after the
   * session's last commit, each event after its own). Omit to keep everything.
   */
  ttlSeconds?: number;
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
  private readonly context: StoreContext;
  private readonly ownsClient: boolean;
  private readonly ttlSeconds: number | undefined;
  private readonly loadWindow: number;

  constructor(options: DynamoStoreOptions = {}) {
    const tableName = options.tableName ?? process.env.BATON_TABLE;
    if (!tableName) {
      throw new Error('DynamoStore needs a table name: pass tableName or set BATON_TABLE');
    }
    if (
      options.ttlSeconds !== undefined &&
      !(Number.isInteger(options.ttlSeconds) && options.ttlSeconds > 0)
    ) {
      throw new RangeError(`ttlSeconds must be a positive integer, got ${options.ttlSeconds}`);
    }
    this.tableName = tableName;
    this.ttlSeconds = options.ttlSeconds;
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
    return readEventRange(this.context, ref, options.afterSeq ?? 0, options.limit);
  }

  /** One GetItem. */
  getDedupe(ref: SessionRef, dedupeKey: string): Promise<DedupeRecord | null> {
    return readDedupe(this.context, ref, dedupeKey);
  }

  /** One TransactWriteItems, or none when the commit cannot fit (EventTooLargeError). */
  async commit(request: CommitRequest): Promise<void> {
    const plan = planCommit(request, {
      tableName: this.tableName,
      nowMs: this.context.clock.now(),
      ttlSeconds: this.ttlSeconds,
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
