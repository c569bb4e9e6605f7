import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { apiKeys, defineBaton, generateApiKey, silentLogger, systemClock } from '@baton/core';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { reply, ScriptedModel } from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { type HttpEventChanges, httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { RecordingQueue, testAgent } from './test-support/test-baton.js';

const SESSION = 'console-chat-1';
const HTML = { accept: 'text/html' };
const TEXT = 'a message only this session holds';

/**
 * The console on a deployed Lambda, through the HTTP handler API Gateway invokes, on DynamoDB
 * Local: the same auth as the API (API keys here), a Secure cookie, and nothing when it is off.
 */
describe('the console behind the Lambda HTTP handler', () => {
  let dynamodb: DynamoDBClient;
  let store: DynamoStore;
  let key: string;
  const tableName = `baton-console-${randomUUID()}`;

  function handlers(env: Record<string, string>) {
    const definition = defineBaton({
      agents: [testAgent(new ScriptedModel([reply('hello from the agent')]))],
      auth: apiKeys(),
    });
    return createLambdaHandlers(definition, {
      store,
      queue: new RecordingQueue(),
      env,
      logger: silentLogger,
    });
  }

  async function invoke(
    env: Record<string, string>,
    changes: HttpEventChanges & { cookies?: string[] },
  ): Promise<APIGatewayProxyStructuredResultV2 & { text: string }> {
    const event = httpEvent('http-api-v2', { method: 'GET', body: undefined, ...changes });
    if (changes.cookies) event.cookies = changes.cookies;
    const result = (await handlers(env).http(
      event,
      lambdaContext({ clock: systemClock, budgetMs: 30_000 }),
    )) as APIGatewayProxyStructuredResultV2;
    return { ...result, text: String(result.body ?? '') };
  }

  const ON = { BATON_CONSOLE: 'on' };

  async function signIn(env: Record<string, string>, withKey: string) {
    return invoke(env, {
      method: 'POST',
      path: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...HTML },
      body: new URLSearchParams({ key: withKey }).toString(),
    });
  }

  beforeAll(async () => {
    dynamodb = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await createTable(dynamodb, tableName, { timeToLive: false });
    store = new DynamoStore({ client: dynamodb, tableName });
    const created = generateApiKey({ tenant: 'acme', scopes: ['send', 'read', 'approve'] }, systemClock);
    await store.apiKeys.createApiKey(created.record);
    key = created.key;
    // A session with a reply, started through the API with the key.
    const started = await invoke(ON, {
      method: 'POST',
      path: `/sessions/${SESSION}/messages`,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: { text: TEXT },
    });
    // 200 with the reply, or 202 if the run goes on: the input is committed either way.
    expect([200, 202], started.text).toContain(started.statusCode);
  });
  afterAll(async () => {
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    dynamodb.destroy();
  });

  it('sends a browser without credentials to the sign-in page, and shows no session', async () => {
    const page = await invoke(ON, { path: '/console', headers: HTML });
    expect(page.statusCode).toBe(303);
    expect(page.headers?.location).toBe('/console/login');
    expect(page.text).not.toContain(SESSION);
    const script = await invoke(ON, { path: '/console' });
    expect(script.statusCode).toBe(401);
    expect(script.text).not.toContain(SESSION);
    const stream = await invoke(ON, { path: `/console/sessions/${SESSION}/stream`, query: 'tenant=acme' });
    expect(stream.statusCode).toBe(401);
    expect(stream.text).not.toContain(TEXT);
    const form = await invoke(ON, { path: '/console/login', headers: HTML });
    expect(form.statusCode).toBe(200);
    expect(form.text).toContain('<form method="post" action="/console/login">');
    expect(form.text).not.toContain(SESSION);
  });

  it('signs in with a valid API key: a Secure, HttpOnly, SameSite=Strict cookie that opens the session list', async () => {
    const signedIn = await signIn(ON, key);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers?.location).toBe('/console');
    expect(signedIn.cookies).toHaveLength(1);
    const [cookie] = signedIn.cookies!;
    expect(cookie).toMatch(/^baton_console=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    const value = cookie!.split(';')[0]!;
    expect(value).not.toContain(key.slice(key.lastIndexOf('_') + 1));

    const list = await invoke(ON, { path: '/console', headers: HTML, cookies: [value] });
    expect(list.statusCode).toBe(200);
    expect(list.text).toContain(SESSION);
    const session = await invoke(ON, {
      path: `/console/sessions/${SESSION}`,
      headers: HTML,
      cookies: [value],
    });
    expect(session.statusCode).toBe(200);
    expect(session.text).toContain(TEXT);
  });

  it('refuses a wrong key with the sign-in page and no cookie', async () => {
    for (const wrong of [`${key.slice(0, -4)}AAAA`, 'bk_nope', '']) {
      const refused = await signIn(ON, wrong);
      expect(refused.statusCode).toBe(401);
      expect(refused.cookies ?? []).toEqual([]);
      expect(refused.text).toContain('That API key is not valid');
      expect(refused.text).not.toContain(SESSION);
    }
    const forged = await invoke(ON, {
      path: '/console',
      headers: HTML,
      cookies: ['baton_console=aaaaaaaaaaaaaaaa.99999999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    });
    expect(forged.statusCode).toBe(303);
    expect(forged.text).not.toContain(SESSION);
  });

  it("keeps a browser signed in whichever instance answers (the cookie is keyed with the key's stored hash)", async () => {
    const [cookie] = (await signIn(ON, key)).cookies!;
    // Every invoke builds a fresh app, as another Lambda instance would.
    const list = await invoke(ON, { path: '/console', headers: HTML, cookies: [cookie!.split(';')[0]!] });
    expect(list.statusCode).toBe(200);
    expect(list.text).toContain(SESSION);
  });

  it('answers a live stream with what is new and ends it (API Gateway buffers), telling EventSource to come back', async () => {
    const [cookie] = (await signIn(ON, key)).cookies!;
    const stream = await invoke(ON, {
      path: `/console/sessions/${SESSION}/stream`,
      query: 'tenant=acme',
      headers: { accept: 'text/event-stream', 'last-event-id': '0' },
      cookies: [cookie!.split(';')[0]!],
    });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers?.['content-type']).toContain('text/event-stream');
    expect(stream.text).toMatch(/^retry: 3000\n\n/);
    expect(stream.text.match(/^event: update$/gm)).toHaveLength(1);
    expect(stream.text).toContain(TEXT);
  });

  it('is not there when BATON_CONSOLE is unset or off: 404 on /console, and the API still answers', async () => {
    for (const env of [{}, { BATON_CONSOLE: 'off' }] as Record<string, string>[]) {
      for (const path of ['/console', '/console/login']) {
        const response = await invoke(env, { path, headers: HTML });
        expect(response.statusCode).toBe(404);
        expect(response.text).not.toContain('<form');
      }
      const api = await invoke(env, { path: `/sessions/${SESSION}`, headers: { 'x-api-key': key } });
      expect(api.statusCode).toBe(200);
    }
  });
});
