import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RunMessage } from '@baton/core';
import { ManualClock } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueError } from './sqs-errors.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { type SqsEmulator, startSqsEmulator } from './test-support/sqs-emulator.js';

const message = (sessionId: string, dedupeKey = `input:acme/${sessionId}:1`): RunMessage => ({
  v: 1,
  tenant: 'acme',
  sessionId,
  reason: 'input',
  dedupeKey,
});

describe('SqsRunQueue', () => {
  let sqs: SqsEmulator;
  beforeAll(async () => {
    sqs = await startSqsEmulator();
  });
  afterAll(async () => {
    await sqs.stop();
  });

  it('sends the run message with the session as attributes when the queue is standard', async () => {
    const queue = await sqs.createQueue(`runs-${randomUUID()}`);
    await new SqsRunQueue({ queueUrl: queue.url, client: sqs.client }).enqueue(message('chat-1'));
    const [record] = (await sqs.receiveEvent(queue)).Records;
    expect(JSON.parse(record!.body)).toEqual(message('chat-1'));
    expect(record!.messageAttributes).toMatchObject({
      'baton-tenant': { stringValue: 'acme' },
      'baton-session': { stringValue: 'chat-1' },
      'baton-reason': { stringValue: 'input' },
    });
  });

  it("delays with DelaySeconds up to 900 s and carries longer delays in the body's notBefore", async () => {
    const clock = new ManualClock();
    const queue = await sqs.createQueue(`runs-${randomUUID()}`);
    const runs = new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock });
    const short = runs.sendInput(message('short'), 1_500);
    expect(short).toMatchObject({ DelaySeconds: 2 });
    expect(JSON.parse(short.MessageBody!)).toEqual(message('short'));
    const long = runs.sendInput(message('long'), 3_600_000);
    expect(long.DelaySeconds).toBe(900);
    expect(JSON.parse(long.MessageBody!)).toEqual({ ...message('long'), notBefore: clock.now() + 3_600_000 });
    expect(long.MessageAttributes).not.toHaveProperty('baton-not-before');
    await runs.enqueue(message('long'), { delayMs: 3_600_000 });
    const contents = await sqs.inspect(queue);
    expect(contents.ready).toHaveLength(0);
    expect(contents.delayed).toHaveLength(1);
  });

  it('groups by session and deduplicates on the dedupe key when the queue is FIFO', async () => {
    const clock = new ManualClock();
    const queue = await sqs.createQueue(`runs-${randomUUID()}.fifo`, { FifoQueue: 'true' });
    const runs = new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock });
    expect(runs.fifo).toBe(true);
    await runs.enqueue(message('chat/1 ünïcode'));
    await runs.enqueue(message('chat/1 ünïcode'));
    // FIFO queues refuse per-message delays: the delay travels as the body's notBefore instead.
    await runs.enqueue(message('chat-2'), { delayMs: 10_000 });
    const records = (await sqs.receiveEvent(queue)).Records;
    expect(records.map((record) => JSON.parse(record.body).sessionId)).toEqual(['chat/1 ünïcode', 'chat-2']);
    expect(records[0]!.attributes.MessageGroupId).toMatch(/^[0-9a-f]{64}$/);
    expect(records[0]!.attributes.MessageGroupId).not.toBe(records[1]!.attributes.MessageGroupId);
    expect(JSON.parse(records[1]!.body).notBefore).toBe(clock.now() + 10_000);
  });

  it('throws a retryable QueueError when SQS cannot be reached', async () => {
    const unreachable = new SQSClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const runs = new SqsRunQueue({ queueUrl: 'http://127.0.0.1:9/000000000000/runs', client: unreachable });
    const error = await runs.enqueue(message('chat-1')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueueError);
    expect(error).toMatchObject({ code: 'queue_unavailable', retryable: true });
    unreachable.destroy();
  });

  it('throws a QueueError that is not retryable when the queue does not exist', async () => {
    const runs = new SqsRunQueue({ queueUrl: `${sqs.endpoint}/000000000000/missing`, client: sqs.client });
    const error = await runs.enqueue(message('chat-1')).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'queue_error', retryable: false });
  });

  it('reads the queue URL from BATON_QUEUE_URL when none is passed, and says so when it is missing', () => {
    const previous = process.env.BATON_QUEUE_URL;
    try {
      process.env.BATON_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/runs.fifo';
      expect(new SqsRunQueue({ client: sqs.client })).toMatchObject({
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/runs.fifo',
        fifo: true,
      });
      delete process.env.BATON_QUEUE_URL;
      expect(() => new SqsRunQueue({ client: sqs.client })).toThrow(/BATON_QUEUE_URL/);
    } finally {
      if (previous === undefined) delete process.env.BATON_QUEUE_URL;
      else process.env.BATON_QUEUE_URL = previous;
    }
  });
});
