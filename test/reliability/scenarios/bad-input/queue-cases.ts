import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsWorker, DEFAULT_MAX_RECEIVES } from '@baton/aws';
import { createRunQueueHandler } from '@baton/azure';
import type { BatonApp, RunQueue } from '@baton/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lambdaContext } from '../../../../packages/aws/src/test-support/lambda-context.js';
import type { SqsEmulator, TestQueue } from '../../../../packages/aws/src/test-support/sqs-emulator.js';
import { invocationContext } from '../../../../packages/azure/src/test-fixtures.js';
import type { Answer, BadInputCase } from './corpus.js';

const VALID = { v: 1, tenant: 'default', sessionId: 'victim', reason: 'input', dedupeKey: 'corpus' };

/** Bodies no run can come of, and run messages naming sessions that are not there to run. */
const BODIES: [name: string, body: string, poison: boolean][] = [
  ['a body that is not JSON', 'run the victim please', true],
  ['an empty body', '', true],
  ['an empty object', '{}', true],
  ['a run message of version 2', JSON.stringify({ ...VALID, v: 2 }), true],
  ['an unknown reason', JSON.stringify({ ...VALID, reason: 'explode' }), true],
  ['a tenant with spaces', JSON.stringify({ ...VALID, tenant: 'bad tenant' }), true],
  ['a session id with a control character', JSON.stringify({ ...VALID, sessionId: 'a\u0007b' }), true],
  ['a dedupe key of 5000 characters', JSON.stringify({ ...VALID, dedupeKey: 'k'.repeat(5_000) }), true],
  ['an unknown session', JSON.stringify({ ...VALID, sessionId: 'nobody-here' }), false],
  ["another tenant's session id", JSON.stringify({ ...VALID, tenant: 'mallory' }), false],
];

/** SQS records through the worker: poison goes to the dead-letter queue with its reason; the rest is acknowledged. */
export function sqsCases(app: BatonApp, sqs: SqsEmulator, queue: TestQueue, dlq: TestQueue): BadInputCase[] {
  const worker = createSqsWorker(app, {
    maxAttempts: DEFAULT_MAX_RECEIVES,
    client: sqs.client,
    queueUrl: () => queue.url,
    deadLetterQueueUrl: dlq.url,
    safetyMarginMs: 1_000,
  });
  const clock = { now: () => Date.now() };
  let counter = 0;
  const deliver = async (event: unknown): Promise<Answer> => {
    const response = (await worker(
      event as SQSEvent,
      lambdaContext({ clock, budgetMs: 30_000 }),
    )) as SQSBatchResponse;
    const dead = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 0,
      }),
    );
    const reasons = (dead.Messages ?? []).filter(
      (message) =>
        message.MessageAttributes?.['baton-source-message-id']?.StringValue === `corpus-${counter}`,
    );
    const reason = reasons[0]?.MessageAttributes;
    return {
      code: reason
        ? `dead-lettered:${reason['baton-error-code']?.StringValue}`
        : `acknowledged:${response.batchItemFailures.length === 0}`,
      ...(reason ? { detail: reason['baton-error-message']?.StringValue ?? '' } : {}),
    };
  };
  const record = (body: string) => {
    counter++;
    return {
      messageId: `corpus-${counter}`,
      receiptHandle: `receipt-${counter}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    };
  };
  const cases: BadInputCase[] = BODIES.map(([name, body, poison]) => ({
    entry: 'sqs',
    name,
    expected: poison
      ? { code: 'dead-lettered:malformed_message', detailMatches: /\S/ }
      : { code: 'acknowledged:true' },
    send: () => deliver({ Records: [record(body)] }),
  }));
  cases.push(
    {
      entry: 'sqs',
      name: 'a record without a messageId',
      expected: { code: 'acknowledged:true' },
      send: () => deliver({ Records: [{ body: JSON.stringify(VALID) }] }),
    },
    {
      entry: 'sqs',
      name: 'an event that is not from SQS',
      expected: { code: 'acknowledged:true' },
      send: () => deliver({ detail: 'cron' }),
    },
  );
  return cases;
}

/**
 * Storage Queue entries through the trigger handler: malformed ones are completed (dropped) with
 * the dead-letter reason logged, never thrown back to the host or re-sent.
 */
export function storageQueueCases(app: BatonApp): BadInputCase[] {
  const requeued: unknown[] = [];
  const queue: RunQueue = { enqueue: async (message) => void requeued.push(message) };
  const handler = createRunQueueHandler(app, { queue, timeoutMs: 30_000, maxDequeueCount: 5 });
  const deliver = async (entry: unknown): Promise<Answer> => {
    const errors: string[] = [];
    const context = invocationContext({
      triggerMetadata: { id: 'corpus', dequeueCount: 1 },
      logHandler: (level, ...args) => {
        if (level === 'error' || level === 'warning') errors.push(args.map(String).join(' '));
      },
    });
    try {
      await handler(entry, context);
    } catch (error) {
      return { code: `threw:${(error as { code?: string }).code ?? 'error'}` };
    }
    return errors.length > 0
      ? { code: 'dropped', detail: errors.join('\n') }
      : { code: requeued.length > 0 ? 'requeued' : 'completed' };
  };
  const entries: [name: string, entry: unknown, dropped: boolean][] = [
    ...BODIES.map(([name, body, poison]): [string, unknown, boolean] => [name, body, poison]),
    ['bytes that are not UTF-8 JSON', new Uint8Array([0xff, 0xfe, 0x00, 0x7b]), true],
    ['a number', 42, true],
  ];
  return entries.map(([name, entry, dropped]) => ({
    entry: 'storage-queue',
    name,
    expected: dropped
      ? { code: 'dropped', detailMatches: /dead-lettered \(malformed_message\)/ }
      : { code: 'completed' },
    send: () => deliver(entry),
  }));
}
