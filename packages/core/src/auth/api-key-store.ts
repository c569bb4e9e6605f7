import { CorruptRecordError } from '../errors.js';
import { SCOPES, type Scope } from './identity.js';

/**
 * An API key as stored: never the key itself, only the SHA-256 of its secret part (the secret has 256
 * bits of entropy, so a fast hash is safe; what matters is that a leaked table holds no usable key).
 */
export interface ApiKeyRecord {
  /** Public, unique, part of the key text (`bk_<keyId>_<secret>`); safe to log. */
  keyId: string;
  tenant: string;
  scopes: Scope[];
  /** What the key is for, chosen by its creator ("ci", "slack-bridge"). */
  name?: string;
  /** Hex SHA-256 of the secret part. */
  secretHash: string;
  createdAt: number;
  /** Set once by revoke; a revoked key never authenticates again. */
  revokedAt?: number;
}

/**
 * API keys live in the session store (their own records, outside every session, list and index),
 * so every host that can read sessions can check a key with one read and no other service.
 * The store conformance suite defines correct.
 */
export interface ApiKeyStore {
  /** Stores a new key; a keyId that exists already fails with ConflictError and changes nothing. */
  createApiKey(record: ApiKeyRecord): Promise<void>;
  /** One consistent (strongly consistent where the store offers it) read by keyId; null if unknown. */
  getApiKey(keyId: string): Promise<ApiKeyRecord | null>;
  /** Every key, or one tenant's, revoked ones included, ordered by createdAt then keyId. */
  listApiKeys(query?: { tenant?: string }): Promise<ApiKeyRecord[]>;
  /** Sets revokedAt (once: revoking again keeps the first time); null when the key is unknown. */
  revokeApiKey(keyId: string, at: number): Promise<ApiKeyRecord | null>;
}

/**
 * A stored API key read back, checked field by field: a record edited by hand (or written by a
 * newer Baton) fails here with CorruptRecordError, not later in auth. Every store parses with it.
 *
 * @example
 * const record = apiKeyRecord(JSON.parse(row.record));
 */
export function apiKeyRecord(stored: unknown): ApiKeyRecord {
  const value = stored as Partial<Record<keyof ApiKeyRecord, unknown>> | null | undefined;
  const bad = (field: string) => new CorruptRecordError('API key', `${field} is missing or malformed`);
  if (typeof value !== 'object' || value === null) throw bad('the record');
  const { keyId, tenant, scopes, name, secretHash, createdAt, revokedAt } = value;
  if (typeof keyId !== 'string') throw bad('keyId');
  if (typeof tenant !== 'string') throw bad('tenant');
  if (!Array.isArray(scopes) || !scopes.every((scope) => SCOPES.includes(scope as Scope)))
    throw bad('scopes');
  if (name !== undefined && typeof name !== 'string') throw bad('name');
  if (typeof secretHash !== 'string') throw bad('secretHash');
  if (typeof createdAt !== 'number') throw bad('createdAt');
  if (revokedAt !== undefined && typeof revokedAt !== 'number') throw bad('revokedAt');
  return {
    keyId,
    tenant,
    scopes: scopes as Scope[],
    ...(name === undefined ? {} : { name }),
    secretHash,
    createdAt,
    ...(revokedAt === undefined ? {} : { revokedAt }),
  };
}
