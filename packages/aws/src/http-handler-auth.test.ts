import { type AuthMode, platformAuth, SCOPES } from '@baton/core';
import { reply } from '@baton/testing';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { fixture, httpEvent } from './test-support/fixtures.js';
import { setup } from './test-support/http-handler-setup.js';

/**
 * An auth mode that trusts exactly what the host hands it as platform-verified claims (what
 * `platformAuth` does), recording each, so a test sees where the host took them from.
 */
function platformClaimsMode(seen: unknown[]): AuthMode {
  return {
    kind: 'test-platform',
    describe: () => 'claims the platform verified (test)',
    async authenticate(_request, context) {
      seen.push(context.platformClaims);
      const tenant = context.platformClaims?.tenant;
      if (typeof tenant !== 'string') return null;
      return { tenant, user: String(context.platformClaims?.sub), scopes: SCOPES, via: 'platform' };
    },
  };
}

function withAuthorizer() {
  const seen: unknown[] = [];
  return { seen, ...setup([reply('hi'), reply('hi')], {}, { auth: platformClaimsMode(seen) }) };
}

const verified = () => fixture<APIGatewayProxyEventV2>('http-api-v2-jwt-authorizer');

describe('createHttpHandler with API Gateway JWT authorizer claims', () => {
  it("hands the app the authorizer's claims and runs as their tenant when API Gateway verified the token", async () => {
    const { invoke, seen, baton } = withAuthorizer();
    const response = await invoke(verified());
    expect(response.statusCode).toBe(200);
    expect(seen).toEqual([expect.objectContaining({ tenant: 'acme', sub: 'user-42' })]);
    expect((await baton.list({ tenant: 'acme' })).sessions).toHaveLength(1);
  });

  it('refuses a tenant header naming another tenant than the verified claims, and stores nothing', async () => {
    const { invoke, baton } = withAuthorizer();
    const event = verified();
    event.headers = { ...event.headers, 'x-baton-tenant': 'globex' };
    const response = await invoke(event);
    expect(response.statusCode).toBe(403);
    expect(response.json.error.code).toBe('tenant_mismatch');
    expect((await baton.list({ tenant: 'globex' })).sessions).toHaveLength(0);
    expect((await baton.list({ tenant: 'acme' })).sessions).toHaveLength(0);
  });

  it('authenticates nobody when the claims and tenant arrive as headers instead of from the authorizer', async () => {
    const { invoke, seen, baton } = withAuthorizer();
    const forged = JSON.stringify({ tenant: 'acme', sub: 'mallory' });
    const response = await invoke(
      httpEvent('http-api-v2', {
        headers: {
          'x-baton-tenant': 'acme',
          'x-baton-user': 'UBOSS',
          'x-amzn-jwt-claims': forged,
          'x-apigateway-authorizer': forged,
          authorization: `Bearer ${Buffer.from(forged).toString('base64url')}`,
        },
      }),
    );
    expect(response.statusCode).toBe(401);
    expect(response.json.error.code).toBe('unauthenticated');
    expect(seen).toEqual([undefined]);
    expect((await baton.list({ tenant: 'acme' })).sessions).toHaveLength(0);
  });

  it('takes no claims from a Function URL event or from another kind of authorizer', async () => {
    const { invoke, seen, baton } = withAuthorizer();
    expect((await invoke(httpEvent('function-url'))).statusCode).toBe(401);
    const lambdaAuthorizer = httpEvent('http-api-v2');
    (lambdaAuthorizer.requestContext as unknown as Record<string, unknown>).authorizer = {
      lambda: { tenant: 'acme', sub: 'mallory' },
    };
    expect((await invoke(lambdaAuthorizer)).statusCode).toBe(401);
    expect(seen).toEqual([undefined, undefined]);
    expect((await baton.list({ tenant: 'acme' })).sessions).toHaveLength(0);
  });

  it("serves core's platformAuth with the authorizer's scopes, and refuses a scope the token lacks", async () => {
    const { invoke } = setup([reply('hi')], {}, { auth: platformAuth({ tenantClaim: 'tenant' }) });
    expect((await invoke(verified())).statusCode).toBe(200);
    const remove = verified();
    remove.requestContext.http.method = 'DELETE';
    remove.rawPath = '/sessions/chat-1';
    remove.body = undefined;
    const refused = await invoke(remove);
    expect(refused.statusCode).toBe(403);
    expect(refused.json.error.code).toBe('insufficient_scope');
  });

  it('answers the health check without claims', async () => {
    const { get, seen } = withAuthorizer();
    const response = await get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(seen).toEqual([]);
  });
});
