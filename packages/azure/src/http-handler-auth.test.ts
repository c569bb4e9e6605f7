import {
  type AuthMode,
  createBatonApp,
  defineBaton,
  MemoryStore,
  type RunQueue,
  SCOPES,
  silentLogger,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { clientPrincipalClaims } from './client-principal.js';
import { createHttpHandler } from './http-handler.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

/** What App Service authentication writes for a caller whose Entra ID token it validated. */
function principalHeader(claims: [string, string][]): string {
  const principal = {
    auth_typ: 'aad',
    claims: claims.map(([typ, val]) => ({ typ, val })),
    name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  };
  return Buffer.from(JSON.stringify(principal)).toString('base64');
}

const ACME_CALLER = principalHeader([
  ['aud', 'api://baton'],
  ['iss', 'https://login.microsoftonline.com/0000/v2.0'],
  ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'user-42'],
  ['tenant', 'acme'],
  ['roles', 'baton.send'],
  ['roles', 'baton.read'],
]);

/** Trusts exactly what the host hands it as platform-verified claims (as `platformAuth` does). */
function platformClaimsMode(seen: unknown[]): AuthMode {
  return {
    kind: 'test-platform',
    describe: () => 'claims the platform verified (test)',
    async authenticate(request, context) {
      seen.push({ claims: context.platformClaims, header: request.headers.get('x-ms-client-principal') });
      const tenant = context.platformClaims?.tenant;
      if (typeof tenant !== 'string') return null;
      return { tenant, user: 'user-42', scopes: SCOPES, via: 'platform' };
    },
  };
}

function setup(appServiceAuth: boolean) {
  const seen: { claims?: unknown; header?: string | null }[] = [];
  const queue: RunQueue = { enqueue: async () => {} };
  const app = createBatonApp(
    defineBaton({
      agents: [createExampleAgent(new ScriptedModel([reply('Hi.')]))],
      auth: platformClaimsMode(seen),
    }),
    { store: new MemoryStore(), queue, clock: new ManualClock(), logger: silentLogger, env: {} },
  );
  const handler = createHttpHandler(app, { timeoutMs: 600_000, appServiceAuth });
  const call = async (headers: Record<string, string>) => {
    const response = await handler(fixtureRequest('post-message', { headers }), invocationContext());
    const text = Buffer.from(response.body as Uint8Array).toString('utf8');
    return { status: response.status, body: JSON.parse(text) };
  };
  return { call, seen, baton: app.baton };
}

describe('createHttpHandler with App Service authentication', () => {
  it('hands the app the client principal claims when BATON_APP_SERVICE_AUTH says the platform validated them', async () => {
    const { call, seen, baton } = setup(true);
    const response = await call({ 'x-ms-client-principal': ACME_CALLER });
    expect(response.status).toBe(200);
    expect(seen[0]?.claims).toMatchObject({ tenant: 'acme', roles: ['baton.send', 'baton.read'] });
    expect((await baton.list({ tenant: 'acme' })).sessions).toHaveLength(1);
  });

  it('ignores and drops the principal headers when App Service authentication is not enabled', async () => {
    const { call, seen, baton } = setup(false);
    const response = await call({
      'x-ms-client-principal': ACME_CALLER,
      'x-ms-client-principal-id': 'user-42',
      'x-ms-client-principal-name': 'boss@acme.example',
      'x-baton-tenant': 'acme',
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthenticated');
    expect(seen).toEqual([{ claims: undefined, header: null }]);
    expect((await baton.list({ tenant: 'acme' })).sessions).toHaveLength(0);
  });

  it('refuses a tenant header naming another tenant than the principal', async () => {
    const { call, baton } = setup(true);
    const response = await call({ 'x-ms-client-principal': ACME_CALLER, 'x-baton-tenant': 'globex' });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('tenant_mismatch');
    expect((await baton.list({ tenant: 'globex' })).sessions).toHaveLength(0);
  });

  it('authenticates nobody when the principal header is garbled', async () => {
    const { call, seen } = setup(true);
    for (const header of ['not base64 json', Buffer.from('{"claims":"acme"}').toString('base64')]) {
      expect((await call({ 'x-ms-client-principal': header })).status).toBe(401);
    }
    expect(seen.map((entry) => entry.claims)).toEqual([undefined, undefined]);
  });
});

describe('clientPrincipalClaims', () => {
  it('reads each claim by its type and gathers repeated ones into an array', () => {
    expect(clientPrincipalClaims(ACME_CALLER)).toEqual({
      aud: 'api://baton',
      iss: 'https://login.microsoftonline.com/0000/v2.0',
      'http://schemas.microsoft.com/identity/claims/objectidentifier': 'user-42',
      tenant: 'acme',
      roles: ['baton.send', 'baton.read'],
    });
  });

  it('returns null when the header is missing, not base64 JSON, or not the principal shape', () => {
    expect(clientPrincipalClaims(undefined)).toBeNull();
    expect(clientPrincipalClaims('')).toBeNull();
    expect(clientPrincipalClaims('%%%')).toBeNull();
    expect(clientPrincipalClaims(Buffer.from('[1,2]').toString('base64'))).toBeNull();
    expect(clientPrincipalClaims(Buffer.from('{"claims":[{"typ":1}]}').toString('base64'))).toBeNull();
  });
});
