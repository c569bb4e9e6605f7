import type { RouteSpec } from '@baton/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkApprovals } from './approval-checks.js';
import { awsHost, azureHost, type HostUnderTest, localHost } from './hosts.js';
import { type IdentityProvider, startIdentityProvider } from './jwks.js';
import { checkFrontDoor } from './openai-checks.js';
import {
  checkOtherTenant,
  checkRightIdentity,
  checkTable,
  checkWrongCredentials,
  type Findings,
} from './security-checks.js';
import {
  createKeys,
  type SuiteKeys,
  securityDefinition,
  securityEnv,
  seedSessions,
} from './security-world.js';

/**
 * Issue 14's security suite: one table of hostile and rightful callers against every route of the
 * app's route table, on the local server (real HTTP), the Lambda handler (API Gateway v2 events,
 * DynamoDB Local) and the Azure HTTP function (the Cosmos DB API server, Azurite). The table comes
 * from `app.routes()`: a route added without saying who may call it fails here.
 */
let idp: IdentityProvider;
const counts: string[] = [];

beforeAll(async () => {
  idp = await startIdentityProvider();
});

afterAll(async () => {
  await idp?.close();
  console.log(`\nsecurity suite cases\n${counts.join('\n')}\n`);
});

const HOSTS: Record<HostUnderTest['name'], () => Promise<HostUnderTest>> = {
  local: () => localHost(securityDefinition(idp), securityEnv(idp)),
  aws: () => awsHost(securityDefinition(idp), securityEnv(idp), inject('dynamodbEndpoint')),
  azure: () =>
    azureHost(securityDefinition(idp), securityEnv(idp), {
      cosmosEndpoint: inject('cosmosEndpoint'),
      cosmosKey: inject('cosmosKey'),
      queueConnection: inject('azuriteQueueConnection'),
    }),
};

for (const [name, start] of Object.entries(HOSTS)) {
  describe(`every route on the ${name} host`, () => {
    let host: HostUnderTest | undefined;
    let keys: SuiteKeys;
    let routes: readonly RouteSpec[];

    beforeAll(async () => {
      host = await start();
      keys = await createKeys(host.store);
      await seedSessions(host.app);
      routes = host.app.routes();
    }, 120_000);

    afterAll(async () => {
      await host?.close();
    });

    const report = (check: string, findings: Findings) => {
      counts.push(
        `${name.padEnd(6)} ${check.padEnd(22)} ${findings.cases} cases, ${findings.problems.length} failed`,
      );
      expect(findings.cases).toBeGreaterThan(0);
      expect(findings.problems).toEqual([]);
    };

    it('says who may call each route, and only the health check and the console sign-in are public', () => {
      // Parameter names are the table's to choose: compare the shapes.
      const shapes = routes.map((spec) => `${spec.method} ${spec.path.replace(/\{[^}]+\}/g, '{}')}`);
      expect(shapes).toEqual(
        expect.arrayContaining([
          'GET /healthz',
          'GET /sessions',
          'GET /sessions/{}',
          'GET /sessions/{}/events',
          'POST /sessions/{}/messages',
          'POST /sessions/{}/approvals/{}',
          'DELETE /sessions/{}',
          'POST /v1/responses',
          'GET /v1/responses/{}',
          'POST /v1/chat/completions',
          'GET /v1/models',
        ]),
      );
      report('route table', checkTable(routes));
    });

    it('refuses every wrong credential on every route with a JSON 401 or 403 and changes nothing', async () => {
      report('wrong credentials', await checkWrongCredentials(host!, routes, keys, idp));
    }, 600_000);

    it("keeps acme's sessions unseen and unchanged when globex's key asks without a tenant header", async () => {
      report('other tenant', await checkOtherTenant(host!, routes, keys));
    }, 120_000);

    it('serves every route to the right identity', async () => {
      report('right identity', await checkRightIdentity(host!, routes, keys, idp));
    }, 120_000);

    it("keeps the OpenAI-compatible front door to the caller's tenant and scopes, and refuses malformed bodies", async () => {
      report('openai front door', await checkFrontDoor(host!, keys));
    }, 300_000);

    it('refuses approvals by keys without approve and records the deciding key, not x-baton-user', async () => {
      const problems = await checkApprovals(host!, keys);
      counts.push(`${name.padEnd(6)} ${'approvals'.padEnd(22)} 3 cases, ${problems.length} failed`);
      expect(problems).toEqual([]);
    }, 120_000);
  });
}
