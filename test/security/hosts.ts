import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import azureFunctions from '@azure/functions';
import { createLambdaHandlers } from '@baton/aws';
import { createAzureApp, createHttpHandler } from '@baton/azure';
import { type BatonApp, type BatonDefinition, type SessionStore, silentLogger } from '@baton/core';
import { loadConfig, startLocalApp } from '@baton/dev';
import { CosmosStore } from '@baton/store-cosmos';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { httpEvent } from '../../packages/aws/src/test-support/fixtures.js';
import { lambdaContext } from '../../packages/aws/src/test-support/lambda-context.js';
import { invocationContext } from '../../packages/azure/src/test-fixtures.js';
import { cosmosConfig, dynamoConfig } from '../reliability/support/store-spec.js';

// @azure/functions is CommonJS: the classes come through the default import under Node's ESM loader.
const { HttpRequest } = azureFunctions;

export interface SuiteRequest {
  method: string;
  /** Path and query, relative to the app's root. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface SuiteResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as text ('' for a live stream, which is not read). */
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON (a page, a stream). */
  json: unknown;
}

/** One host in front of the suite's app: how a request reaches it, and the store behind it. */
export interface HostUnderTest {
  name: 'local' | 'aws' | 'azure';
  app: BatonApp;
  store: SessionStore;
  send(request: SuiteRequest): Promise<SuiteResponse>;
  close(): Promise<void>;
}

const clock = { now: () => Date.now() };

/** `baton serve` with the suite's app: SQLite in a temporary folder, real HTTP on 127.0.0.1. */
export async function localHost(
  definition: BatonDefinition,
  env: Record<string, string>,
): Promise<HostUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-security-'));
  const local = await startLocalApp(
    definition,
    loadConfig({ BATON_DATA_DIR: dataDir, PORT: '0', BATON_REQUIRE_AUTH: '1' }, dataDir),
    {
      logger: silentLogger,
      env,
    },
  );
  return {
    name: 'local',
    app: local.app,
    store: local.baton.store,
    async send(request) {
      const response = await fetch(`${local.url}${request.path}`, {
        method: request.method,
        headers: request.headers ?? {},
        ...(request.body !== undefined ? { body: request.body } : {}),
        redirect: 'manual',
      });
      const headers = Object.fromEntries(response.headers);
      if (headers['content-type']?.startsWith('text/event-stream')) {
        await response.body?.cancel();
        return { status: response.status, headers, text: '', json: undefined };
      }
      const text = await response.text();
      return { status: response.status, headers, text, json: parseJson(text) };
    },
    async close() {
      await local.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** createLambdaHandlers' HTTP handler fed API Gateway HTTP API (payload 2.0) events; DynamoDB Local. */
export async function awsHost(
  definition: BatonDefinition,
  env: Record<string, string>,
  endpoint: string,
): Promise<HostUnderTest> {
  const client = new DynamoDBClient(dynamoConfig(endpoint));
  const tableName = `baton-security-${randomUUID().slice(0, 8)}`;
  await createTable(client, tableName, { timeToLive: false });
  const store = new DynamoStore({ client, tableName, clock });
  const handlers = createLambdaHandlers(definition, {
    store,
    queue: { enqueue: async () => {} },
    clock,
    logger: silentLogger,
    env,
  });
  return {
    name: 'aws',
    app: handlers.app,
    store,
    async send(request) {
      const [path, query] = splitPath(request.path);
      const event = httpEvent('http-api-v2', {
        method: request.method,
        path,
        query,
        arrivedAt: clock.now(),
        ...(request.body !== undefined ? { body: request.body } : { body: undefined }),
      });
      // The request's own headers only (the fixture's content-type and cookies are another request's).
      event.headers = {
        host: event.requestContext.domainName,
        'x-forwarded-proto': 'https',
        ...lowerCase(request.headers ?? {}),
        ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}),
      };
      delete event.cookies;
      const result = (await handlers.http(
        event,
        lambdaContext({ clock, budgetMs: 20_000 }),
      )) as APIGatewayProxyStructuredResultV2;
      const headers = lowerCase((result.headers ?? {}) as Record<string, string>);
      const text = result.isBase64Encoded
        ? Buffer.from(result.body ?? '', 'base64').toString('utf8')
        : (result.body ?? '');
      return { status: result.statusCode ?? 200, headers, text, json: parseJson(text) };
    },
    async close() {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
    },
  };
}

/** createAzureApp's app through the HTTP trigger (the `/api` prefix); the Cosmos DB API server and Azurite. */
export async function azureHost(
  definition: BatonDefinition,
  env: Record<string, string>,
  emulators: { cosmosEndpoint: string; cosmosKey: string; queueConnection: string },
): Promise<HostUnderTest> {
  const database = 'baton-security';
  const container = `sessions-${randomUUID().slice(0, 8)}`;
  const store = new CosmosStore({
    clientOptions: cosmosConfig(emulators.cosmosEndpoint, emulators.cosmosKey),
    database,
    container,
    clock,
  });
  await store.ensureContainer();
  const { app, queue } = createAzureApp(definition, {
    env: {
      ...env,
      AzureWebJobsStorage: emulators.queueConnection,
      BATON_QUEUE_NAME: `security-${randomUUID().slice(0, 8)}`,
    },
    store,
    clock,
    logger: silentLogger,
  });
  await queue.createIfNotExists();
  const handler = createHttpHandler(app, { timeoutMs: 60_000 });
  return {
    name: 'azure',
    app,
    store,
    async send(request) {
      const host = 'baton-func.azurewebsites.net';
      const response = await handler(
        new HttpRequest({
          method: request.method,
          url: `https://${host}/api${request.path}`,
          headers: { host, 'x-forwarded-proto': 'https', ...request.headers },
          ...(request.body !== undefined ? { body: { string: request.body } } : {}),
        }),
        invocationContext(),
      );
      const headers = lowerCase((response.headers ?? {}) as Record<string, string>);
      // A live stream comes back as a ReadableStream (the handler streams event streams): not read.
      if (response.body instanceof ReadableStream) {
        await response.body.cancel();
        return { status: response.status ?? 200, headers, text: '', json: undefined };
      }
      const text = Buffer.from((response.body as Uint8Array | undefined) ?? new Uint8Array()).toString(
        'utf8',
      );
      return { status: response.status ?? 200, headers, text, json: parseJson(text) };
    },
    async close() {
      await store.client
        .database(database)
        .container(container)
        .delete()
        .catch(() => undefined);
      await store.close();
      await queue.client.delete().catch(() => undefined);
    },
  };
}

function splitPath(path: string): [string, string] {
  const at = path.indexOf('?');
  return at === -1 ? [path, ''] : [path.slice(0, at), path.slice(at + 1)];
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
