import { type ApiKeyRecord, type ApiKeyStore, apiKeyRecord, ConflictError } from '@baton/core';
import Database from 'better-sqlite3';
import { parseStoredJson, translateSqliteError } from './sqlite-errors.js';

interface KeyRow {
  record: string;
}

/**
 * API keys in their own table (schema migration 3), keyed by keyId, so no session statement can
 * ever read or delete one. The row holds the whole record as JSON; tenant, created_at and
 * revoked_at are copied into columns for the tenant index and the order of `listApiKeys`.
 */
export class SqliteApiKeys implements ApiKeyStore {
  private readonly insert: Database.Statement<[string, string, number, number | null, string]>;
  private readonly byId: Database.Statement<[string], KeyRow>;
  private readonly all: Database.Statement<[], KeyRow>;
  private readonly ofTenant: Database.Statement<[string], KeyRow>;
  private readonly revoke: Database.Statement<{ keyId: string; at: number }, KeyRow>;

  constructor(
    db: Database.Database,
    private readonly onRead: () => void,
  ) {
    this.insert = db.prepare(
      'INSERT INTO api_keys (key_id, tenant, created_at, revoked_at, record) VALUES (?, ?, ?, ?, ?)',
    );
    this.byId = db.prepare('SELECT record FROM api_keys WHERE key_id = ?');
    this.all = db.prepare('SELECT record FROM api_keys ORDER BY created_at, key_id');
    this.ofTenant = db.prepare('SELECT record FROM api_keys WHERE tenant = ? ORDER BY created_at, key_id');
    // The right-hand sides read the row as it was, so both keep a revokedAt set earlier.
    this.revoke = db.prepare(
      `UPDATE api_keys
         SET revoked_at = COALESCE(revoked_at, @at),
             record = json_set(record, '$.revokedAt', COALESCE(revoked_at, @at))
       WHERE key_id = @keyId
       RETURNING record`,
    );
  }

  async createApiKey(record: ApiKeyRecord): Promise<void> {
    try {
      this.insert.run(
        record.keyId,
        record.tenant,
        record.createdAt,
        record.revokedAt ?? null,
        JSON.stringify(record),
      );
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConflictError(`API key ${record.keyId} exists already`, error);
      }
      throw translateSqliteError(error);
    }
  }

  async getApiKey(keyId: string): Promise<ApiKeyRecord | null> {
    this.onRead();
    const row = guard(() => this.byId.get(keyId));
    return row ? parseApiKey(row.record) : null;
  }

  async listApiKeys(query: { tenant?: string } = {}): Promise<ApiKeyRecord[]> {
    this.onRead();
    const rows = guard(() => (query.tenant === undefined ? this.all.all() : this.ofTenant.all(query.tenant)));
    return rows.map((row) => parseApiKey(row.record));
  }

  async revokeApiKey(keyId: string, at: number): Promise<ApiKeyRecord | null> {
    const row = guard(() => this.revoke.get({ keyId, at }));
    return row ? parseApiKey(row.record) : null;
  }
}

function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw translateSqliteError(error);
  }
}

/** A stored row's record, checked field by field (a hand-edited file fails here, not in auth). */
export function parseApiKey(text: string): ApiKeyRecord {
  return apiKeyRecord(parseStoredJson(text));
}
