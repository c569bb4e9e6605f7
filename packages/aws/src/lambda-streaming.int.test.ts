import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { defineBaton, sessionRef, silentLogger } from '@baton/core';
import { openAICompatibleModel } from '@baton/model-openai';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { type GatedChatFake, startGatedChatFake } from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { installStreamingRuntime } from './test-support/lambda-streaming-runtime.js';
import { type SqsEmulator, startSqsEmulator } from './test-support/sqs-emulator.js';
import { testAgent } from './test-support/test-baton.js';

const ANSWER = 'Milk and eggs are on your list.';
const ref = sessionRef('default', 'chat-1');

/** The `data:` payloads of an SSE text, parsed (`[DONE]` kept as a string). */
function sseData(text: string): unknown[] {
  return text
    .split('\n\n')
    .flatMap((frame) => frame.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => line.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

/** The ids the stream gave its frames, in order (what EventSource keeps as Last-Event-ID). */
function sseIds(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('id: '))
    .map((line) => line.slice('id: '.length));
}

const textDeltas = (chunks: unknown[]) =>
  chunks
    .filter(
      (chunk): chunk is { type: 'text-delta'; delta: string } =>
        (chunk as { type?: string }).type === 'text-delta',
    )
    .map((chunk) => chunk.delta);

/**
 * The model runs in the SQS worker (one app, as one Lambda invocation) while the Function URL's
 * streaming handler (another app, another invocation) follows the session: the deltas can only
 * reach it through DynamoDB's live record.
 */
describe('a session streamed through the Function URL while the SQS worker runs the model', () => {
  let sqs: SqsEmulator;
  let dynamodb: DynamoDBClient;
  let runtime: ReturnType<typeof installStreamingRuntime>;
  let model: GatedChatFake;
  const tableName = `baton-stream-${randomUUID()}`;

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
  beforeEach(async () => {
    runtime = installStreamingRuntime();
    model = await startGatedChatFake(ANSWER);
  });
  afterEach(async () => {
    runtime.uninstall();
    model.release();
    await model.close();
  });

  it('shows text deltas before the answer is committed, and they add up to the committed answer', async () => {
    const queue = await sqs.createQueue(`runs-${randomUUID()}`);
    const instance = () =>
      createLambdaHandlers(
        defineBaton({
          agents: [
            testAgent(openAICompatibleModel({ baseURL: model.baseURL, model: 'gpt-test', apiKey: 'test' })),
          ],
          auth: 'none',
        }),
        {
          store: new DynamoStore({ client: dynamodb, tableName }),
          queue: new SqsRunQueue({ queueUrl: queue.url, client: sqs.client }),
          logger: silentLogger,
          // The input's run message is visible at once, for the worker below.
          safetyNetDelayMs: 0,
          http: { safetyMarginMs: 1_000 },
          worker: { safetyMarginMs: 1_000, queueUrl: () => queue.url },
        },
      );
    const front = instance();
    const back = instance();
    const clock = front.app.baton.clock;

    // Less time than a model call needs (5 s): the input is committed and left to the worker.
    const posted = (await front.http(
      httpEvent('http-api-v2', {
        method: 'POST',
        path: '/sessions/chat-1/messages',
        body: { text: 'list?' },
      }),
      lambdaContext({ clock, budgetMs: 5_500 }),
    )) as APIGatewayProxyStructuredResultV2;
    expect(posted.statusCode).toBe(202);

    const following = runtime.invoke(
      front.stream,
      httpEvent('function-url', {
        method: 'GET',
        path: '/sessions/chat-1/stream',
        query: 'until=finished',
        body: undefined,
      }),
      lambdaContext({ clock, budgetMs: 60_000 }),
    );
    const response = await following.response;
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);

    const event = await sqs.receiveEvent(queue);
    const working = back.worker(
      event,
      lambdaContext({ clock, budgetMs: 60_000 }),
    ) as Promise<SQSBatchResponse>;
    await model.halfway;

    // Read until the first text delta: it can only have come through the store's live record.
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (textDeltas(sseData(text)).length === 0) {
      const chunk = await reader.read();
      expect(chunk.done).toBe(false);
      text += decoder.decode(chunk.value, { stream: true });
    }
    const committedBefore = (await back.app.baton.events(ref)).filter((e) => e.kind === 'model_response');
    expect(committedBefore).toEqual([]);

    model.release();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += decoder.decode(chunk.value, { stream: true });
    }
    await following.done;
    expect((await working).batchItemFailures).toEqual([]);
    await sqs.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: event.Records.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
    );

    const chunks = sseData(text);
    expect(chunks.at(-1)).toBe('[DONE]');
    const session = await back.app.baton.session(ref);
    expect(session).toMatchObject({ status: 'idle', lastReply: ANSWER });
    expect(textDeltas(chunks).join('')).toBe(ANSWER);
  });

  it('streams the run a POST with Accept: text/event-stream starts, the model running in that invocation', async () => {
    const queue = await sqs.createQueue(`runs-${randomUUID()}`);
    const handlers = createLambdaHandlers(
      defineBaton({
        agents: [
          testAgent(openAICompatibleModel({ baseURL: model.baseURL, model: 'gpt-test', apiKey: 'test' })),
        ],
        auth: 'none',
      }),
      {
        store: new DynamoStore({ client: dynamodb, tableName }),
        queue: new SqsRunQueue({ queueUrl: queue.url, client: sqs.client }),
        logger: silentLogger,
      },
    );
    const ref2 = sessionRef('default', 'chat-2');
    const posting = runtime.invoke(
      handlers.stream,
      httpEvent('function-url', {
        method: 'POST',
        path: '/sessions/chat-2/messages',
        body: { text: 'list?' },
        headers: { accept: 'text/event-stream' },
      }),
      lambdaContext({ clock: handlers.app.baton.clock, budgetMs: 60_000 }),
    );
    const response = await posting.response;
    expect(response.status).toBe(200);
    await model.halfway;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (textDeltas(sseData(text)).length === 0) {
      const chunk = await reader.read();
      expect(chunk.done).toBe(false);
      text += decoder.decode(chunk.value, { stream: true });
    }
    expect((await handlers.app.baton.events(ref2)).filter((e) => e.kind === 'model_response')).toEqual([]);
    model.release();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text += decoder.decode(chunk.value, { stream: true });
    }
    await posting.done;
    expect(await handlers.app.baton.session(ref2)).toMatchObject({ status: 'idle', lastReply: ANSWER });
    expect(textDeltas(sseData(text)).join('')).toBe(ANSWER);
  });

  it('gives a client that drops mid-answer and comes back with Last-Event-ID the rest of the answer once', async () => {
    const queue = await sqs.createQueue(`runs-${randomUUID()}`);
    const instance = () =>
      createLambdaHandlers(
        defineBaton({
          agents: [
            testAgent(openAICompatibleModel({ baseURL: model.baseURL, model: 'gpt-test', apiKey: 'test' })),
          ],
          auth: 'none',
        }),
        {
          store: new DynamoStore({ client: dynamodb, tableName }),
          queue: new SqsRunQueue({ queueUrl: queue.url, client: sqs.client }),
          logger: silentLogger,
          safetyNetDelayMs: 0,
          http: { safetyMarginMs: 1_000 },
          worker: { safetyMarginMs: 1_000, queueUrl: () => queue.url },
        },
      );
    const front = instance();
    const back = instance();
    const clock = front.app.baton.clock;
    const ref3 = sessionRef('default', 'chat-3');
    const posted = (await front.http(
      httpEvent('http-api-v2', {
        method: 'POST',
        path: '/sessions/chat-3/messages',
        body: { text: 'list?' },
      }),
      lambdaContext({ clock, budgetMs: 5_500 }),
    )) as APIGatewayProxyStructuredResultV2;
    expect(posted.statusCode).toBe(202);
    const follow = (headers: Record<string, string> = {}) =>
      runtime.invoke(
        front.stream,
        httpEvent('function-url', {
          method: 'GET',
          path: '/sessions/chat-3/stream',
          query: 'until=finished',
          body: undefined,
          headers,
        }),
        lambdaContext({ clock, budgetMs: 60_000 }),
      );

    const first = follow();
    const event = await sqs.receiveEvent(queue);
    const working = back.worker(
      event,
      lambdaContext({ clock, budgetMs: 60_000 }),
    ) as Promise<SQSBatchResponse>;
    await model.halfway;
    const reader = (await first.response).body.getReader();
    const decoder = new TextDecoder();
    let before = '';
    while (textDeltas(sseData(before)).length === 0) {
      const chunk = await reader.read();
      expect(chunk.done).toBe(false);
      before += decoder.decode(chunk.value, { stream: true });
    }
    // The connection drops: the invocation's stream fails, the app's follow is cancelled.
    await reader.cancel();
    await expect(first.done).rejects.toThrow();
    model.release();
    expect((await working).batchItemFailures).toEqual([]);

    const lastId = sseIds(before).at(-1);
    expect(lastId).toBeDefined();
    const second = follow({ 'last-event-id': lastId! });
    const after = await new Response((await second.response).body).text();
    await second.done;
    expect(sseData(after).at(-1)).toBe('[DONE]');
    expect(sseIds(after).filter((id) => sseIds(before).includes(id))).toEqual([]);
    expect(textDeltas([...sseData(before), ...sseData(after)]).join('')).toBe(ANSWER);
    expect(await back.app.baton.session(ref3)).toMatchObject({ status: 'idle', lastReply: ANSWER });
  });
});
