import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import type { HttpResponseInit } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { type Baton, defineBaton, type Model, silentLogger } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { slack } from '@baton/slack';
import { FakeSlackApi, signedSlackRequest } from '@baton/slack/testing';
import { CosmosStore } from '@baton/store-cosmos';
import { inject } from 'vitest';
import { createAzureApp } from './azure-app.js';
import { createHttpHandler } from './http-handler.js';
import { createRunQueueHandler } from './queue-handlers.js';
import { type DeliveryResult, QueueHostEmulation } from './queue-host-emulation.js';
import type { StorageQueueRunQueue } from './storage-queue-run-queue.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

export const SIGNING_SECRET = 'test-signing-secret';

export interface SlackPost {
  path?: string;
  retryNum?: number;
  /** Epoch ms the request is signed at; default now. */
  signedAt?: number;
  /** Replaces the headers Slack would send (an unsigned request, say). */
  headers?: Record<string, string>;
  /** Sent instead of the body that was signed (a body altered on the way). */
  sentBody?: string;
}

export interface SlackAzureWorld {
  baton: Baton;
  queue: StorageQueueRunQueue;
  api: FakeSlackApi;
  /** The run queue's trigger as the Functions host drives it (base64 messages, poison after 5). */
  host: QueueHostEmulation;
  /** Slack posts `body` to the HTTP trigger (`/api/slack/events` unless `path` says otherwise). */
  post(body: string, options?: SlackPost): Promise<HttpResponseInit>;
  drain(): Promise<DeliveryResult[]>;
  close(): Promise<void>;
}

/**
 * The Functions app as `registerBaton` wires it, the example agent with `slack()` as its channel,
 * configured by app settings: Cosmos DB
 * (the Cosmos DB API server, a container per world), a Storage Queue on Azurite, and
 * @slack/web-api pointed at a FakeSlackApi.
 */
export async function slackAzureWorld(options: { model: Model }): Promise<SlackAzureWorld> {
  const connectionString = inject('azuriteQueueConnection');
  const queueName = `slack-${randomUUID().slice(0, 8)}`;
  const api = await FakeSlackApi.start();
  const store = new CosmosStore({
    clientOptions: {
      endpoint: inject('cosmosEndpoint'),
      key: inject('cosmosKey'),
      // The server's certificate is self-signed: only this client trusts it.
      agent: new Agent({ rejectUnauthorized: false }),
    },
    database: 'baton-azure-test',
    container: `slack-${randomUUID()}`,
  });
  await store.ensureContainer();
  const definition = defineBaton({
    agents: [createExampleAgent(options.model)],
    channels: [slack()],
    auth: 'none',
  });
  const { app, queue } = createAzureApp(definition, {
    env: {
      AzureWebJobsStorage: connectionString,
      BATON_QUEUE_NAME: queueName,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: api.url,
      SLACK_APPROVERS: 'UBOSS',
    },
    store,
    logger: silentLogger,
  });
  await queue.createIfNotExists();
  const poison = new QueueClient(connectionString, `${queueName}-poison`);
  const http = createHttpHandler(app, { timeoutMs: 600_000 });
  const runs = createRunQueueHandler(app, { queue, timeoutMs: 600_000, maxDequeueCount: 5 });
  const host = new QueueHostEmulation(queue.client, runs, 5, poison);
  const baton = app.baton;

  return {
    baton,
    queue,
    api,
    host,
    async post(body, post = {}) {
      const signed = signedSlackRequest(body, {
        secret: SIGNING_SECRET,
        now: post.signedAt ?? Date.now(),
        ...(post.retryNum !== undefined ? { retryNum: post.retryNum } : {}),
      });
      const request = fixtureRequest('post-message', {
        path: `/api${post.path ?? '/slack/events'}`,
        body: post.sentBody ?? body,
        headers: post.headers ?? (signed.headers as Record<string, string>),
      });
      const response = await http(request, invocationContext());
      return { ...response, body: Buffer.from(response.body as Uint8Array).toString('utf8') };
    },
    drain: () => host.drain(),
    async close() {
      await api.close();
      await store.close?.();
    },
  };
}
