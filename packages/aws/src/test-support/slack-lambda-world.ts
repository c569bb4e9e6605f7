import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { defineBaton, type Model, silentLogger } from '@baton/core';
import { slack } from '@baton/slack';
import { FakeSlackApi, signedSlackRequest } from '@baton/slack/testing';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { ManualClock } from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createLambdaHandlers, type LambdaHandlers } from '../lambda-handlers.js';
import { SqsRunQueue } from '../sqs-run-queue.js';
import { httpEvent } from './fixtures.js';
import { lambdaContext } from './lambda-context.js';
import type { SqsEmulator, TestQueue } from './sqs-emulator.js';
import { testAgent } from './test-baton.js';

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

export interface SlackLambdaWorld {
  handlers: LambdaHandlers;
  api: FakeSlackApi;
  clock: ManualClock;
  queue: TestQueue;
  tableName: string;
  /** Slack posts `body` to the API Gateway (base64 body, as API Gateway passes form posts). */
  post(body: string, options?: SlackPost): Promise<APIGatewayProxyStructuredResultV2>;
  /** One worker invocation on what the run queue holds now; succeeded messages are deleted. */
  work(): Promise<{ event: SQSEvent; response: SQSBatchResponse }>;
  /** Worker invocations until the queue has no visible message. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Lambda handlers of an app with the `slack()` channel, configured by the environment: a DynamoDB Local
 * table, a fauxqs run queue, and @slack/web-api pointed at a FakeSlackApi.
 */
export async function slackLambdaWorld(
  sqs: SqsEmulator,
  dynamodb: DynamoDBClient,
  options: { model: Model },
): Promise<SlackLambdaWorld> {
  const clock = new ManualClock();
  const tableName = `baton-slack-${randomUUID()}`;
  await createTable(dynamodb, tableName, { timeToLive: false });
  const queue = await sqs.createQueue(`slack-runs-${randomUUID()}`);
  const api = await FakeSlackApi.start();
  const definition = defineBaton({ agents: [testAgent(options.model)], channels: [slack()], auth: 'none' });
  const handlers = createLambdaHandlers(definition, {
    store: new DynamoStore({ client: dynamodb, tableName, clock }),
    queue: new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock }),
    clock,
    logger: silentLogger,
    http: { safetyMarginMs: 1_000 },
    worker: { safetyMarginMs: 1_000, queueUrl: () => queue.url },
    env: {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: api.url,
      SLACK_APPROVERS: 'UBOSS',
    },
  });

  const work = async () => {
    const event = await sqs.receiveEvent(queue);
    const response = (await handlers.worker(
      event,
      lambdaContext({ clock, budgetMs: 20_000 }),
    )) as SQSBatchResponse;
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = event.Records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      await sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
    return { event, response };
  };

  return {
    handlers,
    api,
    clock,
    queue,
    tableName,
    async post(body, post = {}) {
      const signed = signedSlackRequest(body, {
        secret: SIGNING_SECRET,
        now: post.signedAt ?? clock.now(),
        ...(post.retryNum !== undefined ? { retryNum: post.retryNum } : {}),
      });
      const sent = post.sentBody ?? body;
      const headers = post.headers ?? (signed.headers as Record<string, string>);
      const event = httpEvent('http-api-v2', {
        method: 'POST',
        path: post.path ?? '/slack/events',
        arrivedAt: clock.now(),
        body: sent,
        base64: true,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(sent)) },
      });
      return (await handlers.http(
        event,
        lambdaContext({ clock, budgetMs: 20_000 }),
      )) as APIGatewayProxyStructuredResultV2;
    },
    work,
    async drain() {
      for (let invocation = 0; ; invocation++) {
        if (invocation >= 20) throw new Error('the run queue did not drain in 20 invocations');
        const { event } = await work();
        if (event.Records.length === 0) return;
      }
    },
    async close() {
      await api.close();
      await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}
