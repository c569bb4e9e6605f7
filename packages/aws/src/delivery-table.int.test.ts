import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { silentLogger } from '@baton/core';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import {
  DELIVERY_CASES,
  deliveryTableApp,
  expectDisposition,
  ManualClock,
  type ObservedDisposition,
  observedSession,
  SwitchableModel,
} from '@baton/testing';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { type SqsEmulator, startSqsEmulator, type TestQueue } from './test-support/sqs-emulator.js';
import { RecordingQueue } from './test-support/test-baton.js';

/** The queue's redrive maxReceiveCount, given to the worker as BATON_MAX_RECEIVES. */
const MAX_RECEIVES = 5;

/**
 * The delivery decision table through the real SQS worker: each case's message is sent to a fauxqs
 * queue, received as many times as the case's attempt says (SQS counts the receives), handed to
 * the Lambda handler as Lambda would, and then the queue tells what happened to it.
 */
describe('the delivery table on the SQS worker (fauxqs, DynamoDB Local)', () => {
  let sqs: SqsEmulator;
  let dynamodb: DynamoDBClient;
  const tableName = `baton-delivery-${randomUUID()}`;

  beforeAll(async () => {
    sqs = await startSqsEmulator();
    dynamodb = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await createTable(dynamodb, tableName, { timeToLive: false });
  });
  afterAll(async () => {
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    dynamodb.destroy();
    await sqs.stop();
  });

  for (const [index, testCase] of DELIVERY_CASES.entries()) {
    it(testCase.name, async () => {
      const clock = new ManualClock(1_700_000_000_000);
      const model = new SwitchableModel();
      const queue = await sqs.createQueue(`runs-${randomUUID()}`);
      const dlq = await sqs.createQueue(`runs-dlq-${randomUUID()}`);
      const handlers = createLambdaHandlers(deliveryTableApp(model), {
        store: new DynamoStore({ client: dynamodb, tableName, clock }),
        queue: new RecordingQueue(),
        clock,
        logger: silentLogger,
        env: { BATON_MAX_RECEIVES: String(MAX_RECEIVES), BATON_DLQ_URL: dlq.url },
        worker: { client: sqs.client, queueUrl: () => queue.url },
      });
      const { baton } = handlers.app;
      const ref = { tenant: 'acme', sessionId: `delivery-${index}-${randomUUID()}` };
      const { body, attempt } = await testCase.arrange({ baton, model, maxAttempts: MAX_RECEIVES }, ref);

      const text = typeof body === 'string' ? body : JSON.stringify(body);
      await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: text }));
      const event = await receiveAsAttempt(sqs, queue, attempt);
      const [record] = event.Records;
      expect(record?.attributes.ApproximateReceiveCount).toBe(String(attempt));
      const response = (await handlers.worker(
        event,
        lambdaContext({ clock, budgetMs: 900_000 }),
      )) as SQSBatchResponse;
      await deleteSucceeded(sqs, queue, event, response);

      const observed = await observe(sqs, queue, dlq, record!.messageId, response);
      expectDisposition(observed, testCase.expected);
      expect(await observedSession(baton, ref)).toEqual(testCase.session);
    });
  }
});

/** Receives the only message `attempt` times, so its ApproximateReceiveCount is the case's attempt. */
async function receiveAsAttempt(sqs: SqsEmulator, queue: TestQueue, attempt: number): Promise<SQSEvent> {
  for (let receive = 1; receive < attempt; receive++) {
    const earlier = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, VisibilityTimeout: 0 }),
    );
    expect(earlier.Messages).toHaveLength(1);
  }
  return sqs.receiveEvent(queue, { max: 1 });
}

/** What Lambda does with the partial batch response: deletes every record not reported failed. */
async function deleteSucceeded(
  sqs: SqsEmulator,
  queue: TestQueue,
  event: SQSEvent,
  response: SQSBatchResponse,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = event.Records.filter((record) => !failed.has(record.messageId));
  if (done.length === 0) return;
  await sqs.client.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
    }),
  );
}

/** Reads the disposition back from the queues: in the DLQ, re-sent as a delayed copy, held back, or gone. */
async function observe(
  sqs: SqsEmulator,
  queue: TestQueue,
  dlq: TestQueue,
  messageId: string,
  response: SQSBatchResponse,
): Promise<ObservedDisposition> {
  const [dead] = (await sqs.receiveEvent(dlq)).Records;
  if (dead) {
    expect(dead.messageAttributes['baton-source-message-id']?.stringValue).toBe(messageId);
    return { action: 'dead_letter', code: dead.messageAttributes['baton-error-code']?.stringValue ?? '' };
  }
  const contents = await sqs.inspect(queue);
  const reported = response.batchItemFailures.some((failure) => failure.itemIdentifier === messageId);
  const [held] = contents.inflight;
  if (reported && held) {
    return {
      action: 'retry',
      consumesAttempt: true,
      delayMs: Math.max(0, held.visibilityDeadline - Date.now()),
    };
  }
  const [copy] = [...contents.delayed, ...contents.ready];
  if (!reported && copy) {
    expect(copy.messageId).not.toBe(messageId);
    const delayMs = copy.delayUntil !== undefined ? copy.delayUntil - copy.sentTimestamp : 0;
    return { action: 'retry', consumesAttempt: false, delayMs };
  }
  expect({ reported, ...contents }).toEqual({ reported: false, ready: [], delayed: [], inflight: [] });
  return { action: 'done' };
}
