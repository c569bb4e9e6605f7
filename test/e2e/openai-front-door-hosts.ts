import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createLambdaHandlers, SqsRunQueue } from '@baton/aws';
import { createAzureApp, createHttpHandler, createRunQueueHandler } from '@baton/azure';
import {
  apiKeys,
  type BatonDefinition,
  defineBaton,
  generateApiKey,
  type RunMessage,
  type SessionStore,
  type SessionView,
  silentLogger,
  systemClock,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { DynamoStore } from '@baton/store-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import OpenAI from 'openai';
import { lambdaContext } from '../../packages/aws/src/test-support/lambda-context.js';
import type { LambdaEmulators } from '../../packages/aws/src/test-support/lambda-emulators.js';
import { serveLambdaHandlers } from '../../packages/aws/src/test-support/lambda-http-server.js';
import { installStreamingRuntime } from '../../packages/aws/src/test-support/lambda-streaming-runtime.js';
import { toSqsEvent } from '../../packages/aws/src/test-support/sqs-emulator.js';
import { QueueHostEmulation } from '../../packages/azure/src/queue-host-emulation.js';
import { emulatorCosmosStore } from '../../packages/azure/src/test-emulator-store.js';
import { serveAzureHandler } from '../../packages/azure/src/test-http-server.js';
import { type OpenAiHost, openAiConversationModel } from './openai-conversation.js';

/** A host serving the front door over real HTTP, and what it did to answer. */
export interface FrontDoorHost extends OpenAiHost {
  store: SessionStore;
  /** `METHOD /path` of each HTTP invocation, per entry point (API Gateway / Function URL / Azure). */
  invocations: Record<string, string[]>;
  /** Body chunks per invocation of the entry point that streams (Function URL / Azure). */
  chunks: number[];
  /** The reason of each run message a worker invocation handled (runs an HTTP invocation handed off). */
  workerMessages: string[];
  close(): Promise<void>;
}

/** The example agent on the conversation's model (openai-conversation.ts); API keys. */
function definition(): BatonDefinition {
  return defineBaton({ agents: [createExampleAgent(openAiConversationModel())], auth: apiKeys() });
}

/**
 * An `openai` client for a deployment: the Baton API key as the SDK's key (sent as `Authorization:
 * Bearer`), `<root>/v1` as the base URL, no retries (the test sees every answer). `streamRoot`,
 * when given, takes the requests whose body says `stream: true`, as a client of an AWS stack
 * sends them to the Function URL and the rest to API Gateway.
 */
function client(root: string, apiKey: string, streamRoot?: string): OpenAI {
  return new OpenAI({
    baseURL: `${root}/v1`,
    apiKey,
    maxRetries: 0,
    timeout: 60_000,
    fetch: (url, init) => {
      const streamed = typeof init?.body === 'string' && /"stream":\s*true/.test(init.body);
      const target = streamRoot && streamed ? String(url).replace(root, streamRoot) : url;
      return fetch(target, init);
    },
  });
}

/** `GET /sessions/{id}` on `root` with the key, as OpenAiHost's `session`. */
function sessionReader(root: string, apiKey: string): OpenAiHost['session'] {
  return async (sessionId) => {
    const answer = await fetch(`${root}/sessions/${encodeURIComponent(sessionId)}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    if (answer.status !== 200)
      throw new Error(`GET /sessions/${sessionId}: ${answer.status} ${await answer.text()}`);
    return ((await answer.json()) as { session: SessionView }).session;
  };
}

/** A key of tenant acme with every scope, created in `store` as `baton keys create` does. */
async function acmeKey(store: SessionStore): Promise<string> {
  const made = generateApiKey({ tenant: 'acme', scopes: ['send', 'read', 'approve'] }, systemClock);
  await store.apiKeys!.createApiKey(made.record);
  return made.key;
}

/**
 * Baton on Lambda as a client reaches it: createLambdaHandlers (DynamoDB Local, the run queue on
 * fauxqs) behind API Gateway (buffered, `handlers.http`) and the HttpStream Function URL
 * (RESPONSE_STREAM, `handlers.stream` under the runtime stand-in); the SQS worker takes what the
 * queue makes visible meanwhile, as the event source does.
 */
export async function startLambdaFrontDoor(env: LambdaEmulators): Promise<FrontDoorHost> {
  const runtime = installStreamingRuntime();
  const queue = await env.sqs.createQueue(`front-door-${randomUUID()}`);
  const store = new DynamoStore({ client: env.dynamodb, tableName: env.tableName });
  const handlers = createLambdaHandlers(definition(), {
    store,
    queue: new SqsRunQueue({ queueUrl: queue.url, client: env.sqs.client }),
    logger: silentLogger,
    env: {},
    worker: { queueUrl: () => queue.url },
  });
  // The SQS event source: long-polls the queue while the host is up and hands each batch to the
  // worker, so a run the HTTP invocation left to the queue goes on while that invocation waits.
  const workerMessages: string[] = [];
  let polling = true;
  let failure: unknown;
  const eventSource = (async () => {
    while (polling) {
      const received = await env.sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (!received.Messages?.length) continue;
      const event = toSqsEvent(received.Messages, queue.arn);
      workerMessages.push(...event.Records.map((record) => (JSON.parse(record.body) as RunMessage).reason));
      const result = (await handlers.worker(
        event,
        lambdaContext({ clock: systemClock, budgetMs: 300_000 }),
      )) as SQSBatchResponse;
      const failed = new Set(result.batchItemFailures.map((item) => item.itemIdentifier));
      const done = event.Records.filter((record) => !failed.has(record.messageId));
      if (done.length > 0) {
        await env.sqs.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: done.map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
            })),
          }),
        );
      }
    }
  })().catch((error: unknown) => {
    failure = error;
  });
  const server = await serveLambdaHandlers(handlers, runtime);
  const apiKey = await acmeKey(store);
  return {
    client: client(server.apiUrl, apiKey, server.streamUrl),
    session: sessionReader(server.apiUrl, apiKey),
    store,
    invocations: { apiGateway: server.invocations.api, functionUrl: server.invocations.stream },
    chunks: server.streamedChunks,
    workerMessages,
    async close() {
      polling = false;
      await eventSource;
      if (failure) throw failure;
      await server.close();
      runtime.uninstall();
    },
  };
}

/**
 * Baton on Azure Functions as a client reaches it: createAzureApp (the Cosmos DB API server, the
 * run queue on Azurite) behind the catch-all HTTP trigger, served as the host does with
 * `enableHttpStream` (an event stream chunk by chunk); after each invocation the queue trigger
 * takes whatever the queue made visible.
 */
export async function startAzureFrontDoor(emulators: { queueConnection: string }): Promise<FrontDoorHost> {
  const store = await emulatorCosmosStore('front-door');
  const { app, queue } = createAzureApp(definition(), {
    env: {
      AzureWebJobsStorage: emulators.queueConnection,
      BATON_QUEUE_NAME: `front-door-${randomUUID().slice(0, 8)}`,
    },
    store,
    logger: silentLogger,
  });
  await queue.createIfNotExists();
  const worker = new QueueHostEmulation(
    queue.client,
    createRunQueueHandler(app, { queue, timeoutMs: 300_000, maxDequeueCount: 5 }),
    5,
  );
  const workerMessages: string[] = [];
  const drain = async () => {
    for (let item = await worker.receive(); item; item = await worker.receive()) {
      const text = Buffer.from(item.messageText, 'base64').toString('utf8');
      workerMessages.push((JSON.parse(text) as RunMessage).reason);
      const result = await worker.deliver(item);
      if (result !== 'completed') throw new Error(`the queue handler did not complete a message: ${result}`);
    }
  };
  const server = await serveAzureHandler(createHttpHandler(app, { timeoutMs: 230_000 }), {
    afterInvocation: drain,
  });
  const apiKey = await acmeKey(store);
  return {
    client: client(server.apiUrl, apiKey),
    session: sessionReader(server.apiUrl, apiKey),
    store,
    invocations: { functions: server.invocations },
    chunks: server.chunks,
    workerMessages,
    async close() {
      await server.close();
      await store.client
        .database(store.names.database)
        .container(store.names.container)
        .delete()
        .catch(() => undefined);
      await store.close();
      await queue.client.delete().catch(() => undefined);
    },
  };
}
