import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ValidationError } from '../errors.js';
import { ConfigurationError } from '../models/model-provider.js';
import { isTenant } from '../session-ref.js';
import type { ApiKeyRecord } from './api-key-store.js';
import { AuthError } from './auth-error.js';
import { bearerToken } from './bearer.js';
import { type AuthMode, type Identity, SCOPES, type Scope } from './identity.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const KEY = /^bk_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/;
/** What a new key may do unless its creator says otherwise: everything but admin. */
export const DEFAULT_KEY_SCOPES: readonly Scope[] = ['send', 'read', 'approve'];

/** The two parts of an API key's text; the keyId is public, the secret is never stored. */
export interface ParsedApiKey {
  keyId: string;
  secret: string;
}

/**
 * Splits `bk_<keyId>_<secret>` into its parts, or null when the text is not an API key.
 *
 * @example
 * parseApiKey('bk_abcdefghijklmnop_' + 'A'.repeat(43)); // { keyId: 'abcdefghijklmnop', secret: 'AAA…' }
 */
export function parseApiKey(text: string): ParsedApiKey | null {
  const match = KEY.exec(text);
  return match ? { keyId: match[1]!, secret: match[2]! } : null;
}

/** Hex SHA-256 of a key's secret: what the store keeps instead of the key. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * A new API key for one tenant: the text to hand to its user once, and the record to store.
 *
 * @example
 * const { key, record } = generateApiKey({ tenant: 'acme', name: 'ci' }, systemClock);
 * await store.apiKeys.createApiKey(record); // show `key` once; it is not kept anywhere
 */
export function generateApiKey(
  options: { tenant: string; scopes?: readonly Scope[]; name?: string },
  clock: Clock,
): { key: string; record: ApiKeyRecord } {
  if (!isTenant(options.tenant)) {
    throw new ValidationError('tenant must be 1-128 characters of letters, digits, ".", "_", ":" or "-"', {
      field: 'tenant',
    });
  }
  const scopes = [...new Set(options.scopes ?? DEFAULT_KEY_SCOPES)];
  const unknown = scopes.filter((scope) => !SCOPES.includes(scope));
  if (unknown.length > 0 || scopes.length === 0) {
    throw new ValidationError(`scopes must be some of ${SCOPES.join(', ')}`, { field: 'scopes' });
  }
  const keyId = [...randomBytes(16)].map((byte) => BASE32[byte % 32]).join('');
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = {
    keyId,
    tenant: options.tenant,
    scopes,
    ...(options.name !== undefined ? { name: options.name } : {}),
    secretHash: hashSecret(secret),
    createdAt: clock.now(),
  };
  return { key: `bk_${keyId}_${secret}`, record };
}

/**
 * API keys (`bk_…`) sent as `Authorization: Bearer <key>` or `x-api-key`, checked against the hashed
 * records in the session store with one read and a constant-time comparison.
 *
 * @example
 * export default defineBaton({ agents: [helper], auth: apiKeys() });
 */
export function apiKeys(): AuthMode {
  return {
    kind: 'api_key',
    describe: () => 'API keys (bk_…, hashed in the session store)',
    check(context) {
      if (!context.store.apiKeys) {
        throw new ConfigurationError(
          'apiKeys() needs a session store that keeps API keys (store.apiKeys); this store has none',
        );
      }
    },
    async authenticate(request, context): Promise<Identity | null> {
      const header = request.headers.get('x-api-key')?.trim();
      const bearer = bearerToken(request);
      const text = header || (bearer?.startsWith('bk_') ? bearer : undefined);
      if (text === undefined) return null;
      const parsed = parseApiKey(text);
      if (!parsed) throw new AuthError('invalid_credentials', 'the API key is malformed');
      const store = context.store.apiKeys;
      if (!store) throw new ConfigurationError('apiKeys() needs a session store that keeps API keys');
      const record = await store.getApiKey(parsed.keyId);
      const expected = Buffer.from(record?.secretHash ?? '', 'hex');
      const given = createHash('sha256').update(parsed.secret, 'utf8').digest();
      const matches = expected.length === given.length && timingSafeEqual(expected, given);
      if (!record || !matches) throw new AuthError('invalid_credentials', 'the API key is not valid');
      if (record.revokedAt !== undefined) {
        throw new AuthError('invalid_credentials', `the API key ${record.keyId} is revoked`);
      }
      return { tenant: record.tenant, user: `key:${record.keyId}`, scopes: record.scopes, via: 'api_key' };
    },
  };
}
