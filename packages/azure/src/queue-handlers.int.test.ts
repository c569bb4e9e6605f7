import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { QueueClient } from '@azure/storage-queue';
import {
  acquireLease,
  type BatonApp,
  createBatonApp,
  defineAgent,
  defineBaton,
  type Model,
  ModelError,
  type RunMessage,
  type RunQueue,
  type SessionEvent,
  type SessionStore,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { CosmosStore } from '@baton/store-cosmos';
import {
  callTools,
  ManualClock,
  reply,
  ScriptedModel,
  type ScriptedStep,
  type ScriptFunction,
} from '@baton/testing';
import { describe, expect, inject, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { createPoisonQueueHandler, createRunQueueHandler } from './queue-handlers.js';
import { QueueHostEmulation } from './queue-host-emulation.js';
import { encodeRunMessage } from './run-message.js';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

const connectionString = inject('azuriteQueueConnection');
const ref = sessionRef('default', 'chat-1');

/** The store the handlers run on in Azure: Cosmos DB (the Cosmos DB API server), a container per test. */
async function newStore(clock: ManualClock): Promise<SessionStore> {
  const store = new CosmosStore({
    clientOptions: {
      endpoint: inject('cosmosEndpoint'),
      key: inject('cosmosKey'),
      // The server's certificate is self-signed: only this client trusts it.
      agent: new Agent({ rejectUnauthorized: false }),
    },
    database: 'baton-azure-test',
    container: `sessions-${randomUUID()}`,
    clock,
  });
  await store.ensureContainer();
  return store;
}

/** The example agent's app on `store`, its runs queued on `queue`. */
function exampleApp(store: SessionStore, queue: RunQueue, clock: ManualClock, model: Model): BatonApp {
  return createBatonApp(defineBaton({ agents: [createExampleAgent(model)] }), {
    store,
    queue,
    clock,
    logger: silentLogger,
    env: {},
  });
}

async function setup(
  options: { script?: ScriptedStep[] | ScriptFunction; maxDequeueCount?: number; failCopies?: boolean } = {},
) {
  const queueName = `runs-${randomUUID().slice(0, 8)}`;
  const queue = new StorageQueueRunQueue({ queueName, connectionString });
  await queue.createIfNotExists();
  const poison = new QueueClient(connectionString, `${queueName}-poison`);
  const clock = new ManualClock();
  const store = await newStore(clock);
  const model = new ScriptedModel(options.script ?? [reply('Hello.')]);
  const sent: { message: RunMessage; delayMs: number | undefined }[] = [];
  const recording: RunQueue = {
    async enqueue(message, enqueueOptions) {
      if (options.failCopies && 'priorAttempts' in message) throw new Error('storage unavailable (injected)');
      sent.push({ message, delayMs: enqueueOptions?.delayMs });
      await queue.enqueue(message, enqueueOptions);
    },
  };
  const app = exampleApp(store, recording, clock, model);
  const maxDequeueCount = options.maxDequeueCount ?? 5;
  const handlerOptions = { queue: recording, timeoutMs: 100_000, maxDequeueCount };
  const host = new QueueHostEmulation(
    queue.client,
    createRunQueueHandler(app, handlerOptions),
    maxDequeueCount,
    poison,
  );
  const poisonHost = new QueueHostEmulation(
    poison,
    createPoisonQueueHandler(app, handlerOptions),
    maxDequeueCount,
  );
  const events = () => store.readEvents(ref);
  return {
    queue,
    poison,
    clock,
    store,
    model,
    sent,
    recording,
    app,
    baton: app.baton,
    host,
    poisonHost,
    events,
  };
}

/** Waits out a copy's visibility delay on Azurite, which keeps real time. */
const waitForCopy = (ms = 1_500) => new Promise((resolve) => setTimeout(resolve, ms));

const overloaded = () => new ModelError('provider overloaded', { retryable: true, status: 529 });

/** What the conversation said, without where invocations split it (and so without seq numbers). */
function transcript(events: SessionEvent[]): unknown[] {
  return events
    .filter((event) => event.kind !== 'continuation')
    .map(({ at: _at, seq: _seq, ...rest }) => {
      const { contextThrough: _through, ...body } = rest as typeof rest & { contextThrough?: number };
      return body;
    });
}

describe('createRunQueueHandler on Azurite', () => {
  it('runs the session a delivered message names and completes the message', async () => {
    const { baton, host, queue, events } = await setup({ script: [reply('Hello from the queue.')] });
    await baton.submit(ref, { text: 'hi', source: 'test' });
    expect(await host.drain()).toEqual(['completed']);
    expect((await baton.session(ref)).lastReply).toBe('Hello from the queue.');
    expect((await events()).map((event) => event.kind)).toEqual(['input', 'model_response', 'run_finished']);
    expect((await queue.client.getProperties()).approximateMessagesCount).toBe(0);
  });

  it('continues through the queue when the budget will not cover the next model call', async () => {
    // Each model call takes 40 s; a queue invocation has 100 - 5 = 95 s and reserves 60 s per call,
    // so each fits one call and its tool. The HTTP invocation (30 s) fits none.
    const script =
      (clock: ManualClock): ScriptFunction =>
      (_request, index) => {
        clock.advance(40_000);
        const steps = [
          callTools([{ name: 'add_note', args: { text: 'milk' }, callId: 'call_a' }]),
          callTools([{ name: 'list_notes', args: {}, callId: 'call_b' }]),
          reply('You have one note: milk.'),
        ];
        return steps[index]!;
      };
    const env = await setup();
    const model = new ScriptedModel(script(env.clock));
    const app = exampleApp(env.store, env.queue, env.clock, model);
    const accepted = await createHttpHandler(app, { timeoutMs: 30_000 })(
      fixtureRequest('post-message'),
      invocationContext(),
    );
    expect(accepted.status).toBe(202);
    const worker = createRunQueueHandler(app, { queue: env.queue, timeoutMs: 100_000, maxDequeueCount: 5 });
    const host = new QueueHostEmulation(env.queue.client, worker, 5);
    expect(await host.drain()).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(model.calls).toHaveLength(3);
    const split = await env.store.readEvents(ref);
    expect(split.filter((event) => event.kind === 'continuation')).toHaveLength(3);
    expect((await app.baton.session(ref)).lastReply).toBe('You have one note: milk.');

    // The same conversation in one long invocation produces the same transcript.
    const clock = new ManualClock();
    const store = await newStore(clock);
    const whole = exampleApp(store, { enqueue: async () => {} }, clock, new ScriptedModel(script(clock)));
    const finished = await createHttpHandler(whole, { timeoutMs: 600_000 })(
      fixtureRequest('post-message'),
      invocationContext(),
    );
    expect(finished.status).toBe(200);
    expect(transcript(split)).toEqual(transcript(await store.readEvents(ref)));
  });

  it('changes nothing when the same message is delivered three times', async () => {
    const { baton, host, model, events } = await setup({ script: [reply('Once.')] });
    await baton.submit(ref, { text: 'hi', source: 'test' });
    const item = (await host.receive())!;
    await host.invoke(item, 1);
    const after = await events();
    await host.invoke(item, 2);
    await host.invoke(item, 3);
    expect(await events()).toEqual(after);
    expect(model.calls).toHaveLength(1);
    expect((await baton.session(ref)).status).toBe('idle');
  });

  it('re-enqueues a delayed copy and completes the message when another invocation holds the lease', async () => {
    const { baton, host, queue, clock, store, sent, model } = await setup();
    await baton.submit(ref, { text: 'hi', source: 'test' });
    await acquireLease(store, ref, { owner: 'other-invocation', clock, leaseMs: 30_000 });
    expect(await host.drain()).toEqual(['completed']);
    // A busy round uses no attempt: the copy carries none.
    expect(sent.at(-1)).toEqual({ message: { ...sent[0]!.message, priorAttempts: 0 }, delayMs: 30_250 });
    expect((await queue.client.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await queue.client.getProperties()).approximateMessagesCount).toBe(1);
    expect(model.calls).toHaveLength(0);
  });

  it('records the error and completes the message when a retry cannot help', async () => {
    const { store, recording, clock, host, events, baton } = await setup();
    const ghost = defineAgent({ name: 'ghost', instructions: 'Boo.', model: new ScriptedModel([]) });
    const other = createBatonApp(defineBaton({ agents: [ghost] }), {
      store,
      queue: recording,
      clock,
      logger: silentLogger,
      env: {},
    });
    await other.baton.submit(ref, { text: 'hi', source: 'test' });
    expect(await host.drain()).toEqual(['completed']);
    expect((await events()).map((event) => event.kind)).toEqual(['input', 'error', 'run_finished']);
    expect((await events())[1]).toMatchObject({ code: 'unknown_agent', retryable: false });
    expect((await baton.session(ref)).status).toBe('failed');
  });

  it('backs off with a copy that counts the attempt, and the copy recovers, when the error is retryable', async () => {
    const { baton, host, events, store, sent } = await setup({ script: [overloaded(), reply('Recovered.')] });
    await baton.submit(ref, { text: 'hi', source: 'test' });
    expect(await host.drain()).toEqual(['completed']);
    expect(sent.at(-1)?.message).toMatchObject({ priorAttempts: 1 });
    expect(sent.at(-1)?.delayMs).toBeLessThanOrEqual(1_000);
    await waitForCopy();
    expect(await host.drain()).toEqual(['completed']);
    expect((await events()).some((event) => event.kind === 'error')).toBe(false);
    expect((await store.readHead(ref))?.lease).toBeNull();
    expect((await baton.session(ref)).lastReply).toBe('Recovered.');
  });

  it('records the last error once and completes when the copies used up the attempts', async () => {
    const { baton, host, poison, events } = await setup({
      script: [overloaded(), overloaded()],
      maxDequeueCount: 2,
    });
    await baton.submit(ref, { text: 'hi', source: 'test' });
    expect(await host.drain()).toEqual(['completed']);
    await waitForCopy();
    expect(await host.drain()).toEqual(['completed']);
    const errors = (await events()).filter((event) => event.kind === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'model_error' });
    expect(errors[0]?.kind === 'error' && errors[0].message).toContain('provider overloaded');
    expect((await baton.session(ref)).status).toBe('failed');
    expect(await poison.exists()).toBe(false);
  });

  it('throws for the host to redeliver when the copy cannot be sent, its dequeueCount still counting', async () => {
    const { baton, host, poison, events } = await setup({
      script: [overloaded(), overloaded()],
      maxDequeueCount: 2,
      failCopies: true,
    });
    await baton.submit(ref, { text: 'hi', source: 'test' });
    expect(await host.drain()).toEqual(['released', 'completed']);
    expect((await events()).filter((event) => event.kind === 'error')).toHaveLength(1);
    expect((await baton.session(ref)).status).toBe('failed');
    expect(await poison.exists()).toBe(false);
  });

  it('records the reason when a message reaches the poison queue unrecorded', async () => {
    const { baton, poison, poisonHost, events } = await setup();
    await baton.submit(ref, { text: 'hi', source: 'test' });
    await poison.createIfNotExists();
    await poison.sendMessage(
      encodeRunMessage({
        v: 1,
        tenant: ref.tenant,
        sessionId: ref.sessionId,
        reason: 'input',
        dedupeKey: 'x',
      }),
    );
    expect(await poisonHost.drain()).toEqual(['completed']);
    expect((await events()).at(-2)).toMatchObject({ kind: 'error', code: 'poison_message' });
    expect((await baton.session(ref)).status).toBe('failed');
  });

  it('completes malformed messages without touching any session', async () => {
    const { queue, host, baton } = await setup();
    await queue.client.sendMessage(Buffer.from('not json').toString('base64'));
    await queue.client.sendMessage(Buffer.from('{"v":2,"tenant":"acme"}').toString('base64'));
    expect(await host.drain()).toEqual(['completed', 'completed']);
    expect((await baton.list()).sessions).toEqual([]);
  });
});
