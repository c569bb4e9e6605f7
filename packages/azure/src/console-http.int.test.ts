import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { apiKeys, defineBaton, generateApiKey, silentLogger, systemClock } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { CosmosStore } from '@baton/store-cosmos';
import { reply, ScriptedModel } from '@baton/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createAzureApp } from './azure-app.js';
import { createHttpHandler } from './http-handler.js';
import { httpFunctions } from './http-routes.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

const SESSION = 'console-chat-1';
const TEXT = 'a message only this session holds';
const HTML = { accept: 'text/html' };

/**
 * The console on a deployed Functions app, through the HTTP trigger's handler as registerBaton
 * wires it, on the Cosmos DB API server and Azurite: the same auth as the API (API keys here), a
 * Secure cookie, links under the `/api` route prefix, and nothing when it is off.
 */
describe('the console behind the Azure HTTP handler', () => {
  let store: CosmosStore;
  let key: string;
  const queueName = `runs-${randomUUID()}`;

  function handler(extra: Record<string, string>) {
    const azure = createAzureApp(
      defineBaton({
        agents: [createExampleAgent(new ScriptedModel([reply('hello from the agent')]))],
        auth: apiKeys(),
      }),
      {
        store,
        logger: silentLogger,
        env: { AzureWebJobsStorage: inject('azuriteQueueConnection'), BATON_QUEUE_NAME: queueName, ...extra },
      },
    );
    return {
      azure,
      http: createHttpHandler(azure.app, {
        timeoutMs: azure.settings.functionTimeoutMs,
        routePrefix: azure.settings.routePrefix,
        ...(azure.console ? { console: azure.console } : {}),
      }),
    };
  }

  async function invoke(
    env: Record<string, string>,
    change: { path: string; method?: string; body?: string; headers?: Record<string, string> },
  ) {
    const request = fixtureRequest('get-session', { method: 'GET', ...change, path: `/api${change.path}` });
    const response = await handler(env).http(request, invocationContext());
    const headers = new Headers(response.headers as Record<string, string>);
    return {
      status: response.status ?? 200,
      headers,
      text: new TextDecoder().decode(response.body as Uint8Array),
    };
  }

  const ON = { BATON_CONSOLE: 'on' };

  const signIn = (withKey: string) =>
    invoke(ON, {
      method: 'POST',
      path: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...HTML },
      body: new URLSearchParams({ key: withKey }).toString(),
    });

  /** The cookie a response sets, as a browser sends it back. */
  const cookieOf = (response: { headers: Headers }) => response.headers.get('set-cookie')!.split(';')[0]!;

  beforeAll(async () => {
    store = new CosmosStore({
      clientOptions: {
        endpoint: inject('cosmosEndpoint'),
        key: inject('cosmosKey'),
        // The server's certificate is self-signed: only this client trusts it.
        agent: new Agent({ rejectUnauthorized: false }),
      },
      database: 'baton-azure-test',
      container: `console-${randomUUID()}`,
    });
    await store.ensureContainer();
    await handler(ON).azure.queue.createIfNotExists();
    const created = generateApiKey({ tenant: 'acme', scopes: ['send', 'read', 'approve'] }, systemClock);
    await store.apiKeys.createApiKey(created.record);
    key = created.key;
    const started = await invoke(ON, {
      method: 'POST',
      path: `/sessions/${SESSION}/messages`,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ text: TEXT }),
    });
    // 200 with the reply, or 202 if the run goes on: the input is committed either way.
    expect([200, 202], started.text).toContain(started.status);
  }, 60_000);

  it('sends a browser without credentials to the sign-in page under /api, and shows no session', async () => {
    const page = await invoke(ON, { path: '/console', headers: HTML });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/api/console/login');
    expect(page.text).not.toContain(SESSION);
    const script = await invoke(ON, { path: '/console' });
    expect(script.status).toBe(401);
    expect(script.text).not.toContain(SESSION);
    const form = await invoke(ON, { path: '/console/login', headers: HTML });
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form method="post" action="/api/console/login">');
    expect(form.text).toContain('href="/api/console/assets/console.css"');
    expect(form.text).not.toContain(SESSION);
  });

  it('signs in with a valid API key: a Secure, HttpOnly, SameSite=Strict cookie that opens the session list', async () => {
    const signedIn = await signIn(key);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/api/console');
    expect(signedIn.headers.get('set-cookie')).toMatch(
      /^baton_console=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
    );
    const cookie = cookieOf(signedIn);
    // Another instance (a fresh app) reads the same cookie.
    const list = await invoke(ON, { path: '/console', headers: { ...HTML, cookie } });
    expect(list.status).toBe(200);
    expect(list.text).toContain(SESSION);
    expect(list.text).toContain(`href="/api/console/sessions/${SESSION}?tenant=acme"`);
    const session = await invoke(ON, {
      path: `/console/sessions/${SESSION}`,
      headers: { ...HTML, cookie },
    });
    expect(session.status).toBe(200);
    expect(session.text).toContain(TEXT);
  });

  it('refuses a wrong key with the sign-in page and no cookie', async () => {
    for (const wrong of [`${key.slice(0, -4)}AAAA`, 'bk_nope']) {
      const refused = await signIn(wrong);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('set-cookie')).toBeNull();
      expect(refused.text).toContain('That API key is not valid');
      expect(refused.text).not.toContain(SESSION);
    }
  });

  it('is not there when BATON_CONSOLE is unset or off: 404, no console function, and the API still answers', async () => {
    for (const env of [{}, { BATON_CONSOLE: 'off' }] as Record<string, string>[]) {
      const response = await invoke(env, { path: '/console', headers: HTML });
      expect(response.status).toBe(404);
      expect(response.text).not.toContain('<form');
      const api = await invoke(env, { path: `/sessions/${SESSION}`, headers: { 'x-api-key': key } });
      expect(api.status).toBe(200);
    }
    expect(handler({}).azure.console).toBeUndefined();
    expect(httpFunctions('function').map((fn) => fn.name)).not.toContain('baton-console');
  });

  it('registers the console anonymous (a browser holds no function key), before the catch-all', () => {
    const functions = httpFunctions('function', { console: true });
    expect(functions.find((fn) => fn.name === 'baton-console')).toEqual({
      name: 'baton-console',
      route: 'console/{*path}',
      methods: ['GET', 'POST'],
      authLevel: 'anonymous',
    });
    expect('baton-console'.localeCompare('baton-http')).toBeLessThan(0);
  });
});
