import { randomUUID } from 'node:crypto';
import { type Message, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ModelRequest } from '@baton/core';
import {
  acquireLease,
  createBaton,
  defineAgent,
  ModelError,
  type SessionEvent,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { callTools, reply, type ScriptedStep } from '@baton/testing';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from './test-support/lambda-context.js';
import { type SqsEmulator, startSqsEmulator, toSqsEvent } from './test-support/sqs-emulator.js';
import { type WorkerWorld, workerWorld } from './test-support/worker-harness.js';

const ref = sessionRef('acme', 'chat-1');
const kinds = (events: SessionEvent[]) => events.map((event) => event.kind);
const echo: ScriptedStep = (request: ModelRequest) => reply(`re: ${request.messages.at(-1)?.content}`);

/** A message as ReceiveMessage returns it, for a copy the test takes out of the delayed set. */
function sqsMessage(body: string): Message {
  return {
    MessageId: randomUUID(),
    ReceiptHandle: randomUUID(),
    Body: body,
    Attributes: { ApproximateReceiveCount: '1' },
  };
}

async function submit(world: WorkerWorld, text: string, sessionId = 'chat-1') {
  return world.baton.submit(sessionRef('acme', sessionId), { text, source: 'test' });
}

describe('createSqsWorker', () => {
  let sqs: SqsEmulator;
  beforeAll(async () => {
    sqs = await startSqsEmulator();
  });
  afterAll(async () => {
    await sqs.stop();
  });

  it('runs the session when a message sent by SqsRunQueue arrives as an SQS event', async () => {
    const world = await workerWorld(sqs, { script: [reply('Hello!')] });
    await submit(world, 'hello');
    const { event, response } = await world.invoke();
    expect(event.Records).toHaveLength(1);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await world.baton.session(ref)).toMatchObject({ status: 'idle', lastReply: 'Hello!' });
    expect(await sqs.inspect(world.queue)).toMatchObject({ ready: [], delayed: [], inflight: [] });
  });

  it('continues in another invocation when the remaining time is too short for the next model call', async () => {
    const world = await workerWorld(sqs, {
      // Each model call takes 4 s of the 7 s an invocation may plan with (8 s minus the 1 s margin).
      script: (clock) => [
        () => {
          clock.advance(4_000);
          return callTools([{ name: 'add_note', args: { text: 'milk' } }]);
        },
        () => {
          clock.advance(4_000);
          return callTools([{ name: 'list_notes', args: {} }]);
        },
        () => {
          clock.advance(4_000);
          return reply('You have one note: milk.');
        },
      ],
    });
    await submit(world, 'remember milk, then list my notes');
    const reasons: string[] = [];
    for (let invocation = 0; invocation < 3; invocation++) {
      const { event, response } = await world.invoke(8_000);
      expect(response.batchItemFailures).toEqual([]);
      reasons.push(...event.Records.map((record) => JSON.parse(record.body).reason));
    }
    expect(reasons).toEqual(['input', 'continue', 'continue']);
    const events = await world.baton.events(ref);
    expect(kinds(events)).toEqual([
      'input',
      'model_response',
      'tool_result',
      'continuation',
      'model_response',
      'tool_result',
      'continuation',
      'model_response',
      'run_finished',
    ]);
    expect(await world.baton.session(ref)).toMatchObject({
      status: 'idle',
      lastReply: 'You have one note: milk.',
      toolState: { notes: ['milk'] },
    });
    expect(await sqs.inspect(world.queue)).toMatchObject({ ready: [], delayed: [], inflight: [] });
  });

  it('reports only the malformed record as failed when its neighbours succeed', async () => {
    const world = await workerWorld(sqs, { script: [echo, echo] });
    await submit(world, 'first', 'chat-a');
    await sqs.client.send(new SendMessageCommand({ QueueUrl: world.queue.url, MessageBody: '{not json' }));
    await submit(world, 'second', 'chat-b');
    const { event, response } = await world.invoke();
    const poison = event.Records.find((record) => record.body === '{not json')!;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    expect((await world.baton.session(sessionRef('acme', 'chat-a'))).lastReply).toBe('re: first');
    expect((await world.baton.session(sessionRef('acme', 'chat-b'))).lastReply).toBe('re: second');
  });

  it('dead-letters a malformed record with its reason when a dead-letter queue is configured', async () => {
    const world = await workerWorld(sqs, { script: [], deadLetterQueue: true });
    await sqs.client.send(new SendMessageCommand({ QueueUrl: world.queue.url, MessageBody: '{not json' }));
    const { event, response } = await world.invoke();
    expect(response.batchItemFailures).toEqual([]);
    const [dead] = (await sqs.receiveEvent(world.dlq!)).Records;
    expect(dead!.body).toBe('{not json');
    expect(dead!.messageAttributes).toMatchObject({
      'baton-error-code': { stringValue: 'malformed_message' },
      'baton-error-message': { stringValue: 'the message is not JSON' },
      'baton-source-message-id': { stringValue: event.Records[0]!.messageId },
    });
  });

  it('records the error on the session and dead-letters the message when a retry cannot help', async () => {
    const world = await workerWorld(sqs, { script: [], deadLetterQueue: true });
    // A session of an agent this deployment no longer serves: UnknownAgentError, not retryable.
    const retired = defineAgent({ name: 'retired', instructions: 'gone', model: world.model });
    const old = createBaton({
      store: world.store,
      queue: world.runQueue,
      agents: [retired],
      clock: world.clock,
      logger: silentLogger,
    });
    await old.submit(ref, { text: 'hello', source: 'test' });
    const { response } = await world.invoke();
    expect(response.batchItemFailures).toEqual([]);
    const events = await world.store.readEvents(ref);
    expect(kinds(events)).toEqual(['input', 'error', 'run_finished']);
    expect(events[1]).toMatchObject({ code: 'unknown_agent', retryable: false });
    expect((await world.store.readHead(ref))?.status).toBe('failed');
    const [dead] = (await sqs.receiveEvent(world.dlq!)).Records;
    expect(dead!.messageAttributes['baton-error-code']?.stringValue).toBe('unknown_agent');
  });

  it('leaves the message to the redrive policy and records the error once when no DLQ is configured', async () => {
    const world = await workerWorld(sqs, { script: [] });
    const retired = defineAgent({ name: 'retired', instructions: 'gone', model: world.model });
    const old = createBaton({
      store: world.store,
      queue: world.runQueue,
      agents: [retired],
      clock: world.clock,
      logger: silentLogger,
    });
    await old.submit(ref, { text: 'hello', source: 'test' });
    const { event, response } = await world.invoke();
    const id = event.Records[0]!.messageId;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: id }]);
    await world.expireVisibility();
    const again = await world.invoke();
    expect(again.response.batchItemFailures).toEqual([{ itemIdentifier: id }]);
    expect(kinds(await world.store.readEvents(ref))).toEqual(['input', 'error', 'run_finished']);
  });

  it('backs a retryable failure off with the visibility timeout and succeeds on the next delivery', async () => {
    const world = await workerWorld(sqs, {
      script: [new ModelError('rate limited', { retryable: true, status: 429 }), reply('second try')],
    });
    await submit(world, 'hello');
    const first = await world.invoke();
    expect(first.response.batchItemFailures).toEqual([{ itemIdentifier: first.event.Records[0]!.messageId }]);
    // The first backoff is under a second: visible again after one.
    expect(world.workerCommands).toEqual([
      expect.objectContaining({
        name: 'ChangeMessageVisibilityCommand',
        input: expect.objectContaining({ VisibilityTimeout: 1 }),
      }),
    ]);
    await world.expireVisibility();
    const second = await world.invoke();
    expect(second.response.batchItemFailures).toEqual([]);
    expect((await world.baton.session(ref)).lastReply).toBe('second try');
  });

  it('changes nothing when a message is delivered again after its run finished', async () => {
    const world = await workerWorld(sqs, { script: [reply('only once')] });
    const submitted = await submit(world, 'hello');
    const { event } = await world.invoke();
    const before = await world.baton.events(ref);
    expect(await world.deliver(event)).toEqual({ batchItemFailures: [] });
    // The same run message sent again (a retried enqueue) gets a new SQS message id.
    await world.runQueue.enqueue({
      v: 1,
      tenant: 'acme',
      sessionId: 'chat-1',
      reason: 'input',
      dedupeKey: `input:acme/chat-1:${submitted.inputSeq}`,
    });
    expect((await world.invoke()).response).toEqual({ batchItemFailures: [] });
    expect(await world.baton.events(ref)).toEqual(before);
    expect(world.model.calls).toHaveLength(1);
  });

  it("re-sends a busy session's message with the lease's delay and deletes the original", async () => {
    const world = await workerWorld(sqs, { script: [reply('after the lease')] });
    await submit(world, 'hello');
    await acquireLease(world.store, ref, { owner: 'another-invocation', clock: world.clock, leaseMs: 2_000 });
    const { event, response } = await world.invoke();
    // Done: a hold-back must not count toward the redrive policy's maxReceiveCount.
    expect(response.batchItemFailures).toEqual([]);
    expect(world.workerCommands).toEqual([
      expect.objectContaining({
        name: 'SendMessageCommand',
        input: expect.objectContaining({
          QueueUrl: world.queue.url,
          MessageBody: event.Records[0]!.body,
          // Until the lease ends, plus core's margin.
          DelaySeconds: 3,
          MessageAttributes: expect.objectContaining({ 'baton-session': expect.anything() }),
        }),
      }),
    ]);
    expect(world.model.calls).toHaveLength(0);
    expect(await sqs.inspect(world.queue)).toMatchObject({
      ready: [],
      inflight: [],
      delayed: [expect.anything()],
    });
    world.clock.advance(3_000);
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    const again = await world.invoke();
    expect(again.event.Records[0]!.attributes.ApproximateReceiveCount).toBe('1');
    expect(again.response).toEqual({ batchItemFailures: [] });
    expect((await world.baton.session(ref)).lastReply).toBe('after the lease');
  });

  it("carries a hold-back longer than SQS's 900 s delay in the copy's notBefore", async () => {
    const world = await workerWorld(sqs, { script: [reply('much later')] });
    await world.baton.submit(ref, { text: 'hello', source: 'test' }, { enqueueDelayMs: 3_600_000 });
    const [copy] = (await sqs.inspect(world.queue)).delayed;
    const notBefore = JSON.parse(copy!.body).notBefore as number;
    expect(notBefore).toBe(world.clock.now() + 3_600_000);
    // The first copy arrives after 900 s: SQS cannot delay longer. It goes back for the rest.
    world.clock.advance(900_000);
    const early = await world.deliver(toSqsEvent([sqsMessage(copy!.body)], world.queue.arn));
    expect(early).toEqual({ batchItemFailures: [] });
    expect(world.workerCommands.at(-1)?.input).toMatchObject({ DelaySeconds: 900 });
    expect(JSON.parse(String(world.workerCommands.at(-1)?.input.MessageBody)).notBefore).toBe(notBefore);
    expect(world.model.calls).toHaveLength(0);
  });

  it('holds a message back until its not-before time when a FIFO queue cannot delay it', async () => {
    const world = await workerWorld(sqs, { script: [reply('on time')], fifo: true });
    await world.baton.submit(ref, { text: 'hello', source: 'test' }, { enqueueDelayMs: 10_000 });
    const { response } = await world.invoke();
    expect(response.batchItemFailures).toHaveLength(1);
    expect(world.workerCommands[0]?.input).toMatchObject({ VisibilityTimeout: 10 });
    expect(world.model.calls).toHaveLength(0);
    world.clock.advance(10_000);
    await world.expireVisibility();
    expect((await world.invoke()).response).toEqual({ batchItemFailures: [] });
    expect((await world.baton.session(ref)).lastReply).toBe('on time');
  });

  it('aborts the model call at the deadline taken from the Lambda context', async () => {
    let abortReason: unknown;
    const waitForAbort: ScriptedStep = (request) =>
      new Promise((_, reject) => {
        request.signal?.addEventListener('abort', () => {
          abortReason = request.signal?.reason;
          reject(request.signal?.reason);
        });
      });
    // A model call is planned at 20 ms; the invocation has 50 ms after the 1 s margin.
    const world = await workerWorld(sqs, { script: [waitForAbort], timing: { modelCallMs: 20 } });
    await submit(world, 'hello');
    const { event, response } = await world.invoke(1_050);
    expect((abortReason as Error).message).toBe('invocation deadline');
    // Cut off mid-call, the run commits a continuation: this message is done, the next invocation
    // makes the call again from the last commit.
    expect(response.batchItemFailures).toEqual([]);
    expect(event.Records).toHaveLength(1);
    expect(kinds(await world.baton.events(ref))).toEqual(['input', 'continuation']);
  });

  it('reports nothing and processes nothing when the event is not an SQS batch', async () => {
    const world = await workerWorld(sqs, { script: [] });
    const response = (await world.worker(
      { notRecords: true } as unknown as SQSEvent,
      lambdaContext({ clock: world.clock, budgetMs: 10_000 }),
    )) as SQSBatchResponse;
    expect(response).toEqual({ batchItemFailures: [] });
  });
});
