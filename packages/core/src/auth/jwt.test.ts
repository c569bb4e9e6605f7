import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authApp } from '../../test/auth-kit.js';
import { ConfigurationError } from '../models/model-provider.js';
import { jwt } from './jwt.js';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'baton-api';
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let server: Server;
let jwksUrl: string;
let trusted: Key;
let stranger: Key;
let trustedEs: Key;

beforeAll(async () => {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  trusted = rsa.privateKey;
  trustedEs = ec.privateKey;
  stranger = (await generateKeyPair('RS256')).privateKey;
  const keys: JWK[] = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface TokenOptions {
  claims?: Record<string, unknown>;
  key?: Key;
  kid?: string;
  alg?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from `now` (epoch ms). */
  expiresIn?: number;
  now: number;
}

async function token(options: TokenOptions): Promise<string> {
  const seconds = Math.floor(options.now / 1000);
  return new SignJWT({ tenant: 'acme', sub: 'user-1', ...options.claims })
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'rsa-1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + (options.expiresIn ?? 300))
    .sign(options.key ?? trusted);
}

function app(options: Parameters<typeof jwt>[0] = {}) {
  return authApp(jwt({ jwksUrl, issuer: ISSUER, audience: AUDIENCE, ...options }));
}

function request(
  method: string,
  path: string,
  bearer?: string,
  headers: Record<string, string> = {},
): Request {
  return new Request(`http://baton${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(method === 'POST'
      ? { body: JSON.stringify(path.includes('approvals') ? { approved: true } : { text: 'hi' }) }
      : {}),
  });
}

async function refusal(response: Response): Promise<[number, string]> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return [response.status, body.error.code];
}

describe('jwt()', () => {
  it('takes the tenant from the tenant claim and the user from sub, with send and read by default', async () => {
    const t = app();
    const good = await token({ now: t.clock.now() });
    expect((await t.fetch(request('POST', '/sessions/s1/messages', good))).status).toBe(200);
    expect((await t.fetch(request('GET', '/sessions/s1', good, { 'x-baton-tenant': 'acme' }))).status).toBe(
      200,
    );
    expect((await t.store.list({ tenant: 'acme' })).sessions).toHaveLength(1);
    expect(await refusal(await t.fetch(request('POST', '/sessions/s1/approvals/e1', good)))).toEqual([
      403,
      'insufficient_scope',
    ]);
  });

  it('reads Baton scopes from scope and scp, with or without a baton: or baton/ prefix', async () => {
    const t = app();
    const now = t.clock.now();
    const scoped = [
      await token({ now, claims: { scope: 'openid baton:admin' } }),
      await token({ now, claims: { scp: ['baton/read', 'admin'] } }),
      await token({ now, claims: { scp: 'email admin' } }),
      await token({ now, key: trustedEs, alg: 'ES256', kid: 'ec-1', claims: { scope: 'admin' } }),
    ];
    for (const bearer of scoped) {
      const response = await t.fetch(request('DELETE', '/sessions/s1', bearer));
      expect(response.status).toBe(200);
    }
    const readOnly = await token({ now, claims: { scope: 'baton:read' } });
    expect(await refusal(await t.fetch(request('POST', '/sessions/s1/messages', readOnly)))).toEqual([
      403,
      'insufficient_scope',
    ]);
  });

  it('uses the configured claims and default scopes', async () => {
    const t = app({ tenantClaim: 'custom:org', userClaim: 'email', defaultScopes: ['read'] });
    const now = t.clock.now();
    const good = await token({ now, claims: { 'custom:org': 'globex', email: 'a@globex.test' } });
    expect((await t.fetch(request('GET', '/sessions', good, { 'x-baton-tenant': 'globex' }))).status).toBe(
      200,
    );
    expect(await refusal(await t.fetch(request('POST', '/sessions/s1/messages', good)))).toEqual([
      403,
      'insufficient_scope',
    ]);
  });

  it('refuses expired, foreign, misaddressed, unsigned and tenantless tokens with 401 and changes nothing', async () => {
    const t = app();
    const now = t.clock.now();
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({
        tenant: 'acme',
        sub: 'x',
        iss: ISSUER,
        aud: AUDIENCE,
        exp: Math.floor(now / 1000) + 300,
      }),
    ).toString('base64url')}.`;
    const cases: [string, string][] = [
      ['expired past the skew', await token({ now: now - 10 * 60_000, expiresIn: 60 })],
      ['signed by another key', await token({ now, key: stranger })],
      ['wrong issuer', await token({ now, issuer: 'https://evil.test/' })],
      ['wrong audience', await token({ now, audience: 'another-api' })],
      ['alg none', unsigned],
      ['unknown kid', await token({ now, kid: 'rsa-9' })],
      [
        'tampered payload',
        (await token({ now })).replace(/\.([^.]+)\./, (_m, p: string) => `.${p.slice(0, -2)}AA.`),
      ],
    ];
    const before = await t.snapshot();
    for (const [name, bearer] of cases) {
      const response = await t.fetch(request('POST', '/sessions/s1/messages', bearer));
      expect([name, ...(await refusal(response))]).toEqual([name, 401, 'invalid_credentials']);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(await t.snapshot()).toBe(before);
  });

  it('names the missing tenant claim, and refuses a tenant claim that is not a tenant', async () => {
    const t = app();
    const now = t.clock.now();
    const missing = await t.fetch(
      request('GET', '/sessions', await token({ now, claims: { tenant: undefined } })),
    );
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain(
      '"tenant" claim',
    );
    const bad = await token({ now, claims: { tenant: '../other' } });
    expect(await refusal(await t.fetch(request('GET', '/sessions', bad)))).toEqual([
      401,
      'invalid_credentials',
    ]);
  });

  it('accepts a token up to the clock skew past its expiry and refuses it after', async () => {
    const t = app();
    const bearer = await token({ now: t.clock.now(), expiresIn: 60 });
    t.clock.advance(60_000 + 50_000);
    expect((await t.fetch(request('GET', '/sessions', bearer))).status).toBe(200);
    t.clock.advance(20_000);
    expect(await refusal(await t.fetch(request('GET', '/sessions', bearer)))).toEqual([
      401,
      'invalid_credentials',
    ]);
  });

  it('refuses a token for another tenant than the tenant header names', async () => {
    const t = app();
    const bearer = await token({ now: t.clock.now() });
    const response = await t.fetch(request('GET', '/sessions', bearer, { 'x-baton-tenant': 'globex' }));
    expect(await refusal(response)).toEqual([403, 'tenant_mismatch']);
  });

  it('reads its settings from the environment and refuses to start without them', () => {
    expect(() => authApp(jwt())).toThrow(ConfigurationError);
    expect(() => authApp(jwt({ jwksUrl }))).toThrow(/BATON_JWT_ISSUER/);
    const t = authApp(jwt(), {
      env: { BATON_JWT_JWKS_URL: jwksUrl, BATON_JWT_ISSUER: ISSUER, BATON_JWT_AUDIENCE: AUDIENCE },
    });
    expect(t.logger.lines.some((line) => line.message.includes('authenticated'))).toBe(true);
  });
});
