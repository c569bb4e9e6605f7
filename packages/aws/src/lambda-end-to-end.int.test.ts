import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import {
  type Baton,
  defineBaton,
  MemoryStore,
  type SessionEvent,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { callTools, ManualClock, reply, ScriptedModel, type ScriptedStep } from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { type SqsEmulator, startSqsEmulator } from './test-support/sqs-emulator.js';
import { RecordingQueue, testAgent } from './test-support/test-baton.js';

const ref = sessionRef('default', 'chat-1');
const TEXT = 'note milk, note eggs, then list my notes';

/** Four model calls of 4 s each: one fits an 8 s invocation (7 s after the margin), two do not. */
function script(clock?: ManualClock): ScriptedStep[] {
  const slow =
    (step: ScriptedStep): ScriptedStep =>
    (request) => {
      clock?.advance(4_000);
      return typeof step === 'function' ? step(request) : (step as ReturnType<typeof reply>);
    };
  return [
    slow(callTools([{ name: 'add_note', args: { text: 'milk' }, callId: 'c1' }])),
    slow(callTools([{ name: 'add_note', args: { text: 'eggs' }, callId: 'c2' }])),
    slow(callTools([{ name: 'list_notes', args: {}, callId: 'c3' }])),
    slow(reply('Your notes: milk, eggs.')),
  ];
}

/** What the conversation said, without where it was cut into invocations or when. */
function transcript(events: SessionEvent[]) {
  return events
    .filter((event) => event.kind !== 'continuation')
    .map((event) => {
      const { seq: _seq, at: _at, v: _v, ...rest } = event as SessionEvent & Record<string, unknown>;
      // Positions and timings differ with where the run was cut; the conversation must not.
      for (const key of ['latencyMs', 'durationMs', 'contextThrough']) delete rest[key];
      return rest;
    });
}

describe('Lambda handlers on DynamoDB Local and fauxqs', () => {
  let sqs: SqsEmulator;
  let dynamodb: DynamoDBClient;
  const tableName = `baton-aws-${randomUUID()}`;

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

  it('finishes an HTTP-started run in three short worker invocations with the transcript of one long run', async () => {
    const clock = new ManualClock();
    const queue = await sqs.createQueue(`runs-${randomUUID()}`);
    const model = new ScriptedModel(script(clock));
    const handlers = createLambdaHandlers(defineBaton({ agents: [testAgent(model)], auth: 'none' }), {
      store: new DynamoStore({ client: dynamodb, tableName, clock }),
      queue: new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock }),
      clock,
      logger: silentLogger,
      http: { safetyMarginMs: 1_000 },
      worker: { safetyMarginMs: 1_000, queueUrl: () => queue.url },
    });

    const started = (await handlers.http(
      httpEvent('function-url', { method: 'POST', path: '/sessions/chat-1/messages', body: { text: TEXT } }),
      lambdaContext({ clock, budgetMs: 8_000 }),
    )) as APIGatewayProxyStructuredResultV2;
    expect(started.statusCode).toBe(202);
    expect(model.calls).toHaveLength(1);

    // The input's safety-net message waits 30 s in SQS; the continuation is what the workers see.
    const batches: SQSEvent[] = [];
    for (let invocation = 0; invocation < 3; invocation++) {
      const event = await sqs.receiveEvent(queue);
      batches.push(event);
      const response = (await handlers.worker(
        event,
        lambdaContext({ clock, budgetMs: 8_000 }),
      )) as SQSBatchResponse;
      expect(response.batchItemFailures).toEqual([]);
      await deleteAll(sqs, queue.url, event);
    }
    expect(batches.map((event) => event.Records.map((record) => JSON.parse(record.body).reason))).toEqual([
      ['continue'],
      ['continue'],
      ['continue'],
    ]);
    const session = await handlers.app.baton.session(ref);
    expect(session).toMatchObject({ status: 'idle', lastReply: 'Your notes: milk, eggs.' });
    expect(transcript(await handlers.app.baton.events(ref))).toEqual(transcript(await referenceRun()));

    // A late duplicate of the first continuation changes nothing.
    const before = await handlers.app.baton.events(ref);
    await handlers.worker(batches[0]!, lambdaContext({ clock, budgetMs: 8_000 }));
    expect(await handlers.app.baton.events(ref)).toEqual(before);
    expect(model.calls).toHaveLength(4);
  });
});

/** The same conversation in one invocation with all the time it needs, as `npm start` runs it. */
async function referenceRun(): Promise<SessionEvent[]> {
  const clock = new ManualClock();
  const handlers = createLambdaHandlers(
    defineBaton({ agents: [testAgent(new ScriptedModel(script()))], auth: 'none' }),
    {
      store: new MemoryStore(),
      env: {},
      queue: new RecordingQueue(),
      clock,
      logger: silentLogger,
    },
  );
  const baton: Baton = handlers.app.baton;
  await baton.converse(ref, { text: TEXT, source: 'http' }, { deadline: clock.now() + 600_000 });
  return baton.events(ref);
}

async function deleteAll(sqs: SqsEmulator, queueUrl: string, event: SQSEvent): Promise<void> {
  if (event.Records.length === 0) return;
  await sqs.client.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: event.Records.map((record, index) => ({
        Id: String(index),
        ReceiptHandle: record.receiptHandle,
      })),
    }),
  );
}
