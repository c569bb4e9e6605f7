import { randomUUID } from 'node:crypto';
import type { QueueSendMessageResponse } from '@azure/storage-queue';
import { QueueClient } from '@azure/storage-queue';
import { MemoryStore, silentLogger } from '@baton/core';
import {
  DELIVERY_CASES,
  type DeliveryWorld,
  deliveryTableApp,
  expectDisposition,
  ManualClock,
  type ObservedDisposition,
  observedSession,
  SwitchableModel,
} from '@baton/testing';
import { describe, expect, inject, it, vi } from 'vitest';
import hostJson from '../host.json' with { type: 'json' };
import { createAzureApp } from './azure-app.js';
import { timeSpanMs } from './host-settings.js';
import { createPoisonQueueHandler, createRunQueueHandler } from './queue-handlers.js';
import { QueueHostEmulation } from './queue-host-emulation.js';

const connectionString = inject('azuriteQueueConnection');
/** How long the host hides a message its handler threw on (host.json `queues.visibilityTimeout`). */
const VISIBILITY_TIMEOUT_MS = timeSpanMs(hostJson.extensions.queues.visibilityTimeout);

/** The app as the Functions register it, on a fresh queue of Azurite's, with the table's agent. */
async function azureWorld() {
  const queueName = `table-${randomUUID().slice(0, 8)}`;
  const model = new SwitchableModel();
  const clock = new ManualClock(1_700_000_000_000);
  const azure = createAzureApp(deliveryTableApp(model), {
    env: { AzureWebJobsStorage: connectionString, BATON_QUEUE_NAME: queueName },
    store: new MemoryStore(),
    clock,
    logger: silentLogger,
  });
  await azure.queue.createIfNotExists();
  const poison = new QueueClient(connectionString, `${queueName}-poison`);
  await poison.createIfNotExists();
  const { maxDequeueCount, functionTimeoutMs } = azure.settings;
  const options = { queue: azure.queue, timeoutMs: functionTimeoutMs, maxDequeueCount };
  const runs = new QueueHostEmulation(
    azure.queue.client,
    createRunQueueHandler(azure.app, options),
    maxDequeueCount,
    poison,
  );
  const poisoned = new QueueHostEmulation(
    poison,
    createPoisonQueueHandler(azure.app, options),
    maxDequeueCount,
  );
  const world: DeliveryWorld = { baton: azure.app.baton, model, maxAttempts: maxDequeueCount };
  return { azure, world, runs, poisoned, poison };
}

type Copy = { id: string; body: { priorAttempts?: number }; delayMs: number };

/**
 * Copies the handler sends to the run queue and leaves there, with the delay Azurite hides each
 * for: the recovery guard each invocation sends and deletes is not one.
 */
function recordCopies(client: QueueClient): () => Copy[] {
  const copies: Copy[] = [];
  const deleted = new Set<string>();
  const send = client.sendMessage.bind(client);
  const remove = client.deleteMessage.bind(client);
  vi.spyOn(client, 'sendMessage').mockImplementation(async (text, options) => {
    const sent: QueueSendMessageResponse = await send(text, options);
    const body = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    const delayMs = sent.nextVisibleOn.getTime() - sent.insertedOn.getTime();
    copies.push({ id: sent.messageId, body, delayMs });
    return sent;
  });
  vi.spyOn(client, 'deleteMessage').mockImplementation(async (id, popReceipt, options) => {
    deleted.add(id);
    return remove(id, popReceipt, options);
  });
  return () => copies.filter((copy) => !deleted.has(copy.id));
}

/**
 * The delivery table through the real Storage Queue triggers: the case's body is sent to Azurite
 * (to `<queue>-poison` when the attempt is past the limit) and delivered by the run or poison
 * function with the case's attempt as its dequeueCount; what happened to the message is read back.
 */
describe('the delivery table on the Azure Functions queue triggers (Azurite)', () => {
  for (const [index, testCase] of DELIVERY_CASES.entries()) {
    it(testCase.name, async () => {
      const { azure, world, runs, poisoned, poison } = await azureWorld();
      const ref = { tenant: 'acme', sessionId: `delivery-${index}` };
      const { body, attempt } = await testCase.arrange(world, ref);
      // What arranging the session enqueued is not this case's message.
      await azure.queue.client.clearMessages();
      const pastLimit = attempt > world.maxAttempts;
      const host = pastLimit ? poisoned : runs;
      await (pastLimit ? poison : azure.queue.client).sendMessage(
        Buffer.from(String(body), 'utf8').toString('base64'),
      );
      const item = (await host.receive())!;
      const copiesLeft = recordCopies(azure.queue.client);

      const result = await host.deliver(item, pastLimit ? 1 : attempt);

      const deadLetter = host.logs.find((log) => log.level === 'warning')?.args[1] as
        | { code: string }
        | undefined;
      const copies = copiesLeft();
      const copy = copies[0];
      let observed: ObservedDisposition;
      if (result !== 'completed') {
        observed = { action: 'retry', consumesAttempt: true, delayMs: VISIBILITY_TIMEOUT_MS };
      } else if (copy) {
        expect(copies).toHaveLength(1);
        expect((await azure.queue.client.peekMessages()).peekedMessageItems).toEqual([]);
        observed = {
          action: 'retry',
          consumesAttempt: copy.body.priorAttempts === attempt,
          delayMs: copy.delayMs,
        };
      } else if (deadLetter) {
        observed = { action: 'dead_letter', code: deadLetter.code };
      } else {
        observed = { action: 'done' };
      }
      expectDisposition(observed, testCase.expected);
      expect(await observedSession(azure.app.baton, ref)).toEqual(testCase.session);
    });
  }
});
