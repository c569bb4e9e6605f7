import { randomUUID } from 'node:crypto';
import { type Message, SQSClient } from '@aws-sdk/client-sqs';
import { sessionRef } from '@baton/core';
import { reply, type ScriptedStep } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsWorker } from './sqs-worker.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { type SqsEmulator, startSqsEmulator, toSqsEvent } from './test-support/sqs-emulator.js';
import { BEAT_SECONDS, type SentCommand, workerWorld } from './test-support/worker-harness.js';

const ref = sessionRef('acme', 'chat-1');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A message as ReceiveMessage returns it, for a copy the test takes out of the delayed set. */
function sqsMessage(body: string): Message {
  return {
    MessageId: randomUUID(),
    ReceiptHandle: randomUUID(),
    Body: body,
    Attributes: { ApproximateReceiveCount: '1' },
  };
}

/** An SQS client on the emulator that records what it sends. */
function recordingClient(sqs: SqsEmulator): { client: SQSClient; sent: SentCommand[] } {
  const client = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const sent: SentCommand[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ name: context.commandName ?? '', input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { client, sent };
}

describe('the SQS worker after a crash', () => {
  let sqs: SqsEmulator;
  beforeAll(async () => {
    sqs = await startSqsEmulator();
  });
  afterAll(async () => {
    await sqs.stop();
  });

  it('keeps a record hidden in short steps while it runs and stops beating once the batch is answered', async () => {
    let hiddenFor = Number.POSITIVE_INFINITY;
    const world = await workerWorld(sqs, {
      script: [
        async () => {
          await pause(150);
          const [held] = (await sqs.inspect(world.queue)).inflight;
          hiddenFor = held!.visibilityDeadline - Date.now();
          return reply('done');
        },
      ],
      worker: { heartbeat: { intervalMs: 20 } },
    });
    await world.baton.submit(ref, { text: 'hello', source: 'test' });
    // Received for 60 s, as a queue's long visibility timeout would hide it.
    const { event, response } = await world.invoke();
    expect(response).toEqual({ batchItemFailures: [] });
    expect(hiddenFor).toBeLessThanOrEqual(BEAT_SECONDS * 1000);
    expect(world.beats.length).toBeGreaterThanOrEqual(4);
    for (const beat of world.beats) {
      expect(beat.input).toMatchObject({ ReceiptHandle: event.Records[0]!.receiptHandle });
    }
    const after = world.beats.length;
    await pause(100);
    expect(world.beats).toHaveLength(after);
  });

  it("never hides a record further past the invocation's end than beyondDeadlineMs", async () => {
    const world = await workerWorld(sqs, {
      script: [reply('done')],
      worker: { heartbeat: { beyondDeadlineMs: 5_000 } },
    });
    await world.baton.submit(ref, { text: 'hello', source: 'test' });
    await world.invoke(2_000);
    // 2 s left + 5 s: 7 s, not the 37 s a beat asks for.
    expect(world.workerCommands[0]).toMatchObject({
      name: 'ChangeMessageVisibilityCommand',
      input: { VisibilityTimeout: 7 },
    });
  });

  it("brings a dead worker's record back after the short visibility, holds it back while the lease lives, then runs it once", async () => {
    let release: (error: Error) => void = () => undefined;
    const hang: ScriptedStep = () => new Promise((_, reject) => (release = reject));
    // maxReceiveCount 2: the redelivery after the crash is the last receive, and the hold-back
    // must still not dead-letter it.
    const world = await workerWorld(sqs, {
      script: [hang, reply('recovered')],
      deadLetterQueue: true,
      maxAttempts: 2,
    });
    const dying = recordingClient(sqs);
    // The invocation that dies: middy gives up on it after 200 ms (20 s less 19.8 s), its handler
    // never applies a disposition and its heartbeat stops, as when Lambda kills the sandbox.
    const worker = createSqsWorker(world.app, {
      maxAttempts: 2,
      client: dying.client,
      queueUrl: () => world.queue.url,
      safetyMarginMs: 1_000,
      timeoutEarlyMs: 19_800,
      heartbeat: { visibilitySeconds: 30, intervalMs: 20, beyondDeadlineMs: 60_000 },
    });
    await world.baton.submit(ref, { text: 'hello', source: 'test' });
    const event = await sqs.receiveEvent(world.queue);
    await expect(worker(event, lambdaContext({ clock: world.clock, budgetMs: 20_000 }))).rejects.toThrow();
    const beats = dying.sent.filter((command) => command.name === 'ChangeMessageVisibilityCommand');
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.every((beat) => beat.input.VisibilityTimeout === 30)).toBe(true);
    const [held] = (await sqs.inspect(world.queue)).inflight;
    expect(held!.visibilityDeadline - Date.now()).toBeLessThanOrEqual(30_000);
    await pause(100);
    expect(dying.sent).toHaveLength(beats.length);

    // The 30 s pass; the record is received again (a receive the beats did not add to).
    await world.expireVisibility();
    const redelivery = await world.invoke();
    expect(redelivery.event.Records[0]!.attributes.ApproximateReceiveCount).toBe('2');
    expect(redelivery.response).toEqual({ batchItemFailures: [] });
    const copy = world.workerCommands.find((command) => command.name === 'SendMessageCommand');
    // The dead run's lease (30 s on the manual clock, which has not moved) holds it back.
    expect(copy?.input).toMatchObject({ QueueUrl: world.queue.url, DelaySeconds: 31 });
    expect(world.model.calls).toHaveLength(1);

    world.clock.advance(31_000);
    const resumed = await world.deliver(
      toSqsEvent([sqsMessage(String(copy!.input.MessageBody))], world.queue.arn),
    );
    expect(resumed).toEqual({ batchItemFailures: [] });
    expect(await world.baton.session(ref)).toMatchObject({ status: 'idle', lastReply: 'recovered' });

    // The dead run wakes up: fenced, it writes nothing.
    release(new Error('the sandbox is gone'));
    await pause(50);
    const replies = (await world.baton.events(ref)).filter((e) => e.kind === 'model_response');
    expect(replies).toHaveLength(1);
    expect(await sqs.inspect(world.dlq!)).toMatchObject({ ready: [], delayed: [], inflight: [] });
  });
});
