import { ConfigurationError, defineBaton, jsonLogger, MemoryStore, ModelError } from '@baton/core';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import type { ScheduledEvent, SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { fixture, httpEvent, sqsBatchFixture } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { RecordingQueue, testAgent } from './test-support/test-baton.js';

const env = {
  BATON_TABLE: 'baton',
  BATON_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/baton-runs',
  AWS_REGION: 'eu-west-1',
};

const definitionWith = (model: ScriptedModel) => defineBaton({ agents: [testAgent(model)], auth: 'none' });
const quiet = jsonLogger({ write: () => undefined });

describe('createLambdaHandlers', () => {
  it('builds one app on DynamoDB and SQS when the environment names them', () => {
    const { app } = createLambdaHandlers(definitionWith(new ScriptedModel([])), { env, logger: quiet });
    expect(app.baton.store.name).toBe('dynamodb');
    expect(app.baton.queue).toBeInstanceOf(SqsRunQueue);
    expect((app.baton.queue as SqsRunQueue).queueUrl).toBe(env.BATON_QUEUE_URL);
  });

  it('stops the cold start with a one-line ConfigurationError when a setting is missing or malformed', () => {
    const definition = definitionWith(new ScriptedModel([]));
    const store = new MemoryStore();
    const attempt = (settings: Record<string, string>) => () =>
      createLambdaHandlers(definition, { store, env: settings, logger: quiet });
    expect(attempt({})).toThrow(ConfigurationError);
    expect(attempt({})).toThrow('BATON_QUEUE_URL is not set');
    expect(() => createLambdaHandlers(definition, { env: {}, logger: quiet })).toThrow(
      'BATON_TABLE is not set',
    );
    expect(attempt({ ...env, BATON_SAFETY_NET_DELAY_MS: 'soon' })).toThrow(
      /BATON_SAFETY_NET_DELAY_MS must be a non-negative integer/,
    );
    expect(attempt({ ...env, BATON_MAX_RECEIVES: 'ten' })).toThrow(/BATON_MAX_RECEIVES/);
    expect(attempt({ ...env, BATON_MAX_RECEIVES: '0' })).toThrow(/BATON_MAX_RECEIVES must be at least 1/);
    expect(() =>
      createLambdaHandlers(definition, { env: { ...env, BATON_TTL_SECONDS: '1d' }, logger: quiet }),
    ).toThrow(/BATON_TTL_SECONDS/);
  });

  it('refuses to start with one line naming the fix when the definition declares no auth', () => {
    const definition = defineBaton({ agents: [testAgent(new ScriptedModel([]))] });
    const start = () =>
      createLambdaHandlers(definition, {
        store: new MemoryStore(),
        queue: new RecordingQueue(),
        env,
        logger: quiet,
      });
    expect(start).toThrow(ConfigurationError);
    expect(start).toThrow(/auth/);
    let message = '';
    try {
      start();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toHaveLength(1);
  });

  it("starts with auth 'none' said out loud and announces it in the log", () => {
    const lines: Record<string, unknown>[] = [];
    createLambdaHandlers(definitionWith(new ScriptedModel([])), {
      store: new MemoryStore(),
      queue: new RecordingQueue(),
      env,
      logger: jsonLogger({ write: (line) => lines.push(JSON.parse(line)) }),
    });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringMatching(/none/i) }),
    );
  });

  it('puts the invocation id, and the message id and session for records, on every log line', async () => {
    const lines: Record<string, unknown>[] = [];
    const clock = new ManualClock();
    const handlers = createLambdaHandlers(definitionWith(new ScriptedModel([reply('hi'), reply('hi')])), {
      store: new MemoryStore(),
      queue: new RecordingQueue(),
      clock,
      logger: jsonLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }),
      env,
    });
    lines.length = 0;
    const httpContext = lambdaContext({ clock, budgetMs: 20_000 });
    await handlers.http(httpEvent('http-api-v2', { arrivedAt: clock.now() }), httpContext);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ invocation: httpContext.awsRequestId });
    expect(lines.some((line) => line.session === 'default/chat-1')).toBe(true);

    await handlers.app.baton.submit({ tenant: 'acme', sessionId: 'chat-1' }, { text: 'hi', source: 'test' });
    lines.length = 0;
    const workerContext = lambdaContext({ clock, budgetMs: 20_000 });
    const response = await handlers.worker(sqsBatchFixture(), workerContext);
    const [first, poison] = sqsBatchFixture().Records;
    // No dead-letter queue configured: the redrive policy moves the malformed message.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison!.messageId }] });
    for (const line of lines) expect(line).toMatchObject({ invocation: workerContext.awsRequestId });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', messageId: poison!.messageId }));
    expect(lines).toContainEqual(
      expect.objectContaining({ messageId: first!.messageId, session: 'acme/chat-1' }),
    );
  });

  it('records the failure on the session when the last receive BATON_MAX_RECEIVES allows fails', async () => {
    const clock = new ManualClock();
    const model = new ScriptedModel([new ModelError('overloaded', { retryable: true, status: 503 })]);
    const handlers = createLambdaHandlers(definitionWith(model), {
      store: new MemoryStore(),
      queue: new RecordingQueue(),
      clock,
      logger: quiet,
      env: { ...env, BATON_MAX_RECEIVES: '3' },
    });
    const ref = { tenant: 'acme', sessionId: 'chat-1' };
    await handlers.app.baton.submit(ref, { text: 'hello', source: 'test' });
    const batch = sqsBatchFixture();
    const record = { ...batch.Records[0]!, attributes: { ...batch.Records[0]!.attributes } };
    record.attributes.ApproximateReceiveCount = '3';
    const response = (await handlers.worker(
      { Records: [record] },
      lambdaContext({ clock, budgetMs: 20_000 }),
    )) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect((await handlers.app.baton.session(ref)).status).toBe('failed');
  });

  it('re-enqueues a run whose message was lost when the sweeper runs', async () => {
    const clock = new ManualClock();
    const queue = new RecordingQueue();
    const handlers = createLambdaHandlers(definitionWith(new ScriptedModel([])), {
      store: new MemoryStore(),
      queue,
      clock,
      env: { ...env, BATON_SWEEP_IDLE_MS: '60000' },
      logger: quiet,
    });
    await handlers.app.baton.submit({ tenant: 'acme', sessionId: 'lost' }, { text: 'hello', source: 'test' });
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
