import type { Container, FeedOptions, JSONValue, OperationInput, OperationResponse } from '@azure/cosmos';
import { jsonBytes } from '@baton/core';
import { mapCosmosError } from './cosmos-errors.js';

/** Counters for benchmarks: what the store cost, as Cosmos would bill and time it. */
export interface CosmosStoreStats {
  /** SDK calls that reach the service (a query counts once per page). */
  roundTrips: number;
  documentsRead: number;
  documentsWritten: number;
  /** JSON bytes of the documents written (chunks, head, events, dedupe records). */
  bytesWritten: number;
  /** Request units, where the service reports them. */
  requestCharge: number;
}

export function emptyStats(): CosmosStoreStats {
  return { roundTrips: 0, documentsRead: 0, documentsWritten: 0, bytesWritten: 0, requestCharge: 0 };
}

export interface BatchResponse {
  status: number;
  results: OperationResponse[];
}

const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn'] as const;

/** A document as the store wrote it, without the properties Cosmos adds. */
export function withoutSystemFields<T extends object>(document: T): T {
  const copy = { ...document } as Record<string, unknown>;
  for (const field of SYSTEM_FIELDS) delete copy[field];
  return copy as T;
}

/**
 * The only place the store talks to the SDK: every call is counted, charged and has its errors
 * mapped to core errors.
 */
export class CosmosGateway {
  constructor(
    readonly container: Container,
    readonly stats: CosmosStoreStats,
  ) {}

  /** A point read; null when the document does not exist. Keeps `_etag`. */
  async read<T extends object>(
    id: string,
    pk: string,
    what: string,
  ): Promise<(T & { _etag?: string }) | null> {
    const response = await this.call(what, () => this.container.item(id, pk).read<T & { _etag?: string }>());
    this.stats.requestCharge += response.requestCharge ?? 0;
    if (!response.resource) return null;
    this.stats.documentsRead++;
    return response.resource;
  }

  /**
   * A query, page by page; `enough` stops paging early (e.g. once `limit` events are in hand). With
   * `pk` the query stays in one partition.
   */
  async query<T>(
    query: string,
    parameters: Record<string, JSONValue>,
    what: string,
    options: { pk?: string; enough?: (items: T[]) => boolean; feed?: FeedOptions } = {},
  ): Promise<T[]> {
    const iterator = this.container.items.query<T>(
      { query, parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })) },
      { ...options.feed, ...(options.pk === undefined ? {} : { partitionKey: options.pk }) },
    );
    const items: T[] = [];
    while (iterator.hasMoreResults()) {
      const page = await this.call(what, () => iterator.fetchNext());
      this.stats.requestCharge += page.requestCharge ?? 0;
      this.stats.documentsRead += page.resources.length;
      items.push(...page.resources);
      if (options.enough?.(items)) break;
    }
    return items;
  }

  /** One page of a (cross-partition) query and the continuation token for the next, if any. */
  async page<T>(
    query: string,
    parameters: Record<string, JSONValue>,
    what: string,
    feed: FeedOptions,
  ): Promise<{ items: T[]; cursor: string | undefined }> {
    const iterator = this.container.items.query<T>(
      { query, parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })) },
      feed,
    );
    // A page may come back empty while more remain (real Cosmos does that across partitions).
    while (iterator.hasMoreResults()) {
      const page = await this.call(what, () => iterator.fetchNext());
      this.stats.requestCharge += page.requestCharge ?? 0;
      this.stats.documentsRead += page.resources.length;
      if (page.resources.length > 0 || !page.continuationToken) {
        return { items: page.resources, cursor: page.hasMoreResults ? page.continuationToken : undefined };
      }
    }
    return { items: [], cursor: undefined };
  }

  async create(document: { id: string; pk: string }, what: string): Promise<void> {
    const response = await this.call(what, () => this.container.items.create(document));
    this.stats.requestCharge += response.requestCharge ?? 0;
    this.stats.documentsWritten++;
    this.stats.bytesWritten += jsonBytes(document);
  }

  /** A create that answers false, instead of failing, when a document of that id exists (409). */
  async createNew(document: { id: string; pk: string }, what: string): Promise<boolean> {
    const response = await this.call(what, () =>
      this.container.items.create(document).catch((error: { code?: unknown }) => {
        if (error?.code === 409) return null;
        throw error;
      }),
    );
    if (!response) return false;
    this.stats.requestCharge += response.requestCharge ?? 0;
    this.stats.documentsWritten++;
    this.stats.bytesWritten += jsonBytes(document);
    return true;
  }

  /** A replace conditioned on the ETag; false, instead of failing, when it no longer matches (412). */
  async replaceIfMatch(document: { id: string; pk: string }, etag: string, what: string): Promise<boolean> {
    const response = await this.call(what, () =>
      this.container
        .item(document.id, document.pk)
        .replace(document, { accessCondition: { type: 'IfMatch', condition: etag } })
        .catch((error: { code?: unknown }) => {
          if (error?.code === 412) return null;
          throw error;
        }),
    );
    if (!response) return false;
    this.stats.requestCharge += response.requestCharge ?? 0;
    this.stats.documentsWritten++;
    this.stats.bytesWritten += jsonBytes(document);
    return true;
  }

  /** Creates or replaces a document, unconditioned: the last writer wins. */
  async upsert(document: { id: string; pk: string }, what: string): Promise<void> {
    const response = await this.call(what, () => this.container.items.upsert(document));
    this.stats.requestCharge += response.requestCharge ?? 0;
    this.stats.documentsWritten++;
    this.stats.bytesWritten += jsonBytes(document);
  }

  /** Deletes one document; one already gone (404) is not an error. */
  async remove(id: string, pk: string, what: string): Promise<void> {
    const response = await this.call(what, () =>
      this.container
        .item(id, pk)
        .delete()
        .catch((error: { code?: unknown }) => {
          if (error?.code === 404) return { requestCharge: 0 };
          throw error;
        }),
    );
    this.stats.requestCharge += response.requestCharge ?? 0;
  }

  /** A transactional batch; its operations' statuses are the caller's to check (a failed batch does not throw). */
  async batch(operations: OperationInput[], pk: string, what: string): Promise<BatchResponse> {
    const response = await this.call(what, () => this.container.items.batch(operations, pk));
    this.stats.requestCharge += Number(response.headers?.['x-ms-request-charge'] ?? 0) || 0;
    return { status: response.code ?? 200, results: response.result ?? [] };
  }

  /** Deletes documents of one partition, 100 per batch; documents already gone are not an error. */
  async deleteAll(ids: readonly string[], pk: string, what: string): Promise<void> {
    for (let start = 0; start < ids.length; start += 100) {
      const group = ids.slice(start, start + 100);
      const operations: OperationInput[] = group.map((id) => ({
        operationType: 'Delete',
        partitionKey: pk,
        id,
      }));
      const { results } = await this.batch(operations, pk, what);
      const leftover = group.filter((_, index) => results[index]?.statusCode !== 204);
      // A batch fails whole when one document is already gone (deleted concurrently, or expired):
      // delete the rest one by one, where a 404 is fine.
      for (const id of leftover) {
        const response = await this.call(what, () =>
          this.container
            .item(id, pk)
            .delete()
            .catch((error: { code?: unknown }) => {
              if (error?.code === 404) return { requestCharge: 0 };
              throw error;
            }),
        );
        this.stats.requestCharge += response.requestCharge ?? 0;
      }
    }
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    this.stats.roundTrips++;
    try {
      return await run();
    } catch (error) {
      const charge = (error as { requestCharge?: unknown } | null)?.requestCharge;
      if (typeof charge === 'number') this.stats.requestCharge += charge;
      throw mapCosmosError(error, what);
    }
  }
}
