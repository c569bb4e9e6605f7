import { ModelError, type ModelRequest } from '@baton/core';
import { malformedBody, type OpenAIFake, openAIError, startOpenAIFake } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAIModel } from './openai-model.js';

let fake: OpenAIFake;
beforeEach(async () => {
  fake = await startOpenAIFake();
});
afterEach(async () => {
  await fake.close();
});

function chatModel(maxRetries = 0) {
  return openAIModel({
    model: 'gpt-test',
    api: 'chat',
    apiKey: 'test-key',
    baseURL: fake.baseURL,
    maxRetries,
  });
}

function ask(text: string, overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    instructions: 'Be brief.',
    messages: [{ role: 'user', content: text }],
    tools: [],
    sessionKey: 'tenant/session-1',
    ...overrides,
  };
}

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('openAIModel with Chat Completions', () => {
  it('returns the text, usage and model when the model answers in words', async () => {
    fake.enqueue({
      text: 'Hello there.',
      usage: { input: 12, output: 3, cached: 8 },
      model: 'gpt-test-2025',
    });

    const response = await chatModel().generate(ask('Hi'));

    expect(response).toEqual({
      text: 'Hello there.',
      toolCalls: [],
      usage: { inputTokens: 12, outputTokens: 3, cachedInputTokens: 8 },
      stopReason: 'end',
      model: 'gpt-test-2025',
    });
    const request = fake.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer test-key');
    expect(request.body).toMatchObject({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(request.body).not.toHaveProperty('tools');
  });

  it('returns parallel tool calls with their arguments untouched when the model calls two tools', async () => {
    fake.enqueue({
      toolCalls: [
        { id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { id: 'call_2', name: 'get_weather', arguments: '{"city": "Bergen" }' },
      ],
    });

    const response = await chatModel().generate(ask('Oslo and Bergen?', { tools: [weatherTool] }));

    expect(response.stopReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([
      { callId: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { callId: 'call_2', name: 'get_weather', arguments: '{"city": "Bergen" }' },
    ]);
    expect(fake.requests[0]!.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.parameters } }],
    });
  });

  it('passes malformed tool arguments through unparsed when the model emits broken JSON', async () => {
    fake.enqueue({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city": "Oslo' }] });

    const response = await chatModel().generate(ask('Oslo?', { tools: [weatherTool] }));

    expect(response.toolCalls[0]?.arguments).toBe('{"city": "Oslo');
  });

  it('sends tool results paired with their call ids when the history has tool calls', async () => {
    fake.enqueue({ text: 'Oslo is colder.' });

    await chatModel().generate(
      ask('', {
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Oslo and Bergen?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [
              { callId: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
              { callId: 'call_2', name: 'get_weather', arguments: '{"city":"Bergen"}' },
            ],
          },
          { role: 'tool', callId: 'call_1', name: 'get_weather', content: '{"tempC":4}', isError: false },
          { role: 'tool', callId: 'call_2', name: 'get_weather', content: 'service down', isError: true },
        ],
      }),
    );

    expect((fake.requests[0]!.body as { messages: unknown[] }).messages.slice(1)).toEqual([
      { role: 'user', content: 'Oslo and Bergen?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Bergen"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"tempC":4}' },
      { role: 'tool', tool_call_id: 'call_2', content: 'service down' },
    ]);
  });

  it.each([
    ['stop', 'end'],
    ['length', 'max_tokens'],
    ['content_filter', 'content_filter'],
    ['brand_new_reason', 'other'],
  ])('maps finish_reason %s to %s when the model stops', async (finishReason, stopReason) => {
    fake.enqueue({ text: 'partial', finishReason });

    expect((await chatModel().generate(ask('Hi'))).stopReason).toBe(stopReason);
  });

  it('reports tool_calls when a compatible server says stop but calls tools', async () => {
    fake.enqueue({ toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{}' }], finishReason: 'stop' });

    expect((await chatModel().generate(ask('Hi', { tools: [weatherTool] }))).stopReason).toBe('tool_calls');
  });

  it('throws a retryable ModelError without retrying when the provider answers 429 and retries are off', async () => {
    fake.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '0' } }));

    const error = await chatModel(0)
      .generate(ask('Hi'))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ retryable: true, details: { provider: 'openai', upstreamStatus: 429 } });
    expect(fake.requests).toHaveLength(1);
  });

  it('succeeds on the retry when a 429 is followed by an answer', async () => {
    fake.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '0' } }), { text: 'ok' });

    const response = await chatModel(1).generate(ask('Hi'));

    expect(response.text).toBe('ok');
    expect(fake.requests).toHaveLength(2);
  });

  it('retries once by default when the provider keeps failing', async () => {
    const failure = openAIError(500, 'Upstream broke', { headers: { 'retry-after': '0' } });
    fake.enqueue(failure, failure, { text: 'third time' });
    const model = openAIModel({ model: 'gpt-test', api: 'chat', apiKey: 'test-key', baseURL: fake.baseURL });

    await expect(model.generate(ask('Hi'))).rejects.toMatchObject({ retryable: true });
    expect(fake.requests).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 422])(
    'throws a non-retryable ModelError without retrying when the provider answers %i',
    async (status) => {
      fake.enqueue(openAIError(status, 'Bad request'), { text: 'never sent' });

      const error = await chatModel(2)
        .generate(ask('Hi'))
        .catch((caught: unknown) => caught);

      expect(error).toMatchObject({ retryable: false, details: { upstreamStatus: status } });
      expect(fake.requests).toHaveLength(1);
    },
  );

  it.each([408, 409, 500, 503])(
    'throws a retryable ModelError when the provider answers %i',
    async (status) => {
      fake.enqueue(openAIError(status, 'Try again'));

      await expect(chatModel(0).generate(ask('Hi'))).rejects.toMatchObject({ retryable: true });
    },
  );

  it('throws a retryable ModelError when the body is malformed JSON', async () => {
    fake.enqueue(malformedBody());

    await expect(chatModel().generate(ask('Hi'))).rejects.toMatchObject({
      name: 'ModelError',
      retryable: true,
    });
  });

  it('throws a retryable ModelError when the body is not a chat completion', async () => {
    fake.enqueue(malformedBody('<html>gateway</html>', 'text/html'));

    await expect(chatModel().generate(ask('Hi'))).rejects.toThrow(/malformed response/);
  });

  it('throws a retryable ModelError at once when the signal aborts during a retry wait', async () => {
    const controller = new AbortController();
    fake.script.respondWith(() => {
      setImmediate(() => controller.abort());
      return openAIError(429, 'Slow down', { headers: { 'retry-after': '3600' } });
    });

    const error = await chatModel(1)
      .generate(ask('Hi', { signal: controller.signal }))
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ModelError', retryable: true });
    expect((error as Error).message).toMatch(/aborted/);
  });
});
