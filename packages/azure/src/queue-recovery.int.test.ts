import { randomUUID } from 'node:crypto';
import { QueueClient } from '@azure/storage-queue';
import {
  type BatonApp,
  createBatonApp,
  defineAgent,
  defineBaton,
  MemoryStore,
  type RunMessage,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { ManualClock, reply, ScriptedModel, type ScriptedStep } from '@baton/testing';
import { describe, expect, inject, it } from 'vitest';
import { createRunQueueHandler } from './queue-handlers.js';
import { QueueHostEmulation } from './queue-host-emulation.js';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';

const connectionString = inject('azuriteQueueConnection');
const ref = sessionRef('default', 'chat-1');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The queue as a host sees it: calls recorded, and a switch that makes every call hang (the host died). */
function hostQueue(real: QueueClient) {
  const calls: { name: string; result?: { messageId?: string; popReceipt?: string } }[] = [];
  const state = { dead: false };
  const client = new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (state.dead) return new Promise(() => undefined);
        const call: (typeof calls)[number] = { name: String(property) };
        calls.push(call);
        call.result = await value.apply(target, args);
        return call.result;
      };
    },
  });
  return { client, calls, state };
}

/** Copies the handler enqueues (busy hold-backs) are recorded and sent without their delay. */
class UndelayedQueue extends StorageQueueRunQueue {
  readonly delays: (number | undefined)[] = [];
  override async enqueue(message: RunMessage, options: { delayMs?: number } = {}): Promise<void> {
    this.delays.push(options.delayMs);
    await super.enqueue(message);
  }
}

function app(queue: StorageQueueRunQueue, store: MemoryStore, clock: ManualClock, steps: ScriptedStep[]) {
  const model = new ScriptedModel(steps);
  const agent = defineAgent({
    name: 'assistant',
    instructions: 'Answer.',
    model,
    timing: { modelCallMs: 5_000, leaseMs: 30_000 },
  });
  const built: BatonApp = createBatonApp(defineBaton({ agents: [agent] }), {
    store,
    queue,
    clock,
    logger: silentLogger,
    env: {},
  });
  return { app: built, model };
}

async function newQueue(): Promise<QueueClient> {
  const client = new QueueClient(connectionString, `runs-${randomUUID().slice(0, 8)}`);
  await client.createIfNotExists();
  return client;
}

describe('the run queue trigger after a host crash (Azurite)', () => {
  it('keeps a hidden copy of the message renewed while it runs and deletes it afterwards', async () => {
    const real = await newQueue();
    const { client, calls } = hostQueue(real);
    const queue = new StorageQueueRunQueue({ client });
    let during = 0;
    const { app: running } = app(queue, new MemoryStore(), new ManualClock(), [
      async () => {
        await pause(150);
        during = (await real.getProperties()).approximateMessagesCount ?? 0;
        return reply('done');
      },
    ]);
    await running.baton.submit(ref, { text: 'hi', source: 'test' });
    const handler = createRunQueueHandler(running, {
      queue,
      timeoutMs: 100_000,
      maxDequeueCount: 5,
      recovery: { visibilitySeconds: 30, intervalMs: 20 },
    });
    expect(await new QueueHostEmulation(real, handler, 5).drain()).toEqual(['completed']);
    // The original and its guard while it ran; nothing once it finished.
    expect(during).toBe(2);
    expect((await real.getProperties()).approximateMessagesCount).toBe(0);
    const names = calls.map((call) => call.name).filter((name) => name !== 'sendMessage');
    expect(names.filter((name) => name === 'updateMessage').length).toBeGreaterThanOrEqual(3);
    expect(names.at(-1)).toBe('deleteMessage');
    const after = calls.length;
    await pause(100);
    expect(calls).toHaveLength(after);
  });

  it("brings a dead host's run back through its guard, holds it back while the lease lives, then runs it once", async () => {
    const real = await newQueue();
    const store = new MemoryStore();
    const clock = new ManualClock();
    const dying = hostQueue(real);
    const dyingQueue = new StorageQueueRunQueue({ client: dying.client });
    const dead = app(dyingQueue, store, clock, [() => new Promise(() => undefined)]);
    await dead.app.baton.submit(ref, { text: 'hi', source: 'test' });
    const dyingHost = new QueueHostEmulation(
      real,
      createRunQueueHandler(dead.app, {
        queue: dyingQueue,
        timeoutMs: 100_000,
        maxDequeueCount: 5,
        recovery: { visibilitySeconds: 30, intervalMs: 20 },
      }),
      5,
    );
    const original = (await dyingHost.receive())!;
    void dyingHost.invoke(original);
    await pause(400);
    dying.state.dead = true;
    await pause(100); // a renewal already sent lands (its pop receipt is the latest)
    const renewals = dying.calls.filter((call) => call.name === 'updateMessage');
    expect(renewals.length).toBeGreaterThanOrEqual(2);

    // The guard's 30 s pass (the original stays hidden for the host's lease).
    // The submit's message went first; the guard is the invocation's own send.
    const guard = dying.calls.filter((call) => call.name === 'sendMessage').at(-1)!.result!;
    const latest = renewals.at(-1)!.result!;
    await real.updateMessage(guard.messageId!, latest.popReceipt!, undefined, 0);

    const survivorQueue = new UndelayedQueue({ client: real });
    const survivor = app(survivorQueue, store, clock, [reply('recovered')]);
    const host = new QueueHostEmulation(
      real,
      createRunQueueHandler(survivor.app, { queue: survivorQueue, timeoutMs: 100_000, maxDequeueCount: 5 }),
      5,
    );
    const redelivered = (await host.receive())!;
    expect(redelivered.messageId).toBe(guard.messageId);
    expect(JSON.parse(Buffer.from(redelivered.messageText, 'base64').toString())).toMatchObject({
      priorAttempts: 1,
    });
    expect(await host.deliver(redelivered)).toBe('completed');
    // Busy: the dead run's lease (30 s on the clock, which has not moved).
    expect(survivorQueue.delays).toEqual([30_250]);
    expect(survivor.model.calls).toHaveLength(0);

    clock.advance(30_250);
    expect(await host.drain()).toEqual(['completed']);
    expect((await survivor.app.baton.session(ref)).lastReply).toBe('recovered');
    expect(survivor.model.calls).toHaveLength(1);
    // Only the original is left, hidden for the host's lease; it would find nothing to do.
    expect((await real.getProperties()).approximateMessagesCount).toBe(1);
  });
});
