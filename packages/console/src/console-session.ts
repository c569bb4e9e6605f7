import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type ApiKeyRecord,
  type AuthContext,
  AuthError,
  type AuthMode,
  apiKeys,
  ConfigurationError,
  type Identity,
  isAuthError,
} from '@baton/core';

import { CONSOLE_COOKIE, readCookie } from './cookie.js';

export { CONSOLE_COOKIE, readCookie };

const DEFAULT_TTL_MS = 12 * 60 * 60_000;
const MIN_SECRET_LENGTH = 32;
const VALUE = /^([a-z2-7]{16})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

/** What the console's sign-in form needs: a key in, a Set-Cookie out (or null for a bad key). */
export interface ConsoleSignIn {
  signIn(
    key: string,
    options: { secure: boolean },
  ): Promise<{ setCookie: string; identity: Identity } | null>;
}

export interface ConsoleSessionOptions {
  /** Where the keys are checked: the host's store, clock, settings and logger (as the app's auth modes get). */
  context: AuthContext;
  /**
   * Mixed into the cookie's HMAC key with the key's stored hash. Default: BATON_CONSOLE_SECRET,
   * else random per process (a restart signs everyone out). `''`: the stored hash alone, which
   * every instance of a scaled-out host reads alike (cloud hosts, where a per-process secret
   * would sign a browser out whenever another instance answers).
   */
  secret?: string;
  ttlMs?: number;
}

/**
 * Console sign-in with an API key. The cookie holds `keyId.expiry.hmac`, never the key: a stolen
 * cookie expires, and every request re-reads the key's record, so revoking the key ends the
 * session at once. The HMAC is keyed with the key's stored hash (and the process secret), so only
 * someone who held the key, or can read the store, can make one. `authMode()` is what the host adds to the app (`AppHost.authModes`): it turns
 * the cookie into the key's own identity and scopes, for the pages and for the Approve / Reject
 * calls to the HTTP API alike.
 *
 * @example
 * const sessions = new ConsoleSessions({ context: { store, clock, env, logger } });
 * const app = createBatonApp(definition, { store, queue, authModes: [sessions.authMode()], routes });
 */
export class ConsoleSessions implements ConsoleSignIn {
  readonly #context: AuthContext;
  readonly #secret: Buffer;
  readonly #ttlMs: number;
  readonly #keys = apiKeys();

  constructor(options: ConsoleSessionOptions) {
    this.#context = options.context;
    const secret = options.secret ?? consoleSecret(options.context.env);
    if (options.secret && options.secret.length < MIN_SECRET_LENGTH)
      throw new ConfigurationError(`the console secret must have at least ${MIN_SECRET_LENGTH} characters`);
    this.#secret = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  }

  async signIn(key: string, options: { secure: boolean }) {
    // A header cannot carry other characters; no key has them.
    if (!/^[\x21-\x7e]{1,200}$/.test(key.trim())) return null;
    const probe = new Request('http://console.invalid/', { headers: { 'x-api-key': key.trim() } });
    let identity: Identity | null;
    try {
      identity = await this.#keys.authenticate(probe, this.#context);
    } catch (error) {
      if (isAuthError(error)) return null;
      throw error;
    }
    if (!identity) return null;
    const keyId = identity.user.slice('key:'.length);
    const record = await this.#context.store.apiKeys?.getApiKey(keyId);
    if (!record) return null;
    const expiry = this.#context.clock.now() + this.#ttlMs;
    const value = `${keyId}.${expiry}.${this.#mac(keyId, expiry, record.secretHash)}`;
    const maxAge = Math.floor(this.#ttlMs / 1000);
    return { setCookie: cookie(value, maxAge, options.secure), identity };
  }

  /** Whether a cookie value was signed for this key record, unaltered and unexpired. */
  verify(value: string, record: Pick<ApiKeyRecord, 'keyId' | 'secretHash'>): boolean {
    const match = VALUE.exec(value);
    if (!match || match[1] !== record.keyId) return false;
    const [, keyId, expiryText, mac] = match as unknown as [string, string, string, string];
    const expiry = Number(expiryText);
    const expected = Buffer.from(this.#mac(keyId, expiry, record.secretHash), 'utf8');
    const given = Buffer.from(mac, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    return expiry > this.#context.clock.now();
  }

  authMode(): AuthMode {
    return {
      kind: 'console_session',
      describe: () => 'console sign-in cookie (an API key, re-read on every request)',
      authenticate: async (request, context) => {
        const value = readCookie(request.headers.get('cookie'), CONSOLE_COOKIE);
        // An explicit credential decides on its own; an empty cookie is a signed-out browser.
        if (!value || request.headers.has('authorization') || request.headers.has('x-api-key')) return null;
        const keyId = VALUE.exec(value)?.[1];
        const record = keyId ? await context.store.apiKeys?.getApiKey(keyId) : undefined;
        if (!record || !this.verify(value, record))
          throw new AuthError('invalid_credentials', 'the console session is not valid; sign in again');
        if (record.revokedAt !== undefined) {
          throw new AuthError(
            'invalid_credentials',
            `the API key ${keyId} of this console session is revoked`,
          );
        }
        return { tenant: record.tenant, user: `key:${record.keyId}`, scopes: record.scopes, via: 'api_key' };
      },
    };
  }

  #mac(keyId: string, expiry: number, secretHash: string): string {
    const key = Buffer.concat([this.#secret, Buffer.from(secretHash, 'hex')]);
    return createHmac('sha256', key).update(`baton-console:${keyId}.${expiry}`).digest('base64url');
  }
}

/** BATON_CONSOLE_SECRET (32 characters or more), so sign-ins survive a restart; undefined: random. */
function consoleSecret(env: Record<string, string | undefined>): string | undefined {
  const secret = env.BATON_CONSOLE_SECRET;
  if (!secret) return undefined;
  if (secret.length < MIN_SECRET_LENGTH)
    throw new ConfigurationError(`BATON_CONSOLE_SECRET must have at least ${MIN_SECRET_LENGTH} characters`);
  return secret;
}

function cookie(value: string, maxAge: number, secure: boolean): string {
  return `${CONSOLE_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}
