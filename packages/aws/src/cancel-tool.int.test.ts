import { randomUUID } from 'node:crypto';
import {
  createBaton,
  defineBaton,
  type Json,
  type SessionEvent,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { DynamoStore } from '@baton/store-dynamodb';
import { callTools, ManualClock, reply, ScriptedModel } from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { releasedMessage, useLambdaEmulators } from './test-support/lambda-emulators.js';
import { toSqsEvent } from './test-support/sqs-emulator.js';

/**
 * The example agent whose at-most-once `create_ticket` is held until the test releases it, and
 * ignores its signal (the hardest case: the run must stop waiting by itself); `send_email` (needs
 * approval) only counts. The model first calls `first`, then answers `answer N`.
 */
function heldAgent(first: 'create_ticket' | 'send_email') {
  const ticket = { started: 0, signal: undefined as AbortSignal | undefined, release: (_: Json) => {} };
  let entered!: () => void;
  const ticketStarted = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const sent = { count: 0 };
  const modelCalls = { count: 0 };
  const model = new ScriptedModel((_request, index) => {
    modelCalls.count++;
    if (index > 0) return reply(`answer ${index + 1}`);
    const args: Json =
      first === 'create_ticket' ? { title: 'T' } : { to: 'a@example.com', subject: 's', body: 'b' };
    return callTools([{ name: first, args, callId: 'call-1' }]);
  });
  const base = createExampleAgent(model);
  const agent = {
    ...base,
    timing: { modelCallMs: 5_000, leaseMs: 30_000, cancelCheckMs: 50 },
    tools: base.tools.map((tool) => {
      if (tool.name === 'create_ticket') {
        return {
          ...tool,
          execute: (_args: unknown, context: { signal: AbortSignal }) =>
            new Promise<Json>((resolve) => {
              ticket.started++;
              ticket.signal = context.signal;
              ticket.release = resolve;
              entered();
            }),
        };
      }
      if (tool.name === 'send_email') {
        return {
          ...tool,
          execute: () => {
            sent.count++;
            return { sent: true };
          },
        };
      }
      return tool;
    }),
  };
  return { agent, ticket, ticketStarted, sent, modelCalls };
}

const runMessage = (sessionId: string, reason: string, dedupeKey: string) =>
  JSON.stringify({ v: 1, tenant: 'default', sessionId, reason, dedupeKey });

/**
 * Cancel of a tool in flight, and an approval after a cancel, across Lambda invocations on
 * DynamoDB Local and fauxqs: the SQS worker's invocation runs the session; the HTTP function's
 * invocation, another Baton with nothing in common but the table, records the cancel.
 */
describe('cancel during a tool on the Lambda handlers', () => {
  const env = useLambdaEmulators('baton-cancel-tool');

  async function host(agent: ReturnType<typeof heldAgent>['agent']) {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    const queue = await env.sqs.createQueue(`runs-${randomUUID()}`);
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
    const http = async (method: string, path: string, body?: unknown) => {
      const result = (await httpFunction.http(
        httpEvent('function-url', { method, path, body }),
        lambdaContext({ clock, budgetMs: 8_000 }),
      )) as APIGatewayProxyStructuredResultV2;
      return { status: result.statusCode, body: JSON.parse(result.body!) as Record<string, unknown> };
    };
    const work = (body: string, receiveCount = 1) =>
      workerFunction.worker(
        toSqsEvent([releasedMessage(body, receiveCount)], queue.arn),
        lambdaContext({ clock, budgetMs: 60_000 }),
      ) as Promise<SQSBatchResponse>;
    // The input is recorded without an inline run, as Slack's is: the worker invocation runs it.
    const recorder = createBaton({ store, agents: [agent], queue: sqsQueue, clock, logger: silentLogger });
    const events = (id: string): Promise<SessionEvent[]> => store.readEvents(sessionRef('default', id));
    return { http, work, recorder, events };
  }

  it('aborts an at-most-once tool in flight in the worker; unknown, started once, even on a redelivery', async () => {
    const held = heldAgent('create_ticket');
    const { http, work, recorder, events } = await host(held.agent);
    await recorder.submit(sessionRef('default', 't1'), { text: 'open a ticket', source: 'test' });
    const input = runMessage('t1', 'input', 'i1');
    const working = work(input);
    await held.ticketStarted;

    expect(await http('POST', '/sessions/t1/cancel', { reason: 'stop' })).toMatchObject({
      status: 202,
      body: { cancelled: true, duplicate: false },
    });
    // The tool ignores its signal: the worker stops waiting for it by itself.
    expect((await working).batchItemFailures).toEqual([]);
    expect(held.ticket.signal?.aborted).toBe(true);
    const recorded = await events('t1');
    expect(recorded.map((event) => event.kind)).toEqual([
      'input',
      'model_response',
      'tool_intent',
      'cancel',
      'tool_result',
      'run_finished',
    ]);
    expect(recorded[4]).toMatchObject({ callId: 'call-1', outcome: 'unknown' });
    expect(recorded[5]).toMatchObject({ reason: 'cancelled' });

    // The tool returns late (its result is dropped); SQS delivers the worker's message again.
    held.ticket.release({ ticket: 'T-1' });
    expect((await work(input, 2)).batchItemFailures).toEqual([]);
    expect(await events('t1')).toEqual(recorded);
    expect(held.ticket.started).toBe(1);
    expect(held.modelCalls.count).toBe(1);

    expect(await http('POST', '/sessions/t1/messages', { text: 'and now?' })).toMatchObject({
      body: { state: 'finished', reply: 'answer 2' },
    });
    expect(held.ticket.started).toBe(1);
    expect(held.modelCalls.count).toBe(2);
  });

  it('never runs a tool approved after the cancel was recorded; the run ends cancelled', async () => {
    const held = heldAgent('send_email');
    const { http, work, recorder, events } = await host(held.agent);
    await recorder.submit(sessionRef('default', 'a1'), { text: 'email them', source: 'test' });
    expect((await work(runMessage('a1', 'input', 'i1'))).batchItemFailures).toEqual([]);
    expect((await http('GET', '/sessions/a1')).body).toMatchObject({
      session: { status: 'waiting_approval' },
    });

    expect((await http('POST', '/sessions/a1/cancel', {})).status).toBe(202);
    // Nothing has run the cancel yet: the approval still finds the call waiting, and is accepted.
    expect(await http('POST', '/sessions/a1/approvals/call-1', { approved: true })).toMatchObject({
      status: 202,
      body: { accepted: true, duplicate: false },
    });
    // The decision's run message is delivered first, then the cancel's, then the decision's again.
    const decision = runMessage('a1', 'decision', 'decision:a1');
    expect((await work(decision)).batchItemFailures).toEqual([]);
    expect((await work(runMessage('a1', 'input', 'cancel:a1'))).batchItemFailures).toEqual([]);
    expect((await work(decision, 2)).batchItemFailures).toEqual([]);

    expect(held.sent.count).toBe(0);
    const recorded = await events('a1');
    expect(recorded.map((event) => event.kind)).toEqual([
      'input',
      'model_response',
      'interrupt',
      'cancel',
      'decision',
      'tool_result',
      'run_finished',
    ]);
    expect(recorded[5]).toMatchObject({ callId: 'call-1', outcome: 'rejected' });
    expect(recorded[6]).toMatchObject({ reason: 'cancelled' });
    expect(await http('POST', '/sessions/a1/messages', { text: 'and now?' })).toMatchObject({
      body: { state: 'finished', reply: 'answer 2' },
    });
    expect(held.sent.count).toBe(0);
  });
});
