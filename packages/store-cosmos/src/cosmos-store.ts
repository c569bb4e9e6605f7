import { type Container, CosmosClient, type CosmosClientOptions } from '@azure/cosmos';
import {
  BatonError,
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
import {
  type CommitRequest,
  type DedupeRecord,
  parseDedupe,
  parseHead,
  type SessionSnapshot,
  type StoreLimits,
} from '@baton/core/store';
import { CosmosApiKeys } from './api-key-documents.js';
import type { BatchLimits } from './commit-plan.js';
import { CommitWriter } from './commit-writer.js';
import {
  type ContainerNames,
  createContainerIfMissing,
  resolveContainerNames,
} from './container-definition.js';
import { CosmosGateway, type CosmosStoreStats, emptyStats, withoutSystemFields } from './cosmos-gateway.js';
import {
  type ChunkDocument,
  type DedupeDocument,
  dedupeId,
  type EventsDocument,
  HEAD_ID,
  type HeadDocument,
  isExpired,
  partitionKeyOf,
} from './documents.js';
import { chunkTokens, expandBundles } from './event-bundles.js';
import { type CachedHead, HeadCache } from './head-cache.js';
import { CosmosLive } from './live-documents.js';
import { type Retention, resolveRetention } from './retention.js';
import { listPendingSessions, listSessions } from './session-list.js';

export interface CosmosStoreOptions {
  /** A ready client; the store never disposes it. */
  client?: CosmosClient;
  /** Or the client's configuration (endpoint, key, agent, connectionPolicy...); the store disposes the client it makes. */
  clientOptions?: CosmosClientOptions;
  /** Default: env BATON_COSMOS_DATABASE. */
  database?: string;
  /** Default: env BATON_COSMOS_CONTAINER. */
  container?: string;
  /**
   * Session retention: a session idle this many seconds is gone, as a whole (every commit moves its
   * head's ttl; events expire far later, see retention.ts). Default: sessions are kept forever.
   */
  ttlSeconds?: number;
  /** With ttlSeconds: the longest a session lives from its creation, however active. Default 365 days. */
  maxLifetimeSeconds?: number;
  /** How long a dedupe record is kept, with or without ttlSeconds. Default 7 days. */
  dedupeTtlSeconds?: number;
  /** Decides expiry on reads (and `expiresAt` on writes); tests pass a manual clock. */
  clock?: Clock;
  /** Largest event accepted; larger events are split into chunk documents up to this size. Default 16 MiB. */
  maxEventBytes?: number;
  /** Batch and chunk sizes; only tests need to change them. */
  batchLimits?: BatchLimits;
}

const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;

/**
 * The Cosmos DB store: one container partitioned by session. A commit is one transactional batch
 * (the head's ETag condition first); load is one query when this instance has seen the session
 * before, else a point read of the head and one query.
 *
 * @example
 * const store = new CosmosStore({
 *   clientOptions: { endpoint: 'https://acct.documents.azure.com', key: process.env.COSMOS_KEY },
 *   database: 'baton',
 *   container: 'sessions',
 * });
 * await store.ensureContainer();
 */
export class CosmosStore implements SessionStore {
  readonly name = 'cosmos';
  readonly limits: StoreLimits;
  readonly stats: CosmosStoreStats = emptyStats();
  readonly client: CosmosClient;
  readonly names: ContainerNames;
  /** API keys, in the same container under a partition no session can have (see documents.ts). */
  readonly apiKeys: CosmosApiKeys;
  /** Live snapshots, one document per session in its partition (see live-documents.ts). */
  readonly live: CosmosLive;
  private readonly gateway: CosmosGateway;
  private readonly clock: Clock;
  private readonly cache = new HeadCache();
  private readonly writer: CommitWriter;
  private readonly ownsClient: boolean;
  private readonly retention: Retention;

  constructor(options: CosmosStoreOptions = {}) {
    if (!options.client && !options.clientOptions) {
      throw new BatonError('store_config', 'CosmosStore needs a client or clientOptions ({ endpoint, key })');
    }
    const retention = resolveRetention(options);
    this.retention = retention;
    this.ownsClient = !options.client;
    this.client = options.client ?? new CosmosClient(options.clientOptions!);
    this.names = resolveContainerNames(options);
    this.clock = options.clock ?? systemClock;
    this.limits = { maxEventBytes: options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES };
    const container: Container = this.client.database(this.names.database).container(this.names.container);
    this.gateway = new CosmosGateway(container, this.stats);
    this.apiKeys = new CosmosApiKeys(this.gateway);
    this.live = new CosmosLive(this.gateway, this.clock);
    this.writer = new CommitWriter({
      gateway: this.gateway,
      cache: this.cache,
      clock: this.clock,
      retention,
      maxEventBytes: this.limits.maxEventBytes,
      batchLimits: options.batchLimits,
      readHead: (pk) => this.readCurrentHead(pk),
      purge: (pk) => this.deletePartition(pk),
    });
  }

  /** Creates the database and the container (see containerDefinition) unless they exist. */
  async ensureContainer(): Promise<void> {
    await createContainerIfMissing(this.client, this.names);
  }

  async load(ref: SessionRef): Promise<SessionSnapshot | null> {
    const pk = partitionKeyOf(ref);
    const hint = this.cache.get(pk)?.contextStart;
    let current: CachedHead | null;
    let bundles: EventsDocument[];
    if (hint === undefined) {
      current = await this.readCurrentHead(pk);
      if (!current) return null;
      bundles = await this.queryBundles(pk, current.contextStart);
    } else {
      // contextStart only moves forward, so the one this instance saw last is a safe lower bound:
      // head and live context come back in one query.
      const documents = await this.gateway.query<(HeadDocument & { _etag?: string }) | EventsDocument>(
        "SELECT * FROM c WHERE c.pk = @pk AND (c.type = 'head' OR (c.type = 'events' AND c.last >= @from))",
        { '@pk': pk, '@from': hint },
        'load a session',
        { pk },
      );
      const headDocument = documents.find(
        (document): document is HeadDocument & { _etag?: string } => document.type === 'head',
      );
      current = headDocument ? this.remember(pk, headDocument, headDocument._etag) : null;
      if (!current) {
        this.cache.delete(pk);
        return null;
      }
      bundles = documents.filter((document): document is EventsDocument => document.type === 'events');
      if (current.contextStart < hint) bundles = await this.queryBundles(pk, current.contextStart);
    }
    const { head } = current;
    const events = (await this.expand(pk, bundles)).filter(
      (event) => event.seq >= head.contextStart && event.seq <= head.seq,
    );
    return { head, events };
  }

  async readHead(ref: SessionRef): Promise<Head | null> {
    return (await this.readCurrentHead(partitionKeyOf(ref)))?.head ?? null;
  }

  async readEvents(
    ref: SessionRef,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<SessionEvent[]> {
    const pk = partitionKeyOf(ref);
    // Events outlive their head (retention.ts): a session whose head is gone has none either.
    if (this.retention.ttlSeconds !== undefined && !(await this.readCurrentHead(pk))) return [];
    const after = options.afterSeq ?? 0;
    const limit = options.limit;
    const counted = (bundles: EventsDocument[]) =>
      bundles.reduce((sum, bundle) => sum + bundle.last - Math.max(bundle.seq, after + 1) + 1, 0);
    const bundles = await this.gateway.query<EventsDocument>(
      "SELECT * FROM c WHERE c.pk = @pk AND c.type = 'events' AND c.last > @after ORDER BY c.seq",
      { '@pk': pk, '@after': after },
      'read events',
      { pk, ...(limit === undefined ? {} : { enough: (items) => counted(items) >= limit }) },
    );
    const events = (await this.expand(pk, bundles)).filter((event) => event.seq > after);
    return limit === undefined ? events : events.slice(0, limit);
  }

  async getDedupe(ref: SessionRef, dedupeKey: string): Promise<DedupeRecord | null> {
    const document = await this.gateway.read<DedupeDocument>(
      dedupeId(dedupeKey),
      partitionKeyOf(ref),
      'read a dedupe record',
    );
    if (!document || isExpired(document, this.clock.now())) return null;
    const record = parseDedupe(document.dedupe);
    // Long keys share an id through a hash: the record names the key it belongs to.
    return record.dedupeKey === dedupeKey ? record : null;
  }

  async commit(request: CommitRequest): Promise<void> {
    await this.writer.commit(request);
  }

  list(query: ListQuery = {}): Promise<ListPage> {
    return listSessions(this.gateway, this.clock, query);
  }

  /** One page of an indexed cross-partition query on `pending`, which only heads with work carry. */
  listPending(query: PendingQuery = {}): Promise<ListPage> {
    return listPendingSessions(this.gateway, this.clock, query);
  }

  async delete(ref: SessionRef): Promise<void> {
    await this.deletePartition(partitionKeyOf(ref));
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.dispose();
  }

  /** The head with its ETag, remembered for the next commit; null when missing or expired. */
  private async readCurrentHead(pk: string): Promise<CachedHead | null> {
    const document = await this.gateway.read<HeadDocument>(HEAD_ID, pk, 'read the head');
    const current = document ? this.remember(pk, document, document._etag) : null;
    if (!current) this.cache.delete(pk);
    return current;
  }

  private remember(pk: string, stored: HeadDocument, etag: string | undefined): CachedHead | null {
    if (isExpired(stored, this.clock.now())) return null;
    const head = parseHead(stored.head);
    const entry = { head, contextStart: head.contextStart, document: withoutSystemFields(stored) };
    if (etag) this.cache.set(pk, { ...entry, version: head.version, etag });
    return { ...entry, version: head.version, etag: etag ?? '' };
  }

  private async queryBundles(pk: string, from: number): Promise<EventsDocument[]> {
    return this.gateway.query<EventsDocument>(
      "SELECT * FROM c WHERE c.pk = @pk AND c.type = 'events' AND c.last >= @from",
      { '@pk': pk, '@from': from },
      'read the live context',
      { pk },
    );
  }

  /** Inline events as they are; chunked ones after one more query for their chunks. */
  private async expand(pk: string, documents: EventsDocument[]): Promise<SessionEvent[]> {
    const now = this.clock.now();
    const bundles = documents.filter((bundle) => !isExpired(bundle, now));
    const tokens = chunkTokens(bundles);
    const chunks =
      tokens.length === 0
        ? []
        : await this.gateway.query<ChunkDocument>(
            "SELECT * FROM c WHERE c.pk = @pk AND c.type = 'chunk' AND ARRAY_CONTAINS(@tokens, c.token)",
            { '@pk': pk, '@tokens': tokens },
            'read event chunks',
            { pk },
          );
    return expandBundles(bundles, chunks);
  }

  private async deletePartition(pk: string): Promise<void> {
    this.cache.delete(pk);
    const documents = await this.gateway.query<{ id: string }>(
      'SELECT c.id FROM c WHERE c.pk = @pk',
      { '@pk': pk },
      'list the documents of a session',
      { pk },
    );
    const ids = documents.map((document) => document.id);
    // The head goes last: a delete that dies halfway leaves a session that can be deleted again,
    // not events without a head that would collide with a new session of the same id.
    await this.gateway.deleteAll(
      ids.filter((id) => id !== HEAD_ID),
      pk,
      'delete a session',
    );
    if (ids.includes(HEAD_ID)) await this.gateway.deleteAll([HEAD_ID], pk, 'delete a session');
  }
}
