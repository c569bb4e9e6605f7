import { describe, expect, it } from 'vitest';
import { authApp } from '../../test/auth-kit.js';
import { ConfigurationError } from '../models/model-provider.js';
import { apiKeys } from './api-keys.js';
import { AuthError } from './auth-error.js';
import { customAuth, platformAuth } from './custom-auth.js';
import type { AuthMode } from './identity.js';

function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://baton${path}`, { headers });
}

async function code(response: Response): Promise<[number, string]> {
  const body = (await response.json()) as { error: { code: string } };
  return [response.status, body.error.code];
}

describe('customAuth()', () => {
  const byHeader = customAuth(async (request) => {
    const token = request.headers.get('x-team-token');
    if (token === null) return null;
    if (token !== 'team-secret') throw new AuthError('invalid_credentials', 'unknown team token');
    return { tenant: 'acme', user: 'team-bot', scopes: ['read'] };
  });

  it('takes the identity the function returns, and refuses what it refuses', async () => {
    const t = authApp(byHeader);
    expect((await t.fetch(get('/sessions', { 'x-team-token': 'team-secret' }))).status).toBe(200);
    expect(await code(await t.fetch(get('/sessions', { 'x-team-token': 'guess' })))).toEqual([
      401,
      'invalid_credentials',
    ]);
    expect(await code(await t.fetch(get('/sessions')))).toEqual([401, 'unauthenticated']);
    const send = new Request('http://baton/sessions/s1/messages', {
      method: 'POST',
      headers: { 'x-team-token': 'team-secret', 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(await code(await t.fetch(send))).toEqual([403, 'insufficient_scope']);
  });

  it('refuses an identity with an invalid tenant or unknown scopes', async () => {
    const badTenant = authApp(customAuth(() => ({ tenant: 'a/b', user: 'u', scopes: ['read'] })));
    expect(await code(await badTenant.fetch(get('/sessions')))).toEqual([401, 'invalid_credentials']);
    const badScope = authApp(customAuth(() => ({ tenant: 'acme', user: 'u', scopes: ['root' as 'read'] })));
    expect(await code(await badScope.fetch(get('/sessions')))).toEqual([401, 'invalid_credentials']);
  });

  it('is tried after the host modes and with the others in order', async () => {
    const t = authApp([apiKeys(), byHeader]);
    const key = await t.key('globex', ['read']);
    expect((await t.fetch(get('/sessions', { 'x-api-key': key }))).status).toBe(200);
    expect((await t.fetch(get('/sessions', { 'x-team-token': 'team-secret' }))).status).toBe(200);
    const hostFirst: AuthMode = {
      kind: 'console',
      describe: () => 'console session cookie',
      authenticate: async (request) =>
        request.headers.get('cookie') === 'session=ok'
          ? { tenant: 'acme', user: 'console', scopes: ['read'], via: 'custom' }
          : null,
    };
    const withHost = authApp(byHeader, { authModes: [hostFirst] });
    expect((await withHost.fetch(get('/sessions', { cookie: 'session=ok' }))).status).toBe(200);
  });
});

describe('platformAuth()', () => {
  const claims = { sub: 'u-1', 'custom:tenant': 'acme', scope: 'baton/read [x]' };

  it('takes the identity from the claims the host verified', async () => {
    const t = authApp(platformAuth({ tenantClaim: 'custom:tenant' }));
    expect((await t.fetch(get('/sessions'), { platformClaims: claims })).status).toBe(200);
    const send = new Request('http://baton/sessions/s1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(await code(await t.fetch(send, { platformClaims: claims }))).toEqual([403, 'insufficient_scope']);
  });

  it('treats a request without platform claims as unauthenticated, whatever its headers say', async () => {
    const t = authApp(platformAuth({ tenantClaim: 'custom:tenant' }));
    const spoofed = get('/sessions', { 'x-ms-client-principal': 'e30=', 'x-baton-tenant': 'acme' });
    expect(await code(await t.fetch(spoofed))).toEqual([401, 'unauthenticated']);
    expect(await code(await t.fetch(get('/sessions'), { tenant: 'acme' }))).toEqual([401, 'unauthenticated']);
    const noTenant = await t.fetch(get('/sessions'), { platformClaims: { sub: 'u-1' } });
    expect(await code(noTenant)).toEqual([401, 'invalid_credentials']);
  });
});

describe("auth 'none' and the local identity", () => {
  it("trusts the tenant header with every scope under 'none', and warns at start", async () => {
    const t = authApp('none');
    expect(t.logger.lines.some((line) => line.level === 'warn' && line.message.includes("'none'"))).toBe(
      true,
    );
    const deleted = await t.fetch(
      new Request('http://baton/sessions/s1', { method: 'DELETE', headers: { 'x-baton-tenant': 'globex' } }),
    );
    expect(deleted.status).toBe(200);
  });

  it('refuses to start on a host that requires auth when the definition sets none, naming the fix', () => {
    expect(() => authApp(undefined, { requireAuth: true })).toThrow(ConfigurationError);
    expect(() => authApp(undefined, { requireAuth: true })).toThrow(
      "set auth in defineBaton: apiKeys(), jwt(), customAuth(fn), or 'none'",
    );
    expect(() => authApp('none', { requireAuth: true })).not.toThrow();
  });

  it('refuses an auth setting that is not a mode', () => {
    expect(() => authApp([] as never)).toThrow(ConfigurationError);
    expect(() => authApp({ kind: 'x' } as never)).toThrow(ConfigurationError);
  });

  it('gives a host-resolved tenant to the local identity, and ignores it for an authenticated one', async () => {
    const local = authApp(undefined, { localOnly: true });
    const send = () =>
      new Request('http://localhost/sessions/s1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text":"hi"}',
      });
    expect((await local.fetch(send(), { tenant: 'acme' })).status).toBe(200);
    expect((await local.store.list({ tenant: 'acme' })).sessions).toHaveLength(1);
    const keyed = authApp(apiKeys());
    const key = await keyed.key('globex');
    const request = send();
    request.headers.set('x-api-key', key);
    expect((await keyed.fetch(request, { tenant: 'acme' })).status).toBe(200);
    expect((await keyed.store.list({ tenant: 'acme' })).sessions).toHaveLength(0);
    expect((await keyed.store.list({ tenant: 'globex' })).sessions).toHaveLength(1);
  });
});
