import { randomUUID } from 'node:crypto';
import {
  createBatonApp,
  defineBaton,
  type Json,
  type RunMessage,
  type RunQueue,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { callTools, ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, inject, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { createRunQueueHandler } from './queue-handlers.js';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';
import { emulatorCosmosStore } from './test-emulator-store.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

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

/**
 * The Storage Queue function (one app) and the HTTP function (another app over the same Cosmos
 * container) on Azurite and the Cosmos DB server; the test delivers each queue message itself.
 */
async function host(agent: ReturnType<typeof heldAgent>['agent']) {
  const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
  const storageQueue = new StorageQueueRunQueue({
    queueName: `runs-${randomUUID().slice(0, 8)}`,
    connectionString: inject('azuriteQueueConnection'),
  });
  await storageQueue.createIfNotExists();
  const sent: RunMessage[] = [];
  const queue: RunQueue = {
    async enqueue(message, options) {
      sent.push(message);
      await storageQueue.enqueue(message, options);
    },
  };
  const store = await emulatorCosmosStore('cancel-tool', clock);
  const app = () =>
    createBatonApp(defineBaton({ agents: [agent], auth: 'none' }), {
      store,
      queue,
      clock,
      logger: silentLogger,
    });
  const queueFunction = app();
  const runQueue = createRunQueueHandler(queueFunction, {
    queue,
    timeoutMs: 100_000,
    maxDequeueCount: 5,
    recovery: false,
  });
  const http = createHttpHandler(app(), { timeoutMs: 100_000, routePrefix: 'api' });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await http(
      fixtureRequest('get-session', {
        method,
        path: `/api${path}`,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        headers: { 'content-type': 'application/json' },
      }),
      invocationContext(),
    );
    const text = new TextDecoder().decode(response.body as Uint8Array);
    return { status: response.status ?? 200, body: JSON.parse(text) as Record<string, unknown> };
  };
  const work = (message: RunMessage, dequeueCount = 1) =>
    runQueue(message, invocationContext({ triggerMetadata: { id: randomUUID(), dequeueCount } }));
  const submit = (id: string, text: string) =>
    queueFunction.baton.submit(sessionRef('default', id), { text, source: 'queue' });
  const events = (id: string) => store.readEvents(sessionRef('default', id));
  const enqueued = (dedupePrefix: string) =>
    sent.find((message) => message.dedupeKey.startsWith(dedupePrefix))!;
  return { call, work, submit, events, enqueued, sent };
}

describe('cancel during a tool on the Azure handlers', () => {
  it('aborts an at-most-once tool in flight in the queue function; unknown, started once, even on a redelivery', async () => {
    const held = heldAgent('create_ticket');
    const { call, work, submit, events, enqueued } = await host(held.agent);
    await submit('t1', 'open a ticket');
    const input = enqueued('input:');
    const working = work(input);
    await held.ticketStarted;

    expect(await call('POST', '/sessions/t1/cancel', { reason: 'stop' })).toMatchObject({
      status: 202,
      body: { cancelled: true, duplicate: false },
    });
    // The tool ignores its signal: the queue function stops waiting for it by itself.
    await working;
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

    // The tool returns late (its result is dropped); the queue delivers the message again, and the cancel's.
    held.ticket.release({ ticket: 'T-1' });
    await work(input, 2);
    await work(enqueued('cancel:'));
    expect(await events('t1')).toEqual(recorded);
    expect(held.ticket.started).toBe(1);
    expect(held.modelCalls.count).toBe(1);

    expect(await call('POST', '/sessions/t1/messages', { text: 'and now?' })).toMatchObject({
      body: { state: 'finished', reply: 'answer 2' },
    });
    expect(held.ticket.started).toBe(1);
    expect(held.modelCalls.count).toBe(2);
  });

  it('never runs a tool approved after the cancel was recorded; the run ends cancelled', async () => {
    const held = heldAgent('send_email');
    const { call, work, submit, events, enqueued } = await host(held.agent);
    await submit('a1', 'email them');
    await work(enqueued('input:'));
    expect((await call('GET', '/sessions/a1')).body).toMatchObject({
      session: { status: 'waiting_approval' },
    });

    expect((await call('POST', '/sessions/a1/cancel', {})).status).toBe(202);
    // Nothing has run the cancel yet: the approval still finds the call waiting, and is accepted.
    expect(await call('POST', '/sessions/a1/approvals/call-1', { approved: true })).toMatchObject({
      status: 202,
      body: { accepted: true, duplicate: false },
    });
    // The decision's run message is delivered first, then the cancel's, then the decision's again.
    const decision = enqueued('decision:');
    await work(decision);
    await work(enqueued('cancel:'));
    await work(decision, 2);

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
    expect(await call('POST', '/sessions/a1/messages', { text: 'and now?' })).toMatchObject({
      body: { state: 'finished', reply: 'answer 2' },
    });
    expect(held.sent.count).toBe(0);
  });
});
