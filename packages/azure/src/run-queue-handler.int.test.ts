import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { QueueClient } from '@azure/storage-queue';
import {
  acquireLease,
  createBaton,
  defineAgent,
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
import { createPoisonQueueHandler } from './poison-queue-handler.js';
import { QueueHostEmulation } from './queue-host-emulation.js';
import { encodeRunMessage } from './run-message.js';
import { createRunQueueHandler } from './run-queue-handler.js';
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

async function setup(options: { script?: ScriptedStep[] | ScriptFunction; maxDequeueCount?: number } = {}) {
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
      sent.push({ message, delayMs: enqueueOptions?.delayMs });
      await queue.enqueue(message, enqueueOptions);
    },
  };
  const baton = createBaton({
    store,
    agents: [createExampleAgent(model)],
    queue: recording,
    clock,
    logger: silentLogger,
  });
  const maxDequeueCount = options.maxDequeueCount ?? 5;
  const handler = createRunQueueHandler(baton, { queue: recording, timeoutMs: 100_000, maxDequeueCount });
  const host = new QueueHostEmulation(queue.client, handler, maxDequeueCount, poison);
  const poisonHost = new QueueHostEmulation(
    poison,
    createPoisonQueueHandler(baton, { maxDequeueCount }),
    maxDequeueCount,
  );
  const events = () => store.readEvents(ref);
  return { queue, poison, clock, store, model, sent, recording, baton, host, poisonHost, events };
}

/** What the conversation said, without where invocations split it (and so without seq numbers). */
function transcript(events: SessionEvent[]): unknown[] {
  return events
    .filter((event) => event.kind !== 'continuation')
    .map(({ at: _at, seq: _seq, ...rest }) => {
      const { contextThrough: _through, ...body } = rest as typeof rest & { contextThrough?: number };
      return body;
    });
}

describe('StorageQueueRunQueue', () => {
  it('sends base64 JSON that decodes to the message when the host reads it', async () => {
    const { queue } = await setup();
    const message: RunMessage = {
      v: 1,
      tenant: 'acme',
      sessionId: 'ümlaut/ü',
      reason: 'input',
      dedupeKey: 'k-1',
    };
    await queue.enqueue(message);
    const [item] = (await queue.client.receiveMessages()).receivedMessageItems;
    expect(item?.messageText).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(item!.messageText, 'base64').toString('utf8'))).toEqual(message);
  });

  it('hides a message until its delay is over when delayMs is given', async () => {
    const { queue } = await setup();
    await queue.enqueue(
      { v: 1, tenant: 'acme', sessionId: 's', reason: 'retry', dedupeKey: 'k' },
      { delayMs: 120_000 },
    );
    expect((await queue.client.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await queue.client.getProperties()).approximateMessagesCount).toBe(1);
  });

  it('connects from app settings when AzureWebJobsStorage holds the connection string', async () => {
    const queueName = `env-${randomUUID().slice(0, 8)}`;
    const queue = StorageQueueRunQueue.fromEnvironment({
      AzureWebJobsStorage: connectionString,
      BATON_QUEUE_NAME: queueName,
    });
    await queue.createIfNotExists();
    await queue.enqueue({ v: 1, tenant: 'acme', sessionId: 's', reason: 'input', dedupeKey: 'k' });
    expect(queue.queueName).toBe(queueName);
    expect((await queue.client.peekMessages()).peekedMessageItems).toHaveLength(1);
  });
});

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
    const baton = createBaton({
      store: env.store,
      agents: [createExampleAgent(model)],
      queue: env.queue,
      clock: env.clock,
      logger: silentLogger,
    });
    const http = createHttpHandler(baton, { timeoutMs: 30_000 });
    const accepted = await http(fixtureRequest('post-message'), invocationContext());
    expect(accepted.status).toBe(202);
    const worker = createRunQueueHandler(baton, { queue: env.queue, timeoutMs: 100_000, maxDequeueCount: 5 });
    const host = new QueueHostEmulation(env.queue.client, worker, 5);
    expect(await host.drain()).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(model.calls).toHaveLength(3);
    const split = await env.store.readEvents(ref);
    expect(split.filter((event) => event.kind === 'continuation')).toHaveLength(3);
    expect((await baton.session(ref)).lastReply).toBe('You have one note: milk.');

    // The same conversation in one long invocation produces the same transcript.
    const clock = new ManualClock();
    const store = await newStore(clock);
    const whole = createBaton({
      store,
      agents: [createExampleAgent(new ScriptedModel(script(clock)))],
      queue: { enqueue: async () => {} },
      clock,
      logger: silentLogger,
    });
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
    expect(sent.at(-1)).toEqual({ message: sent[0]!.message, delayMs: 30_250 });
    expect((await queue.client.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await queue.client.getProperties()).approximateMessagesCount).toBe(1);
    expect(model.calls).toHaveLength(0);
  });

  it('records the error and completes the message when a retry cannot help', async () => {
    const { store, recording, clock, host, events, baton } = await setup();
    const ghost = defineAgent({ name: 'ghost', instructions: 'Boo.', model: new ScriptedModel([]) });
    const other = createBaton({ store, agents: [ghost], queue: recording, clock, logger: silentLogger });
    await other.submit(ref, { text: 'hi', source: 'test' });
    expect(await host.drain()).toEqual(['completed']);
    expect((await events()).map((event) => event.kind)).toEqual(['input', 'error', 'run_finished']);
    expect((await events())[1]).toMatchObject({ code: 'unknown_agent', retryable: false });
    expect((await baton.session(ref)).status).toBe('failed');
  });

  it('throws for the host to redeliver when the error is retryable and deliveries remain', async () => {
    const { baton, host, events, store } = await setup({
      script: [new ModelError('provider overloaded', { retryable: true, status: 529 }), reply('Recovered.')],
    });
    await baton.submit(ref, { text: 'hi', source: 'test' });
    expect(await host.drain()).toEqual(['released', 'completed']);
    expect((await events()).some((event) => event.kind === 'error')).toBe(false);
    expect((await store.readHead(ref))?.lease).toBeNull();
    expect((await baton.session(ref)).lastReply).toBe('Recovered.');
  });

  it('records the last error once when the final delivery fails and the message is poisoned', async () => {
    const overloaded = () => new ModelError('provider overloaded', { retryable: true, status: 529 });
    const { baton, host, poisonHost, events } = await setup({
      script: [overloaded(), overloaded()],
      maxDequeueCount: 2,
    });
    await baton.submit(ref, { text: 'hi', source: 'test' });
    expect(await host.drain()).toEqual(['released', 'poisoned']);
    expect(await poisonHost.drain()).toEqual(['completed']);
    const errors = (await events()).filter((event) => event.kind === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'model_error' });
    expect(errors[0]?.kind === 'error' && errors[0].message).toContain('provider overloaded');
    expect((await baton.session(ref)).status).toBe('failed');
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
