import { randomUUID } from 'node:crypto';
import { createBaton, defineBaton, type ModelRequest, sessionRef, silentLogger } from '@baton/core';
import { DynamoStore } from '@baton/store-dynamodb';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { releasedMessage, useLambdaEmulators } from './test-support/lambda-emulators.js';
import { toSqsEvent } from './test-support/sqs-emulator.js';
import { testAgent } from './test-support/test-baton.js';

/**
 * Cancel across Lambda invocations on DynamoDB Local and fauxqs: the SQS worker's invocation runs
 * the model (which hangs until aborted); the HTTP function's invocation, another Baton with nothing
 * in common but the table, records the cancel; the worker sees it at its next read of the head.
 */
describe('cancel on the Lambda handlers', () => {
  const env = useLambdaEmulators('baton-cancel');

  it('stops the worker invocation’s model call from the HTTP invocation; later input is answered', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    const queue = await env.sqs.createQueue(`runs-${randomUUID()}`);
    const calls: { request: ModelRequest; aborted: boolean }[] = [];
    let entered!: () => void;
    const firstCall = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const model = new ScriptedModel((request, index) => {
      const call = { request, aborted: false };
      calls.push(call);
      if (index > 0) return reply('answered after the cancel');
      entered();
      return new Promise((_resolve, reject) =>
        request.signal?.addEventListener('abort', () => {
          call.aborted = true;
          reject(request.signal?.reason);
        }),
      );
    });
    const agent = testAgent(model, { cancelCheckMs: 50 });
    const store = new DynamoStore({ client: env.dynamodb, tableName: env.tableName, clock });
    const sqsQueue = new SqsRunQueue({ queueUrl: queue.url, client: env.sqs.client, clock });
    const handlers = () =>
      createLambdaHandlers(defineBaton({ agents: [agent], auth: 'none' }), {
        store,
        queue: sqsQueue,
        clock,
        logger: silentLogger,
        env: {},
        worker: { safetyMarginMs: 1_000, queueUrl: () => queue.url },
      });
    const workerFunction = handlers();
    const httpFunction = handlers();
    const http = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      (await httpFunction.http(
        httpEvent('function-url', { method, path, body, headers }),
        lambdaContext({ clock, budgetMs: 8_000 }),
      )) as APIGatewayProxyStructuredResultV2;
    const ref = sessionRef('default', 'c1');
    // The input is recorded without an inline run, as Slack's is: the worker invocation runs it.
    const recorder = createBaton({ store, agents: [agent], queue: sqsQueue, clock, logger: silentLogger });
    await recorder.submit(ref, { text: 'think hard', source: 'test' });
    const message = JSON.stringify({
      v: 1,
      tenant: 'default',
      sessionId: 'c1',
      reason: 'input',
      dedupeKey: 'i1',
    });
    const working = workerFunction.worker(
      toSqsEvent([releasedMessage(message)], queue.arn),
      lambdaContext({ clock, budgetMs: 60_000 }),
    ) as Promise<SQSBatchResponse>;
    await firstCall;

    const cancelled = await http(
      'POST',
      '/sessions/c1/cancel',
      { reason: 'stop' },
      { 'idempotency-key': 'k' },
    );
    expect(cancelled.statusCode).toBe(202);
    expect(JSON.parse(cancelled.body!)).toMatchObject({ cancelled: true, duplicate: false });
    expect((await working).batchItemFailures).toEqual([]);
    expect(calls[0]!.aborted).toBe(true);
    expect(calls).toHaveLength(1);
    const again = await http('POST', '/sessions/c1/cancel', { reason: 'stop' }, { 'idempotency-key': 'k' });
    expect(JSON.parse(again.body!)).toMatchObject({ cancelled: true, duplicate: true });

    const next = await http('POST', '/sessions/c1/messages', { text: 'and now?' });
    expect(JSON.parse(next.body!)).toMatchObject({ state: 'finished', reply: 'answered after the cancel' });
    const kinds = (await store.readEvents(ref)).map((event) => event.kind);
    expect(kinds).toEqual(['input', 'cancel', 'run_finished', 'input', 'model_response', 'run_finished']);
    expect(JSON.parse((await http('POST', '/sessions/c1/cancel', {})).body!)).toEqual({
      cancelled: false,
      status: 'idle',
    });
    expect((await http('POST', '/sessions/nope/cancel', {})).statusCode).toBe(404);
    expect(
      (await http('POST', '/sessions/c1/cancel', '{oops', { 'content-type': 'application/json' })).statusCode,
    ).toBe(400);
  });
});
