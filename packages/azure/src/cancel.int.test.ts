import { randomUUID } from 'node:crypto';
import {
  createBatonApp,
  defineAgent,
  defineBaton,
  type ModelRequest,
  type RunMessage,
  type RunQueue,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, inject, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { createRunQueueHandler } from './queue-handlers.js';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';
import { emulatorCosmosStore } from './test-emulator-store.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

/**
 * Cancel across Azure Functions invocations on Azurite and the Cosmos DB server: the Storage Queue
 * function runs the model (hanging until aborted); the HTTP function, another app over the same
 * container, records the cancel; the queue function sees it at its next read of the head.
 */
describe('cancel on the Azure handlers', () => {
  it('stops the queue invocation’s model call from the HTTP invocation; later input is answered', async () => {
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
    const store = await emulatorCosmosStore('cancel', clock);
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
    const agent = defineAgent({ name: 'slow', instructions: 'think', model, timing: { cancelCheckMs: 50 } });
    const app = () =>
      createBatonApp(defineBaton({ agents: [agent], auth: 'none' }), {
        store,
        queue,
        clock,
        logger: silentLogger,
      });
    const queueFunction = app();
    const httpFunction = app();
    const runQueue = createRunQueueHandler(queueFunction, {
      queue,
      timeoutMs: 100_000,
      maxDequeueCount: 5,
      recovery: false,
    });
    const http = createHttpHandler(httpFunction, { timeoutMs: 100_000, routePrefix: 'api' });
    const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
      const response = await http(
        fixtureRequest('get-session', {
          method: 'POST',
          path: `/api${path}`,
          body,
          headers: { 'content-type': 'application/json', ...headers },
        }),
        invocationContext(),
      );
      const text = new TextDecoder().decode(response.body as Uint8Array);
      return { status: response.status ?? 200, body: JSON.parse(text) as Record<string, unknown> };
    };
    const ref = sessionRef('default', 'c1');

    await queueFunction.baton.submit(ref, { text: 'think hard', source: 'queue' });
    const input = sent.find((message) => message.reason === 'input')!;
    const working = runQueue(
      input,
      invocationContext({ triggerMetadata: { id: randomUUID(), dequeueCount: 1 } }),
    );
    await firstCall;

    const cancelled = await post('/sessions/c1/cancel', '{"reason":"stop"}', { 'idempotency-key': 'k' });
    expect(cancelled).toMatchObject({ status: 202, body: { cancelled: true, duplicate: false } });
    await working;
    expect(calls[0]!.aborted).toBe(true);
    expect(calls).toHaveLength(1);
    expect(
      (await post('/sessions/c1/cancel', '{"reason":"stop"}', { 'idempotency-key': 'k' })).body,
    ).toMatchObject({
      duplicate: true,
    });
    expect((await post('/sessions/c1/messages', '{"text":"and now?"}')).body).toMatchObject({
      state: 'finished',
      reply: 'answered after the cancel',
    });
    const kinds = (await store.readEvents(ref)).map((event) => event.kind);
    expect(kinds).toEqual(['input', 'cancel', 'run_finished', 'input', 'model_response', 'run_finished']);
    expect(await post('/sessions/c1/cancel', '{}')).toEqual({
      status: 200,
      body: { cancelled: false, status: 'idle' },
    });
    expect((await post('/sessions/nope/cancel', '{}')).status).toBe(404);
    expect((await post('/sessions/c1/cancel', '{oops')).status).toBe(400);
  });
});
