import { ModelError, type ModelRequest } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { callTools, reply, ScriptExhaustedError, ScriptedModel } from './scripted-model.js';

function request(text: string, signal?: AbortSignal): ModelRequest {
  return {
    instructions: 'Be brief.',
    messages: [{ role: 'user', content: text }],
    tools: [],
    sessionKey: 'acme/s1',
    ...(signal ? { signal } : {}),
  };
}

describe('ScriptedModel', () => {
  it('answers with the scripted responses in order and records each request', async () => {
    const model = new ScriptedModel([reply('first'), reply('second')]);

    expect(await model.generate(request('a'))).toMatchObject({
      text: 'first',
      stopReason: 'end',
      model: 'scripted-1',
    });
    expect(await model.generate(request('b'))).toMatchObject({ text: 'second' });
    expect(model.calls.map((call) => call.messages[0])).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
    expect(model.remaining).toBe(0);
    expect(model.provider).toBe('scripted');
  });

  it('throws ScriptExhaustedError, which is not retryable, when the script runs out', async () => {
    const model = new ScriptedModel([reply('only')]);
    await model.generate(request('a'));

    const error = await model.generate(request('b')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScriptExhaustedError);
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('called 2 times') });
  });

  it('throws a scripted error, then goes on with the next step', async () => {
    const throttled = new ModelError('rate limited', { retryable: true, status: 429, provider: 'scripted' });
    const model = new ScriptedModel([throttled, reply('after the retry')]);

    await expect(model.generate(request('a'))).rejects.toBe(throttled);
    expect(await model.generate(request('a'))).toMatchObject({ text: 'after the retry' });
  });

  it('answers from a function of the request and the call index', async () => {
    const model = new ScriptedModel((req, index) => reply(`${index}:${req.messages.length}`), {
      modelId: 'echo',
    });

    expect(await model.generate(request('x'))).toMatchObject({ text: '0:1', model: 'echo' });
    expect(await model.generate(request('y'))).toMatchObject({ text: '1:1' });
    expect(model.modelId).toBe('echo');
  });

  it('keeps the recorded request as it was when the caller mutates it later', async () => {
    const model = new ScriptedModel([reply('ok')]);
    const sent = request('original');
    await model.generate(sent);
    sent.messages.push({ role: 'user', content: 'added later' });

    expect(model.calls[0]?.messages).toHaveLength(1);
  });

  it('refuses an aborted request without using up a step', async () => {
    const model = new ScriptedModel([reply('kept')]);
    const controller = new AbortController();
    controller.abort(new Error('deadline'));

    await expect(model.generate(request('a', controller.signal))).rejects.toThrow('deadline');
    expect(await model.generate(request('a'))).toMatchObject({ text: 'kept' });
  });
});

describe('callTools', () => {
  it('stringifies object arguments and passes a raw string through unchanged', () => {
    const response = callTools([
      { name: 'lookup', args: { id: 7, tags: ['a'] } },
      { name: 'charge', args: '{"amount":', callId: 'call_bad' },
    ]);

    expect(response.stopReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([
      { callId: expect.stringMatching(/^call_\d+$/), name: 'lookup', arguments: '{"id":7,"tags":["a"]}' },
      { callId: 'call_bad', name: 'charge', arguments: '{"amount":' },
    ]);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
  });

  it('gives every generated call a distinct id', () => {
    const ids = [callTools([{ name: 'a', args: {} }]), callTools([{ name: 'a', args: {} }])].map(
      (response) => response.toolCalls[0]?.callId,
    );
    expect(new Set(ids).size).toBe(2);
  });
});

describe('reply', () => {
  it('reports plausible usage that grows with the text', () => {
    const short = reply('Hi.');
    const long = reply('A much longer answer that spans a good number of tokens.');

    expect(short.usage.inputTokens).toBeGreaterThan(0);
    expect(long.usage.outputTokens).toBeGreaterThan(short.usage.outputTokens);
    expect(reply('x', { usage: { inputTokens: 9 }, stopReason: 'max_tokens' })).toMatchObject({
      usage: { inputTokens: 9 },
      stopReason: 'max_tokens',
    });
  });
});
