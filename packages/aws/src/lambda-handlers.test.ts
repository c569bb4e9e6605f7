import { jsonLogger, MemoryStore } from '@baton/core';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import type { ScheduledEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { fixture, sqsBatchFixture } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { RecordingQueue, testAgent } from './test-support/test-baton.js';

const env = {
  BATON_TABLE: 'baton',
  BATON_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/baton-runs',
  AWS_REGION: 'eu-west-1',
};

describe('createLambdaHandlers', () => {
  it('builds one Baton on DynamoDB and SQS when the environment names them', () => {
    const { baton } = createLambdaHandlers({ agents: [testAgent(new ScriptedModel([]))], env });
    expect(baton.store.name).toBe('dynamodb');
    expect(baton.queue).toBeInstanceOf(SqsRunQueue);
    expect((baton.queue as SqsRunQueue).queueUrl).toBe(env.BATON_QUEUE_URL);
  });

  it('stops the cold start with a clear message when a setting is missing or malformed', () => {
    const agents = [testAgent(new ScriptedModel([]))];
    const store = new MemoryStore();
    const saved = process.env.BATON_QUEUE_URL;
    delete process.env.BATON_QUEUE_URL;
    try {
      expect(() => createLambdaHandlers({ agents, store, env: {} })).toThrow(/BATON_QUEUE_URL/);
    } finally {
      if (saved !== undefined) process.env.BATON_QUEUE_URL = saved;
    }
    expect(() =>
      createLambdaHandlers({ agents, store, env: { ...env, BATON_SAFETY_NET_DELAY_MS: 'soon' } }),
    ).toThrow(/BATON_SAFETY_NET_DELAY_MS must be a non-negative integer/);
  });

  it('puts the invocation id, and the message id and session for records, on every log line', async () => {
    const lines: Record<string, unknown>[] = [];
    const clock = new ManualClock();
    const handlers = createLambdaHandlers({
      agents: [testAgent(new ScriptedModel([reply('hi')]))],
      store: new MemoryStore(),
      queue: new RecordingQueue(),
      clock,
      logger: jsonLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }),
      env,
    });
    const httpContext = lambdaContext({ clock, budgetMs: 20_000 });
    await handlers.http(fixture('http-api-v2'), httpContext);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ invocation: httpContext.awsRequestId });
    expect(lines.some((line) => line.session === 'default/chat-1')).toBe(true);

    lines.length = 0;
    const workerContext = lambdaContext({ clock, budgetMs: 20_000 });
    const response = await handlers.worker(sqsBatchFixture(), workerContext);
    const [, poison] = sqsBatchFixture().Records;
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison!.messageId }] });
    for (const line of lines) expect(line).toMatchObject({ invocation: workerContext.awsRequestId });
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'poison message: a retry cannot help',
        messageId: poison!.messageId,
      }),
    );
    expect(
      lines.filter(
        (line) => line.messageId !== undefined && line.message !== 'poison message: a retry cannot help',
      ),
    ).toEqual(expect.arrayContaining([expect.objectContaining({ session: 'acme/chat-1' })]));
  });

  it('re-enqueues a run whose message was lost when the sweeper runs', async () => {
    const clock = new ManualClock();
    const queue = new RecordingQueue();
    const handlers = createLambdaHandlers({
      agents: [testAgent(new ScriptedModel([]))],
      store: new MemoryStore(),
      queue,
      clock,
      env: { ...env, BATON_SWEEP_IDLE_MS: '60000' },
      logger: jsonLogger({ write: () => undefined }),
    });
    await handlers.baton.submit({ tenant: 'acme', sessionId: 'lost' }, { text: 'hello', source: 'test' });
    queue.sent.length = 0;
    const scheduled = fixture<ScheduledEvent>('scheduled');
    expect(await handlers.sweeper(scheduled, lambdaContext({ clock, budgetMs: 60_000 }))).toEqual({
      enqueued: 0,
    });
    clock.advance(60_001);
    expect(await handlers.sweeper(scheduled, lambdaContext({ clock, budgetMs: 60_000 }))).toEqual({
      enqueued: 1,
    });
    expect(queue.sent[0]?.message).toMatchObject({ tenant: 'acme', sessionId: 'lost', reason: 'retry' });
  });
});
