import { generateApiKey, isAuthError, MemoryStore, silentLogger } from '@baton/core';
import { ManualClock } from '@baton/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { CONSOLE_COOKIE, ConsoleSessions } from './console-session.js';

let store: MemoryStore;
let clock: ManualClock;
let sessions: ConsoleSessions;

const context = () => ({ store, clock, env: {}, logger: silentLogger });

async function newKey(tenant = 'acme') {
  const created = generateApiKey({ tenant, scopes: ['read'] }, clock);
  await store.apiKeys.createApiKey(created.record);
  return created;
}

function request(headers: Record<string, string>): Request {
  return new Request('http://127.0.0.1/console', { headers });
}

/** The cookie value a sign-in sets. */
async function signedIn(key: string): Promise<string> {
  const result = await sessions.signIn(key, { secure: false });
  return /^baton_console=([^;]*);/.exec(result!.setCookie)![1]!;
}

beforeEach(() => {
  store = new MemoryStore();
  clock = new ManualClock(1_000_000);
  sessions = new ConsoleSessions({ context: context(), ttlMs: 60_000 });
});

describe('ConsoleSessions', () => {
  it("turns a signed cookie into the key's identity, and a bad key into no sign-in", async () => {
    const { key, record } = await newKey();
    expect(await sessions.signIn('bk_nope', { secure: false })).toBeNull();
    expect(await sessions.signIn('not a header value\n', { secure: false })).toBeNull();
    const value = await signedIn(key);
    // The secret is base64url and may itself hold '_': take everything after the keyId.
    expect(value).not.toContain(key.slice(`bk_${record.keyId}_`.length));
    const identity = await sessions
      .authMode()
      .authenticate(request({ cookie: `${CONSOLE_COOKIE}=${value}` }), context());
    expect(identity).toEqual({
      tenant: 'acme',
      user: `key:${record.keyId}`,
      scopes: ['read'],
      via: 'api_key',
    });
  });

  it('leaves requests without the cookie, or with their own credential, to the other modes', async () => {
    const value = await signedIn((await newKey()).key);
    const mode = sessions.authMode();
    expect(await mode.authenticate(request({}), context())).toBeNull();
    expect(await mode.authenticate(request({ cookie: `${CONSOLE_COOKIE}=` }), context())).toBeNull();
    const both = request({ cookie: `${CONSOLE_COOKIE}=${value}`, authorization: 'Bearer other' });
    expect(await mode.authenticate(both, context())).toBeNull();
  });

  it('refuses an expired cookie, one signed with another secret, and one whose key is gone', async () => {
    const { key, record } = await newKey();
    const value = await signedIn(key);
    const elsewhere = new ConsoleSessions({ context: context(), secret: 'x'.repeat(32) });
    const refused = async (text: string, by = sessions) => {
      const error = await by
        .authMode()
        .authenticate(request({ cookie: `${CONSOLE_COOKIE}=${text}` }), context())
        .catch((caught: unknown) => caught);
      expect(isAuthError(error) && error.code).toBe('invalid_credentials');
    };
    await refused(value, elsewhere);
    await store.apiKeys.revokeApiKey(record.keyId, clock.now());
    await refused(value);
    const fresh = await signedIn((await newKey()).key);
    clock.advance(60_001);
    await refused(fresh);
  });

  it('refuses a BATON_CONSOLE_SECRET too short to sign with', () => {
    expect(
      () => new ConsoleSessions({ context: { ...context(), env: { BATON_CONSOLE_SECRET: 'short' } } }),
    ).toThrow(/BATON_CONSOLE_SECRET/);
  });
});
