import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  defineAgent,
  defineBaton,
  readWebhookOutbox,
  sessionRef,
  silentLogger,
  verifyWebhookSignature,
} from '@baton/core';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import {
  ManualClock,
  reply,
  ScriptedModel,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createLambdaHandlers } from './lambda-handlers.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { releasedMessage } from './test-support/lambda-emulators.js';
import {
  type SqsEmulator,
  startSqsEmulator,
  type TestQueue,
  toSqsEvent,
} from './test-support/sqs-emulator.js';
import { testAgent } from './test-support/test-baton.js';

/**
 * Webhooks through the Lambda handlers on DynamoDB Local and fauxqs: the HTTP function registers
 * and runs, its invocation sends the first attempt, and the `outbox` run message goes through the
 * SQS worker (a copy re-sent with its delay while the next attempt is not due) until the receiver
 * answers 2xx. fauxqs delays by the real clock: the test takes each queued body and delivers it as
 * the event source would, with a manual clock.
 */
describe('webhooks on the Lambda handlers', () => {
  let sqs: SqsEmulator;
  let dynamodb: DynamoDBClient;
  let hook: WebhookReceiver | undefined;
  const tableName = `baton-webhooks-${randomUUID()}`;

  beforeAll(async () => {
    sqs = await startSqsEmulator();
    dynamodb = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await createTable(dynamodb, tableName, { timeToLive: false });
  });
  afterEach(async () => {
    await hook?.close();
  });
  afterAll(async () => {
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    dynamodb.destroy();
    await sqs.stop();
  });

  async function outboxBodies(queue: TestQueue, seen: Set<string>): Promise<string[]> {
    const contents = await sqs.inspect(queue);
    const all = [...contents.ready, ...contents.delayed];
    const fresh = all.filter((message) => !seen.has(message.messageId));
    for (const message of fresh) seen.add(message.messageId);
    return fresh.map((message) => message.body).filter((body) => JSON.parse(body).reason === 'outbox');
  }

  it('delivers once to a receiver that fails three times, with four signed attempts of one event id', async () => {
    hook = await startWebhookReceiver({ failures: 3 });
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    const queue = await sqs.createQueue(`runs-${randomUUID()}`);
    const model = new ScriptedModel((_request, index) => reply(`result ${index + 1}`));
    const handlers = createLambdaHandlers(defineBaton({ agents: [testAgent(model)], auth: 'none' }), {
      store: new DynamoStore({ client: dynamodb, tableName, clock }),
      queue: new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock }),
      clock,
      logger: silentLogger,
      env: { BATON_WEBHOOKS_ALLOW_LOCAL: '1' },
      worker: { safetyMarginMs: 1_000, queueUrl: () => queue.url },
    });
    const http = async (method: string, path: string, body: unknown) =>
      (await handlers.http(
        httpEvent('function-url', { method, path, body }),
        lambdaContext({ clock, budgetMs: 8_000 }),
      )) as APIGatewayProxyStructuredResultV2;
    const worker = async (body: string) =>
      (await handlers.worker(
        toSqsEvent([releasedMessage(body)], queue.arn),
        lambdaContext({ clock, budgetMs: 60_000 }),
      )) as SQSBatchResponse;

    expect((await http('POST', '/sessions/w1/messages', { text: 'start' })).statusCode).toBe(200);
    const registered = await http('POST', '/sessions/w1/webhooks', {
      url: hook.url,
      events: ['run.finished'],
    });
    expect(registered.statusCode).toBe(201);
    const { secret } = JSON.parse(registered.body!).webhook as { secret: string };
    expect((await http('POST', '/sessions/w1/messages', { text: 'the job' })).statusCode).toBe(200);
    expect(hook.received).toHaveLength(1);

    const seen = new Set<string>();
    let pending = await outboxBodies(queue, seen);
    expect(pending).toHaveLength(1);
    for (let round = 0; round < 20 && pending.length > 0; round++) {
      clock.advance(1_000);
      const next: string[] = [];
      for (const body of pending) {
        expect((await worker(body)).batchItemFailures).toEqual([]);
        next.push(...(await outboxBodies(queue, seen)));
      }
      pending = next;
    }
    expect(pending).toHaveLength(0);

    expect(hook.received.map((request) => request.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(hook.received.map((request) => request.eventId)).size).toBe(1);
    for (const request of hook.received) {
      const check = verifyWebhookSignature({
        body: request.body,
        header: request.signature,
        secret,
        now: Math.floor(clock.now() / 1000),
      });
      expect(check.ok).toBe(true);
    }
    const events = await handlers.app.baton.events(sessionRef('default', 'w1'));
    const [entry, ...more] = readWebhookOutbox(events);
    expect(more).toHaveLength(0);
    expect(entry!.attempts).toHaveLength(3);
    expect(entry!.sent).toEqual({ status: 200, attempt: 4 });
    expect(events.filter((event) => event.kind === 'outbox_sent')).toHaveLength(1);
  });

  it("delivers a queue-triggered job's schema-checked JSON result to the agent's webhook, signed", async () => {
    hook = await startWebhookReceiver();
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    const queue = await sqs.createQueue(`jobs-${randomUUID()}`);
    // The first answer misses the schema: the loop feeds the mismatch back and the second fits.
    const model = new ScriptedModel([reply('{"orders":"three"}'), reply('{"orders":3,"currency":"EUR"}')]);
    const agent = defineAgent({
      name: 'jobs',
      instructions: 'Count the orders.',
      model,
      output: z.object({ orders: z.number().int(), currency: z.enum(['EUR', 'USD']) }),
      // A model call needs 5 s of the worker's budget (the default 60 s would not fit in it).
      timing: { modelCallMs: 5_000 },
      webhooks: [{ url: hook.url, events: ['run.finished'], secretEnv: 'JOBS_WEBHOOK_SECRET' }],
    });
    const handlers = createLambdaHandlers(defineBaton({ agents: [agent], auth: 'none' }), {
      store: new DynamoStore({ client: dynamodb, tableName, clock }),
      queue: new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock }),
      clock,
      logger: silentLogger,
      env: { BATON_WEBHOOKS_ALLOW_LOCAL: '1', JOBS_WEBHOOK_SECRET: 'whsec_jobs_aws' },
      worker: { safetyMarginMs: 1_000, queueUrl: () => queue.url },
    });

    // A job enters as queued input: recorded, then run by the SQS worker from its run message.
    const ref = sessionRef('default', `job-${randomUUID()}`);
    await handlers.app.baton.submit(ref, { text: 'count the orders', source: 'queue' });
    const contents = await sqs.inspect(queue);
    const runs = [...contents.ready, ...contents.delayed].map((message) => message.body);
    expect(runs.map((body) => JSON.parse(body).reason)).toEqual(['input']);
    const result = (await handlers.worker(
      toSqsEvent([releasedMessage(runs[0]!)], queue.arn),
      lambdaContext({ clock, budgetMs: 60_000 }),
    )) as SQSBatchResponse;
    expect(result.batchItemFailures).toEqual([]);

    expect(model.calls).toHaveLength(2);
    expect(model.calls[0]!.output).toMatchObject({ name: 'output', schema: { type: 'object' } });
    expect(hook.received).toHaveLength(1);
    const check = verifyWebhookSignature({
      body: hook.received[0]!.body,
      header: hook.received[0]!.signature,
      secret: 'whsec_jobs_aws',
      now: Math.floor(clock.now() / 1000),
    });
    expect(check.ok).toBe(true);
    expect(JSON.parse(hook.received[0]!.body)).toMatchObject({
      type: 'run.finished',
      session: { id: ref.sessionId, agent: 'jobs' },
      data: { reason: 'completed', output: { orders: 3, currency: 'EUR' } },
    });
    const events = await handlers.app.baton.events(ref);
    expect(events.filter((event) => event.kind === 'error')).toEqual([
      expect.objectContaining({ code: 'output_invalid' }),
    ]);
    expect((await handlers.app.baton.session(ref)).lastOutput).toEqual({ orders: 3, currency: 'EUR' });
  });
});
