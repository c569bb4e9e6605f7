import { randomUUID } from 'node:crypto';
import {
  createBatonApp,
  defineAgent,
  defineBaton,
  type Model,
  type RunMessage,
  type RunQueue,
  readWebhookOutbox,
  type SessionStore,
  sessionRef,
  silentLogger,
  verifyWebhookSignature,
} from '@baton/core';
import { ManualClock, reply, ScriptedModel, startWebhookReceiver } from '@baton/testing';
import { describe, expect, inject, it } from 'vitest';
import { createRunQueueHandler } from './queue-handlers.js';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';
import { emulatorCosmosStore } from './test-emulator-store.js';
import { invocationContext } from './test-fixtures.js';

const ref = sessionRef('default', 'job-9');
const SECRET = 'whsec_azure_jobs';

/**
 * Webhooks through the Storage Queue trigger on Azurite and the Cosmos DB server: a job enters as a
 * queued input, the handler's run sends its run.finished to the agent's webhook, and the `outbox`
 * message comes back (a hidden copy while the next attempt is not due) until the receiver answers
 * 2xx. Azurite hides messages by the real clock, so the test hands the handler what was sent once
 * its (manual) time has come, as the host would.
 */
describe('webhooks on the Azure queue handler', () => {
  it("reports a queue-triggered job's result once to a receiver that fails three times", async () => {
    const hook = await startWebhookReceiver({ failures: 3 });
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    const queue = new StorageQueueRunQueue({
      queueName: `runs-${randomUUID().slice(0, 8)}`,
      connectionString: inject('azuriteQueueConnection'),
    });
    await queue.createIfNotExists();
    const sent: { message: RunMessage; delayMs: number | undefined }[] = [];
    const recording: RunQueue = {
      async enqueue(message, options) {
        sent.push({ message, delayMs: options?.delayMs });
        await queue.enqueue(message, options);
      },
    };
    const store = await emulatorCosmosStore('webhooks', clock);
    const model = new ScriptedModel((_request, index) => reply(`counted ${index + 1}`));
    const { app, handler } = jobsApp({ hookUrl: hook.url, model, store, queue: recording, clock });
    const invoke = (message: RunMessage) =>
      handler(message, invocationContext({ triggerMetadata: { id: randomUUID(), dequeueCount: 1 } }));

    try {
      await app.baton.submit(ref, { text: 'count the orders', source: 'queue' });
      let handled = sent.length;
      const input = sent.find((entry) => entry.message.reason === 'input')!;
      await invoke(input.message);
      expect(hook.received).toHaveLength(1);

      for (let round = 0; round < 20; round++) {
        const outbox = sent.slice(handled).filter((entry) => entry.message.reason === 'outbox');
        handled = sent.length;
        if (outbox.length === 0) break;
        for (const entry of outbox) {
          clock.advance(entry.delayMs ?? 0);
          await invoke(entry.message);
        }
      }

      expect(hook.received.map((request) => request.status)).toEqual([500, 500, 500, 200]);
      expect(new Set(hook.received.map((request) => request.eventId)).size).toBe(1);
      for (const request of hook.received) {
        const check = verifyWebhookSignature({
          body: request.body,
          header: request.signature,
          secret: SECRET,
          now: Math.floor(clock.now() / 1000),
        });
        expect(check.ok).toBe(true);
      }
      expect(JSON.parse(hook.received[3]!.body)).toMatchObject({
        type: 'run.finished',
        session: { id: 'job-9', agent: 'jobs' },
        data: { reason: 'completed', text: 'counted 1' },
      });
      const events = await store.readEvents(ref);
      const [entry, ...more] = readWebhookOutbox(events);
      expect(more).toHaveLength(0);
      expect(entry!.attempts).toHaveLength(3);
      expect(entry!.sent).toEqual({ status: 200, attempt: 4 });
      expect(events.filter((event) => event.kind === 'outbox_sent')).toHaveLength(1);
    } finally {
      await hook.close();
    }
  });

  it("delivers a queue-triggered job's schema-checked JSON result, the job's own schema, to the webhook", async () => {
    const hook = await startWebhookReceiver();
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    const queue = new StorageQueueRunQueue({
      queueName: `jobs-${randomUUID().slice(0, 8)}`,
      connectionString: inject('azuriteQueueConnection'),
    });
    await queue.createIfNotExists();
    const sent: RunMessage[] = [];
    const recording: RunQueue = {
      async enqueue(message, options) {
        sent.push(message);
        await queue.enqueue(message, options);
      },
    };
    const store = await emulatorCosmosStore('webhooks-output', clock);
    // Prose first: the mismatch goes back to the model, whose second answer fits the schema.
    const model = new ScriptedModel([reply('There are 3 orders.'), reply('{"orders":3,"late":["A-1"]}')]);
    const { app, handler } = jobsApp({ hookUrl: hook.url, model, store, queue: recording, clock });
    const job = sessionRef('default', `job-${randomUUID().slice(0, 8)}`);
    // The job's own schema, JSON Schema as a queue producer would send it, recorded on its input.
    const output = {
      name: 'order_report',
      schema: {
        type: 'object',
        properties: { orders: { type: 'integer' }, late: { type: 'array', items: { type: 'string' } } },
        required: ['orders', 'late'],
        additionalProperties: false,
      },
    };

    try {
      await app.baton.submit(job, { text: 'count the orders', source: 'queue', output });
      const input = sent.find((message) => message.reason === 'input')!;
      await handler(input, invocationContext({ triggerMetadata: { id: randomUUID(), dequeueCount: 1 } }));

      expect(model.calls.map((call) => call.output)).toEqual([output, output]);
      expect(hook.received).toHaveLength(1);
      const check = verifyWebhookSignature({
        body: hook.received[0]!.body,
        header: hook.received[0]!.signature,
        secret: SECRET,
        now: Math.floor(clock.now() / 1000),
      });
      expect(check.ok).toBe(true);
      expect(JSON.parse(hook.received[0]!.body)).toMatchObject({
        type: 'run.finished',
        session: { id: job.sessionId, agent: 'jobs' },
        data: { reason: 'completed', output: { orders: 3, late: ['A-1'] } },
      });
      const events = await store.readEvents(job);
      expect(events[0]).toMatchObject({ kind: 'input', output });
      expect(events.filter((event) => event.kind === 'error')).toEqual([
        expect.objectContaining({ code: 'output_invalid' }),
      ]);
    } finally {
      await hook.close();
    }
  });
});

/** An app, and its Storage Queue handler, whose `jobs` agent reports run.finished and run.failed to `hookUrl`. */
function jobsApp(options: {
  hookUrl: string;
  model: Model;
  store: SessionStore;
  queue: RunQueue;
  clock: ManualClock;
}) {
  const agent = defineAgent({
    name: 'jobs',
    instructions: 'do the job',
    model: options.model,
    webhooks: [
      { url: options.hookUrl, events: ['run.finished', 'run.failed'], secretEnv: 'JOBS_WEBHOOK_SECRET' },
    ],
  });
  const app = createBatonApp(defineBaton({ agents: [agent] }), {
    store: options.store,
    queue: options.queue,
    clock: options.clock,
    logger: silentLogger,
    env: { JOBS_WEBHOOK_SECRET: SECRET },
  });
  const handler = createRunQueueHandler(app, {
    queue: options.queue,
    timeoutMs: 100_000,
    maxDequeueCount: 5,
    recovery: false,
  });
  return { app, handler };
}
