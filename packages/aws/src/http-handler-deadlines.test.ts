import { callTools, type ManualClock, reply, type ScriptedStep } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { fixture } from './test-support/fixtures.js';
import { setup } from './test-support/http-handler-setup.js';

describe('createHttpHandler', () => {
  it('answers 200 with the reply when the run finishes before the deadline', async () => {
    const { invoke, model } = setup([reply('Hello from Baton.')]);
    const response = await invoke(fixture('http-api-v2'));
    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({ state: 'finished', reply: 'Hello from Baton.', duplicate: false });
    expect(model.calls[0]?.messages).toEqual([{ role: 'user', content: 'hello, baton' }]);
  });

  it('answers 202 with a poll location when the remaining time does not cover a model call', async () => {
    const { invoke, model, queue } = setup([reply('never sent')]);
    // 3 s left minus the 1 s margin is less than the 5 s a model call needs.
    const response = await invoke(fixture('http-api-v2'), 3_000);
    expect(response.statusCode).toBe(202);
    expect(response.headers?.location).toBe('/sessions/chat-1');
    expect(response.json).toMatchObject({ state: 'running', poll: '/sessions/chat-1', reply: null });
    expect(model.calls).toHaveLength(0);
    expect(queue.sent.map((entry) => entry.message.reason)).toEqual(['input', 'continue']);
  });

  it("stops at API Gateway's 29 s even when Lambda allows longer, but not for a Function URL", async () => {
    const script = (clock: ManualClock): ScriptedStep[] => [
      () => {
        clock.advance(25_000);
        return callTools([{ name: 'add_note', args: { text: 'slow' } }]);
      },
      reply('noted'),
    ];
    const viaGateway = setup(script);
    const gateway = await viaGateway.invoke(fixture('http-api-v2'), 120_000);
    expect(gateway.statusCode).toBe(202);
    expect(viaGateway.model.calls).toHaveLength(1);
    const viaUrl = setup(script);
    const url = await viaUrl.invoke(fixture('function-url'), 120_000);
    expect(url.statusCode).toBe(200);
    expect(url.json).toMatchObject({ state: 'finished', reply: 'noted' });
  });

  it("counts API Gateway's 29 s from the request's arrival when a cold start delays the handler", async () => {
    // The first model call takes 15 s; the second needs 5 s of what is left.
    const script = (clock: ManualClock): ScriptedStep[] => [
      () => {
        clock.advance(15_000);
        return callTools([{ name: 'add_note', args: { text: 'slow' } }]);
      },
      reply('noted'),
    ];
    // Arrived 10 s before the handler starts: 28 s from arrival leave 3 s after the first call.
    const cold = setup(script);
    const gateway = await cold.invoke(fixture('http-api-v2'), 120_000, 10_000);
    expect(gateway.statusCode).toBe(202);
    expect(cold.model.calls).toHaveLength(1);
    // Started as the request arrived, the second call fits.
    const warm = setup(script);
    expect((await warm.invoke(fixture('http-api-v2'), 120_000, 0)).statusCode).toBe(200);
    // A Function URL has no gateway timeout: the delay does not matter.
    const viaUrl = setup(script);
    const url = await viaUrl.invoke(fixture('function-url'), 120_000, 10_000);
    expect(url.json).toMatchObject({ state: 'finished', reply: 'noted' });
  });

  it('answers 503 when the run outlives the invocation', async () => {
    let release: () => void = () => undefined;
    const stuck = new Promise<never>((_, reject) => {
      release = () => reject(new Error('released'));
    });
    // A model that ignores its abort signal: only middy's early timeout can answer in time.
    const { invoke } = setup([() => stuck], { timeoutEarlyMs: 6_000 });
    const response = await invoke(fixture('function-url'), 6_100);
    release();
    expect(response.statusCode).toBe(503);
    expect(response.json.error).toMatchObject({ code: 'timeout', retryable: true });
  });
});
