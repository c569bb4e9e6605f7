import { MemoryStore, sessionRef } from '@baton/core';
import { awsError, openAIError } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { body, useModelFakes } from './model-fakes.js';
import { supportAgent, world } from './model-loop-world.js';

const f = useModelFakes();

describe('provider errors in the loop', () => {
  it('finishes the run when the SDK retries a 429 within the same run', async () => {
    const ref = sessionRef('acme', 'throttled-once');
    f.openai.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '0' } }), {
      text: 'Hello after the throttle.',
    });
    const local = world(new MemoryStore(), supportAgent(f.chatModel(1)), f.clock);

    const outcome = await local.turn(ref, 'Hi');

    expect(outcome).toMatchObject({ kind: 'finished', text: 'Hello after the throttle.' });
    expect(f.openai.requests).toHaveLength(2);
    expect(body(f.openai.requests[1])).toEqual(body(f.openai.requests[0]));
    const events = await local.baton.events(ref);
    expect(events.map((event) => event.kind)).toEqual(['input', 'model_response', 'run_finished']);
    expect(await local.baton.session(ref)).toMatchObject({ status: 'idle' });
  });

  it('retries a 429 through the queue when the SDK does not: the next run succeeds and the session ends once', async () => {
    const ref = sessionRef('acme', 'throttled-queue');
    f.converse.enqueue(awsError(429, 'ThrottlingException', 'Too many requests'), {
      text: 'Second time lucky.',
    });
    const local = world(new MemoryStore(), supportAgent(f.converseModel()), f.clock);

    await local.baton.submit(ref, { text: 'Hi', source: 'test' });
    const error = await local.run(ref).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ModelError', retryable: true });
    expect(f.converse.requests).toHaveLength(1);
    // Nothing is recorded for a retryable failure: the input stays unanswered and its message queued.
    expect((await local.baton.events(ref)).map((event) => event.kind)).toEqual(['input']);
    expect(local.queue.map((message) => [message.sessionId, message.reason])).toEqual([
      ['throttled-queue', 'input'],
    ]);
    const deadline = f.clock.now() + 300_000;

    // The queue redelivers the message; the same deadline still holds (the f.clock has not moved).
    const redelivered = await local.baton.handle(local.queue[0]!, { deadline });

    expect(redelivered).toEqual({ kind: 'done', outcome: 'finished' });
    expect(f.converse.requests).toHaveLength(2);
    const events = await local.baton.events(ref);
    expect(events.map((event) => event.kind)).toEqual(['input', 'model_response', 'run_finished']);
    expect(events.at(-1)).toMatchObject({
      kind: 'run_finished',
      reason: 'completed',
      text: 'Second time lucky.',
    });
    expect(await local.baton.session(ref)).toMatchObject({ status: 'idle', lastReply: 'Second time lucky.' });
  });

  it('does not retry a 400 and records it on the session', async () => {
    const ref = sessionRef('acme', 'bad-request');
    f.openai.enqueue(openAIError(400, "Invalid value for 'messages'"), { text: 'never sent' });
    // SDK retries on (the default): the 400 must still be sent once only.
    const local = world(new MemoryStore(), supportAgent(f.chatModel()), f.clock);

    const outcome = await local.turn(ref, 'Hi');

    expect(outcome).toMatchObject({ kind: 'failed', error: { retryable: false } });
    expect(f.openai.requests).toHaveLength(1);
    expect(f.openai.script.pending).toBe(1);
    const events = await local.baton.events(ref);
    expect(events.map((event) => event.kind)).toEqual(['input', 'error', 'run_finished']);
    expect(events[1]).toMatchObject({ kind: 'error', retryable: false });
    expect((events[1] as { message: string }).message).toContain("Invalid value for 'messages'");
    expect(events[2]).toMatchObject({ kind: 'run_finished', reason: 'failed', text: '' });
    expect(await local.baton.session(ref)).toMatchObject({ status: 'failed' });
    // A later run finds nothing to do and sends nothing.
    await local.run(ref);
    expect(f.openai.requests).toHaveLength(1);
  });
});
