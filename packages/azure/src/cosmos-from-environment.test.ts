import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sessionRef } from '@baton/core';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosmosConnectionPolicy, cosmosStoreFromEnvironment } from './cosmos-from-environment.js';

/** The well-known key of Microsoft's emulator; the server accepts any. */
const KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

describe('cosmosConnectionPolicy', () => {
  it('turns endpoint discovery off unless preferred regions are set', () => {
    expect(cosmosConnectionPolicy({})).toEqual({ enableEndpointDiscovery: false });
    expect(cosmosConnectionPolicy({ BATON_COSMOS_PREFERRED_REGIONS: ' , ' })).toEqual({
      enableEndpointDiscovery: false,
    });
    expect(cosmosConnectionPolicy({ BATON_COSMOS_PREFERRED_REGIONS: 'West Europe, North Europe' })).toEqual({
      enableEndpointDiscovery: true,
      preferredLocations: ['West Europe', 'North Europe'],
    });
  });
});

describe('cosmosStoreFromEnvironment', () => {
  let server: Server;
  let endpoint: string;
  /** `METHOD /path` of every request the Cosmos DB API server (plain HTTP, in process) answered. */
  const requests: string[] = [];

  beforeAll(async () => {
    server = createHttpServer();
    server.on('request', (request) => requests.push(`${request.method} ${request.url}`));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  const settings = (env: Record<string, string> = {}) => ({
    COSMOS_ENDPOINT: endpoint,
    COSMOS_KEY: KEY,
    BATON_COSMOS_DATABASE: 'baton',
    BATON_COSMOS_CONTAINER: 'sessions',
    ...env,
  });

  /** What a cold start's first read of a session sends, on a client that has sent nothing yet. */
  async function firstRequests(env: Record<string, string>): Promise<{ requests: string[]; head: unknown }> {
    const setup = cosmosStoreFromEnvironment(settings())!;
    await setup.ensureContainer();
    await setup.close();
    requests.length = 0;
    const store = cosmosStoreFromEnvironment(settings(env))!;
    const head = await store.readHead(sessionRef('acme', 'first')).catch((error: unknown) => error);
    await store.close();
    return { requests: [...requests], head };
  }

  it("sends a cold start's first read straight to the account, without reading its regions first", async () => {
    const { requests, head } = await firstRequests({});
    expect(head).toBeNull();
    expect(requests).toEqual(['GET /dbs/baton/colls/sessions/docs/head']);
  });

  it('reads the account (its regions) before anything else when preferred regions are set', async () => {
    // The server lists its region at an https address it does not serve: only the order matters here.
    const { requests } = await firstRequests({ BATON_COSMOS_PREFERRED_REGIONS: 'West Europe' });
    expect(requests[0]).toBe('GET /');
  });
});
