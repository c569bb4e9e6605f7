import {
  type ApiKeyRecord,
  type ApiKeyStore,
  apiKeyRecord,
  ConflictError,
  StoreUnavailableError,
} from '@baton/core';
import type { CosmosGateway } from './cosmos-gateway.js';
import { API_KEYS_PK, type ApiKeyDocument, apiKeyId } from './documents.js';

/** Revokes that lose this many ETag races in a row give up (each loss means another revoke won). */
const MAX_REVOKE_ATTEMPTS = 5;

/**
 * API keys as documents of the session container, all in the partition API_KEYS_PK (see
 * documents.ts for why no session can reach it). Checking a key is one point read, at the
 * account's consistency level (a request can only weaken it): Strong or Bounded Staleness accounts
 * see a revoke everywhere at once, Session accounts in other clients after replication. Listing is
 * one single-partition query, page by page, sorted here.
 */
export class CosmosApiKeys implements ApiKeyStore {
  constructor(private readonly gateway: CosmosGateway) {}

  /** One create: a 409 (the id exists) is the ConflictError, and nothing changes. */
  async createApiKey(record: ApiKeyRecord): Promise<void> {
    const created = await this.gateway.createNew(documentOf(record), 'create an API key');
    if (!created) throw new ConflictError(`API key ${record.keyId} exists already`);
  }

  /** One point read. */
  async getApiKey(keyId: string): Promise<ApiKeyRecord | null> {
    return (await this.read(keyId))?.record ?? null;
  }

  async listApiKeys(query: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    const documents = await this.gateway.query<ApiKeyDocument>(
      query.tenant === undefined
        ? "SELECT * FROM c WHERE c.type = 'apikey'"
        : "SELECT * FROM c WHERE c.type = 'apikey' AND c.tenant = @tenant",
      query.tenant === undefined ? {} : { '@tenant': query.tenant },
      'list API keys',
      { pk: API_KEYS_PK },
    );
    return documents
      .map((document) => recordOf(document.key))
      .sort((a, b) => a.createdAt - b.createdAt || (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  }

  /**
   * A point read and, unless the key is revoked already, a replace conditioned on its ETag: a
   * concurrent revoke that lands first makes the replace fail, and the next read returns its time.
   */
  async revokeApiKey(keyId: string, at: number): Promise<ApiKeyRecord | null> {
    for (let attempt = 0; attempt < MAX_REVOKE_ATTEMPTS; attempt++) {
      const current = await this.read(keyId);
      if (!current) return null;
      if (current.record.revokedAt !== undefined) return current.record;
      const revoked = { ...current.record, revokedAt: at };
      if (await this.gateway.replaceIfMatch(documentOf(revoked), current.etag, 'revoke an API key')) {
        return revoked;
      }
    }
    throw new StoreUnavailableError(`revoking API key ${keyId} kept losing ETag races; retry`);
  }

  private async read(keyId: string): Promise<{ record: ApiKeyRecord; etag: string } | null> {
    const document = await this.gateway.read<ApiKeyDocument>(apiKeyId(keyId), API_KEYS_PK, 'read an API key');
    if (!document) return null;
    const record = recordOf(document.key);
    // Long keyIds share an id through a hash: the record names the key it belongs to.
    return record.keyId === keyId ? { record, etag: document._etag ?? '' } : null;
  }
}

function documentOf(record: ApiKeyRecord): ApiKeyDocument {
  return {
    id: apiKeyId(record.keyId),
    pk: API_KEYS_PK,
    type: 'apikey',
    tenant: record.tenant,
    keyId: record.keyId,
    createdAt: record.createdAt,
    key: record,
  };
}

/** A stored key checked field by field (a document edited by hand fails here, not in auth). */
export function recordOf(stored: unknown): ApiKeyRecord {
  return apiKeyRecord(stored);
}
